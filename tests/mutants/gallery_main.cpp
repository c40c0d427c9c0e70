// softcheck_gallery: runs the gallery with the settings of `softcheck check` and prints, as a
// Markdown table (docs/gallery.md), each wrong kernel with its bug class, the property that caught
// it and the number of generated cases that passed before the first failure; then the correct
// kernels, which must pass every property. `make gallery` runs it.
//
//   softcheck_gallery [--seed N] [--all] [--filter TEXT]
//     --seed N      another seed than kDefaultSeed
//     --all         also run every other property on each wrong kernel (which ones catch it too)
//     --filter TEXT only kernels whose name contains TEXT
// Exit status 1 if a wrong kernel is not caught by its expected property or not given the diagnosis
// of its bug class (tests/mutants/expected_diagnosis.cpp), or a correct kernel fails.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "tests/mutants/gallery_run.hpp"

namespace softcheck::mutants {
namespace {

struct Options {
  RunConfig config;
  bool all = false;
  std::string filter;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--seed" && i + 1 < argc)
      o.config.seed = std::strtoull(argv[++i], nullptr, 0);
    else if (a == "--all")
      o.all = true;
    else if (a == "--filter" && i + 1 < argc)
      o.filter = argv[++i];
    else {
      fmt::print(stderr, "usage: softcheck_gallery [--seed N] [--all] [--filter TEXT]\n");
      std::exit(2);
    }
  }
  return o;
}

double median(std::vector<int> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

int run(const Options& o) {
  const auto t0 = std::chrono::steady_clock::now();
  int missed = 0, flagged = 0, misdiagnosed = 0;
  std::vector<int> cases;
  std::vector<std::string> notes;

  fmt::print("## Wrong kernels (seed {:#x}, {} cases per property, max cols {})\n\n", o.config.seed,
             o.config.cases, o.config.max_cols);
  fmt::print(
      "| kernel | bug class | defect | expected property | caught | cases before failure |"
      " diagnosis |{} s |\n",
      o.all ? " also caught by |" : "");
  fmt::print("|---|---|---|---|---|---|---|{}---|\n", o.all ? "---|" : "");
  for (const Mutant& m : gallery()) {
    if (m.kernel.contract.name.find(o.filter) == std::string::npos) continue;
    Catch c = run_mutant(m, o.config, /*probe_others=*/true);
    std::string also;
    if (o.all && c.caught()) {
      const auto invoker = invoker_for(m);
      for (const Property* p : properties_for(m.kernel.contract))
        if (p->name != m.expected_property &&
            run_property(m.kernel, *p, *invoker, o.config).verdict == Verdict::failed)
          also += (also.empty() ? "" : ", ") + p->name;
    }
    if (c.caught())
      cases.push_back(c.expected.cases);
    else {
      ++missed;
      notes.push_back(c.summary());
    }
    const std::string status = m.status ? fmt::format(" ({})", name_of(*m.status)) : "";
    std::string verdict = "yes";
    if (!c.caught())
      verdict = c.others.empty() ? "**NOT CAUGHT**"
                                 : fmt::format("**no**, only by {}", fmt::join(c.others, ", "));
    // The diagnosis the failure got (properties/diagnosis), checked against the bug class.
    const std::vector<std::string_view> want = diagnoses_for(m);
    const std::string got = !c.expected.diagnosed ? "-"
                            : c.expected.diagnosis ? c.expected.diagnosis->kind
                                                   : std::string("none");
    const bool as_expected =
        std::find(want.begin(), want.end(), got) != want.end() || (want.empty() && got == "none");
    std::string diagnosis = got == "none" || got == "-" ? got : fmt::format("`{}`", got);
    if (c.expected.diagnosis) diagnosis += fmt::format(" ({})", format_params(*c.expected.diagnosis));
    if (!as_expected) {
      ++misdiagnosed;
      diagnosis += fmt::format(" **expected {}**", want.empty() ? "none" : fmt::format("{}", fmt::join(want, " or ")));
      notes.push_back(fmt::format("{}: diagnosis {} where {} was expected", m.kernel.contract.name,
                                  format_diagnosis(c.expected.diagnosis),
                                  want.empty() ? "none" : want.front()));
    }
    fmt::print("| `{}` | {} | {} | {}{} | {} | {} | {} |{} {:.2f} |\n", m.kernel.contract.name,
               name_of(m.bug_class), m.defect, m.expected_property, status, verdict,
               c.caught() ? std::to_string(c.expected.cases) : "-", diagnosis,
               o.all ? fmt::format(" {} |", also.empty() ? "-" : also) : "", c.expected.seconds);
    std::fflush(stdout);
  }
  fmt::print(
      "\nCaught by the expected property: {} of {}; cases before the first failure: median "
      "{}, max {}.\n",
      cases.size(), cases.size() + missed, median(cases),
      cases.empty() ? 0 : *std::max_element(cases.begin(), cases.end()));
  fmt::print("Diagnosed as their bug class (or none where no experiment covers it): {} of {}.\n",
             cases.size() + missed - misdiagnosed, cases.size() + missed);

  fmt::print("\n## Correct kernels (must pass every property and get no diagnosis)\n\n");
  fmt::print(
      "| kernel | algorithm | summation | properties | result | diagnosis | s |\n"
      "|---|---|---|---|---|---|---|\n");
  for (const Kernel& k : correct_kernels()) {
    if (k.contract.name.find(o.filter) == std::string::npos) continue;
    int passed = 0, total = 0;
    double seconds = 0;
    std::string failed;
    for (const PropertyOutcome& out : check_kernel(k, InProcessInvoker{}, o.config)) {
      ++total;
      seconds += out.seconds;
      if (out.verdict == Verdict::passed)
        ++passed;
      else {
        failed +=
            (failed.empty() ? "" : ", ") + out.property + " " + std::string(name_of(out.verdict));
        notes.push_back(format_outcome(out));
      }
    }
    // The experiments run on a correct kernel too (not only after a failure): they must find
    // nothing.
    const std::optional<Diagnosis> d = diagnose(k, InProcessInvoker{});
    if (d) notes.push_back(k.contract.name + ": " + format_diagnosis(d));
    if (passed != total || d) ++flagged;
    fmt::print(
        "| `{}` | {} | {}{} | {} | {} | {} | {:.2f} |\n", k.contract.name, name_of(k.contract.algorithm),
        name_of(k.contract.summation),
        k.contract.summation == Summation::k_lane ? fmt::format(" ({})", k.contract.lanes) : "",
        total, passed == total ? "all pass" : "**" + failed + "**",
        d ? "**" + d->kind + "**" : std::string("none"), seconds);
    std::fflush(stdout);
  }
  fmt::print("\nCorrect kernels flagged: {}. Total time {:.1f} s.\n", flagged,
             std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  if (!notes.empty()) {
    fmt::print("\n## Notes\n\n");
    for (const auto& n : notes) fmt::print("```\n{}\n```\n", n);
  }
  return missed == 0 && flagged == 0 && misdiagnosed == 0 ? 0 : 1;
}

}  // namespace
}  // namespace softcheck::mutants

int main(int argc, char** argv) {
  return softcheck::mutants::run(softcheck::mutants::parse(argc, argv));
}
