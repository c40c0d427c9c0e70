#include "properties/runner.hpp"

#include "properties/reference.hpp"

#include "impl/simd/simd_targets.hpp"

#include <chrono>
#include <optional>
#include <cstdlib>
#include <random>
#include <iostream>
#include <mutex>
#include <sstream>

#include <fmt/format.h>
#include <rapidcheck.h>

namespace softcheck {
namespace {

// RapidCheck's default listener prints its own (random) configuration and progress to stderr;
// outcomes are reported by softcheck itself, with softcheck's seed.
// RapidCheck loads a global configuration on first use and always announces it on stderr, with a
// random seed that softcheck never uses (every run gets softcheck's own parameters). Load it once
// with stderr muted so the only seed printed is the one that reproduces a result.
void load_rapidcheck_configuration_quietly() {
  static std::once_flag once;
  std::call_once(once, [] {
    std::ostringstream sink;
    std::streambuf* saved = std::cerr.rdbuf(sink.rdbuf());
    (void)rc::detail::configuration();
    std::cerr.rdbuf(saved);
  });
}

class QuietListener final : public rc::detail::TestListener {
 public:
  void onTestCaseFinished(const rc::detail::CaseDescription&) override {}
  void onShrinkTried(const rc::detail::CaseDescription&, bool) override {}
  void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}
};

}  // namespace

std::string_view name_of(Verdict v) {
  switch (v) {
    case Verdict::passed: return "PASSED";
    case Verdict::failed: return "FAILED";
    case Verdict::skipped: return "SKIPPED";
    case Verdict::gave_up: return "GAVE_UP";
  }
  return "?";
}

uint64_t seed_from_environment() {
  const char* s = std::getenv("SOFTCHECK_SEED");
  if (!s || !*s) return kDefaultSeed;
  if (std::string_view(s) == "random") {
    const uint64_t seed = std::random_device{}() * 0x100000001ull ^ std::random_device{}();
    fmt::print(stderr, "softcheck: SOFTCHECK_SEED=random drew seed {}\n", seed);
    return seed;
  }
  return std::strtoull(s, nullptr, 0);
}

PropertyOutcome run_property(const Kernel& kernel, const Property& property,
                             const Invoker& invoker, const RunConfig& config) {
  PropertyOutcome o;
  o.kernel = kernel.contract.name;
  o.property = property.name;
  o.seed = config.seed;
  const std::string prefix = config.repro_prefix.empty()
                                 ? "build/bin/softcheck check --kernel " + kernel.contract.name
                                 : config.repro_prefix;
  o.repro = fmt::format("{} --property {} --seed {}{}{}", prefix, property.name, config.seed,
                        config.cases != 100 ? fmt::format(" --cases {}", config.cases) : "",
                        config.max_cols != 100000 ? fmt::format(" --max-cols {}", config.max_cols)
                                                  : "");
  if (!property.applies(kernel.contract)) {
    o.verdict = Verdict::skipped;
    o.message = "does not apply to this contract";
    return o;
  }
  if (!simd_target_supported(kernel.contract.isa)) {
    // Never a silent pass: a kernel for an instruction set this CPU lacks is a visible skip.
    o.verdict = Verdict::skipped;
    o.message = fmt::format("this CPU does not support {} (best target here: {})",
                            kernel.contract.isa, simd_best_target());
    return o;
  }
  rc::detail::TestParams params;
  params.seed = config.seed;
  params.maxSuccess = config.cases;
  params.maxSize = config.max_size;
  params.maxDiscardRatio = 10;
  params.disableShrinking = !config.shrink;
  rc::detail::TestMetadata meta;
  meta.id = kernel.contract.name + "/" + property.name;
  meta.description = property.summary;
  const PropertyContext ctx{kernel, invoker, config.max_cols};

  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  std::optional<Clock::time_point> first_failure;
  bool budget_hit = false;
  std::string last_failure;
  const auto shrink_budget = std::chrono::duration<double>(config.shrink_seconds);
  load_rapidcheck_configuration_quietly();
  QuietListener listener;
  const OracleTally tally_before = oracle_tally();
  const rc::detail::TestResult result = rc::detail::checkTestable(
      [&] {
        // Past the budget every further shrink candidate is discarded, which RapidCheck treats as
        // "does not fail": shrinking ends with the smallest failure found so far.
        if (first_failure && Clock::now() - *first_failure > shrink_budget) {
          budget_hit = true;
          RC_DISCARD("shrink time budget exhausted");
        }
        try {
          property.check_one(ctx);
        } catch (const rc::detail::CaseResult& r) {
          if (r.type == rc::detail::CaseResult::Type::Failure) {
            if (!first_failure) first_failure = Clock::now();
            last_failure = r.description;  // every failing candidate is accepted by the shrinker
          }
          throw;
        } catch (...) {
          if (!first_failure) first_failure = Clock::now();
          throw;
        }
      },
      meta, params, listener);
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  o.oracle_fast = oracle_tally().fast - tally_before.fast;
  o.oracle_mpfr = oracle_tally().mpfr - tally_before.mpfr;

  rc::detail::SuccessResult success;
  rc::detail::FailureResult failure;
  rc::detail::GaveUpResult gave_up;
  rc::detail::Error error;
  if (result.match(success)) {
    o.verdict = Verdict::passed;
    o.cases = success.numSuccess;
    for (const auto& [tags, count] : success.distribution) {
      std::string key;
      for (std::string t : tags) {
        std::erase(t, '"');  // RapidCheck shows string tags quoted
        key += (key.empty() ? "" : ", ") + t;
      }
      o.coverage[key.empty() ? "(untagged)" : key] += count;
    }
  } else if (result.match(failure)) {
    o.verdict = Verdict::failed;
    o.cases = failure.numSuccess;
    // Past the budget RapidCheck may describe the final case with the discard reason; the last
    // failure seen is the smallest counterexample accepted.
    o.message = budget_hit && !last_failure.empty() ? last_failure : failure.description;
    if (budget_hit)
      o.message += fmt::format("\n  (shrinking stopped after its {} s budget; the case is not minimal)",
                               config.shrink_seconds);
  } else if (result.match(gave_up)) {
    // Too many generated cases fell outside the contract's domain: the property could not be
    // exercised, which must not pass silently.
    o.verdict = Verdict::gave_up;
    o.cases = gave_up.numSuccess;
    o.message = "too many cases discarded (outside the contract's domain): " + gave_up.description;
  } else if (result.match(error)) {
    o.verdict = Verdict::failed;
    o.message = "error while testing: " + error.description;
  }
  return o;
}

std::vector<PropertyOutcome> check_kernel(const Kernel& kernel, const Invoker& invoker,
                                          const RunConfig& config, const std::string& only) {
  std::vector<PropertyOutcome> out;
  for (const Property* p : properties_for(kernel.contract))
    if (only.empty() || p->name == only) out.push_back(run_property(kernel, *p, invoker, config));
  return out;
}

std::string format_outcome(const PropertyOutcome& o) {
  std::string s = fmt::format("{} {} / {}: {} cases, {:.2f} s", name_of(o.verdict), o.kernel,
                              o.property, o.cases, o.seconds);
  if (o.elements() > 0)
    s += fmt::format("\n  oracle: {} elements, {:.1f}% decided by the fast tier, {} by MPFR",
                     o.elements(), 100.0 * static_cast<double>(o.oracle_fast) / static_cast<double>(o.elements()),
                     o.oracle_mpfr);
  if (!o.coverage.empty()) {
    // Coverage of the generators (RC_TAG), largest classes first, as RapidCheck prints it.
    std::vector<std::pair<int, std::string>> rows;
    for (const auto& [k, v] : o.coverage) rows.emplace_back(v, k);
    std::sort(rows.rbegin(), rows.rend());
    s += "\n  coverage:";
    std::size_t shown = 0;
    for (const auto& [count, tags] : rows) {
      if (++shown > 8) {
        s += fmt::format(" ... ({} more classes)", rows.size() - 8);
        break;
      }
      s += fmt::format("\n    {:5.1f}% {}", 100.0 * count / std::max(1, o.cases), tags);
    }
  }
  if (!o.message.empty()) s += "\n  " + o.message;
  if (o.verdict == Verdict::failed)
    s += fmt::format("\n  seed: {}\n  reproduce: {}", o.seed, o.repro);
  return s;
}

}  // namespace softcheck
