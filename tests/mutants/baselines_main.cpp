// softcheck_baselines: the gallery (wrong kernels and correct ones) through the two baseline
// closeness checks of baseline_checkers.hpp and through softcheck's catalogue with the defaults of
// `softcheck check`, as the Markdown table of docs/findings.md ("Why not allclose?"): which checker
// catches which bug, and whether any of them flags a correct kernel.
//
//   softcheck_baselines [--filter TEXT] [--peers]
//     --peers  instead: the registered peer kernels (adapters/) through the two baselines, to
//              compare with what softcheck found in them (docs/findings.md)
// Exit status 1 if softcheck misses a wrong kernel or any checker flags a correct one.
#include <fmt/format.h>

#include <cstring>
#include <string>

#include "adapters/peer_kernels.hpp"
#include "impl/registry.hpp"
#include "tests/mutants/baseline_checkers.hpp"
#include "tests/mutants/gallery_run.hpp"

int main(int argc, char** argv) {
  using namespace softcheck;
  using namespace softcheck::mutants;
  std::string filter;
  bool peers = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--filter") == 0 && i + 1 < argc) {
      filter = argv[++i];
    } else if (std::strcmp(argv[i], "--peers") == 0) {
      peers = true;
    } else {
      fmt::print(stderr, "usage: softcheck_baselines [--filter TEXT] [--peers]\n");
      return 2;
    }
  }
  if (peers) {
    fmt::print("| peer kernel | allclose | assert_close |\n|---|---|---|\n");
    for (const Kernel& k : builtin_kernels()) {
      if (!is_peer(k.contract)) continue;
      if (!filter.empty() && k.contract.name.find(filter) == std::string::npos) continue;
      const BaselineVerdict a = allclose_baseline(k), b = assert_close_baseline(k);
      fmt::print("| `{}` | {} | {} |\n", k.contract.name, a.caught ? "flagged: " + a.detail : "passed",
                 b.caught ? "flagged: " + b.detail : "passed");
    }
    return 0;
  }
  const auto mark = [](bool caught) { return caught ? "caught" : "**missed**"; };
  int n = 0, by_allclose = 0, by_assert_close = 0, by_softcheck = 0;
  fmt::print("| wrong kernel | bug class | allclose (1e-2, randn) | assert_close (defaults, U[-9, 9)) "
             "| softcheck (property, cases before) |\n|---|---|---|---|---|\n");
  for (const Mutant& m : gallery()) {
    if (!filter.empty() && m.kernel.contract.name.find(filter) == std::string::npos) continue;
    const BaselineVerdict a = allclose_baseline(m.kernel);
    const BaselineVerdict b = assert_close_baseline(m.kernel);
    const Catch c = run_mutant(m, RunConfig{}, false);
    ++n;
    by_allclose += a.caught;
    by_assert_close += b.caught;
    by_softcheck += c.caught();
    fmt::print("| `{}` | {} | {} | {} | {} |\n", m.kernel.contract.name, name_of(m.bug_class),
               mark(a.caught), mark(b.caught),
               c.caught() ? fmt::format("`{}`, {}", m.expected_property, c.expected.cases)
                          : std::string("**missed**"));
  }
  int correct = 0, flagged_a = 0, flagged_b = 0;
  for (const Kernel& k : correct_kernels()) {
    if (!filter.empty() && k.contract.name.find(filter) == std::string::npos) continue;
    ++correct;
    const BaselineVerdict a = allclose_baseline(k), b = assert_close_baseline(k);
    flagged_a += a.caught;
    flagged_b += b.caught;
    if (a.caught || b.caught)
      fmt::print("\ncorrect kernel {} flagged: allclose {} / assert_close {}\n", k.contract.name,
                 a.detail, b.detail);
  }
  fmt::print(
      "\nOf {} wrong kernels: allclose caught {}, assert_close {}, softcheck {}. Correct kernels "
      "flagged (of {}): allclose {}, assert_close {}.\n",
      n, by_allclose, by_assert_close, by_softcheck, correct, flagged_a, flagged_b);
  return by_softcheck == n && flagged_a == 0 && flagged_b == 0 ? 0 : 1;
}
