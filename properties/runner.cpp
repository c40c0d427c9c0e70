#include "properties/runner.hpp"

#include "properties/reference.hpp"


#include <chrono>
#include <cmath>
#include <optional>
#include <cstdlib>
#include <random>
#include <iostream>
#include <mutex>
#include <sstream>

#include <fmt/format.h>
#include <rapidcheck.h>

#include "properties/crash_shrink_gate.hpp"
#include "properties/failure.hpp"

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
    case Verdict::error: return "ERROR";
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

std::string repro_command(const Kernel& kernel, const Property& property, const RunConfig& config) {
  const std::string prefix = config.repro_prefix.empty()
                                 ? "build/bin/softcheck check --kernel " + kernel.contract.name
                                 : config.repro_prefix;
  return fmt::format("{} --property {} --seed {}{}{}", prefix, property.name, config.seed,
                     config.cases != 100 ? fmt::format(" --cases {}", config.cases) : "",
                     config.max_cols != 100000 ? fmt::format(" --max-cols {}", config.max_cols)
                                               : "");
}

PropertyOutcome run_property(const Kernel& kernel, const Property& property,
                             const Invoker& invoker, const RunConfig& config) {
  PropertyOutcome o;
  o.kernel = kernel.contract.name;
  o.property = property.name;
  o.seed = config.seed;
  o.repro = repro_command(kernel, property, config);
  if (!property.applies(kernel.contract)) {
    o.verdict = Verdict::skipped;
    o.message = "does not apply to this contract";
    return o;
  }
  if (auto why = kernel.unrunnable_reason()) {
    // Never a silent pass: a kernel that cannot run here is a visible skip, with the reason.
    o.verdict = Verdict::skipped;
    o.message = *why;
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
  // Every call of the property goes through the gate, which shrinks a call that did not complete
  // by its shape only (properties/crash_shrink_gate.hpp).
  CrashShrinkGate gate(invoker);
  const PropertyContext ctx{kernel, gate, config.max_cols};

  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  std::optional<Clock::time_point> first_failure;
  bool budget_hit = false;
  std::string last_failure;
  std::string last_failed_call;  // the status of the accepted failure's call, if one failed
  std::string internal_error;  // what softcheck's own code threw (Verdict::error)
  int cases_done = 0;
  // Error / bound of the first failure and of the last accepted one (NaN: not measured).
  double first_severity = std::nan(""), last_severity = std::nan("");
  std::string first_failure_head;  // the first failure's first line, reported beside the minimum
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
        // After an error of softcheck's own, every further case is discarded at once: the run
        // ends without shrinking an error that says nothing about the kernel.
        if (!internal_error.empty()) RC_DISCARD("softcheck error");
        (void)take_failure_severity();
        gate.begin_case();
        try {
          property.check_one(ctx);
          if (config.on_case) config.on_case(++cases_done);
        } catch (const rc::detail::CaseResult& r) {
          if (r.type == rc::detail::CaseResult::Type::Failure) {
            const double severity = take_failure_severity();
            if (!first_failure) {
              first_failure = Clock::now();
              first_severity = severity;
              first_failure_head = r.description.substr(0, r.description.find('\n'));
              if (gate.case_call_failed()) gate.narrow_to_case();
            } else if (gate.armed() && !gate.case_call_failed()) {
              // A crash shrinks to a smaller crash, not to a failure of another kind.
              throw rc::detail::CaseResult(rc::detail::CaseResult::Type::Discard,
                                           "shrunk case lost the failed call");
            } else if (!std::isnan(first_severity) &&
                       !(severity >= std::min(first_severity, config.keep_signal))) {
              // A shrink candidate that fails less clearly than the case it came from (a near
              // miss of the bound, or a failure of another kind) is not accepted: it would hide
              // the defect behind rounding noise.
              throw rc::detail::CaseResult(rc::detail::CaseResult::Type::Discard,
                                           "shrunk case lost the signal");
            }
            last_failure = r.description;  // every failing candidate left is accepted
            last_failed_call = gate.case_call_failed()
                                   ? std::string(name_of(gate.case_call_status()))
                                   : std::string();
            if (gate.armed()) gate.narrow_to_case();
            last_severity = severity;
          }
          throw;
        } catch (const rc::GenerationFailure&) {
          throw;  // RapidCheck discards the case
        } catch (const std::exception& e) {
          // Failures of the kernel are reported with RC_ASSERT / fail_case (a CaseResult);
          // anything else thrown is softcheck's (an oracle refusing its input, a bound, an
          // invoker that could not fork). While shrinking a failure of the kernel, the candidate
          // is only discarded: the failure found stands.
          if (!first_failure) internal_error = e.what();
          RC_DISCARD("softcheck error");
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
  if (!internal_error.empty()) {
    o.verdict = Verdict::error;
    o.cases = cases_done;
    o.message = fmt::format(
        "softcheck error after {} passed cases (a defect of softcheck, not a failure of the "
        "kernel): {}",
        cases_done, internal_error);
  } else if (result.match(success)) {
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
    // The last failure seen is the smallest counterexample accepted. RapidCheck's own description
    // can be of something else: the discard reason past the budget, or "no exceptions thrown"
    // when a nondeterministic kernel passes the final re-run of that case.
    o.message = !last_failure.empty() ? last_failure : failure.description;
    o.failed_call = last_failed_call;
    if (budget_hit)
      o.message += fmt::format("\n  (shrinking stopped after its {} s budget; the case is not minimal)",
                               config.shrink_seconds);
    if (!std::isnan(first_severity)) {
      o.first_error_over_bound = first_severity;
      o.error_over_bound = last_severity;
      o.message += fmt::format(
          "\n  error / bound: {:.4g} on this case, {:.4g} on the first failing case before "
          "shrinking (shrinking keeps >= min(first, {:g})); that case: {}",
          last_severity, first_severity, config.keep_signal, first_failure_head);
    }
    if (config.diagnose) {
      o.diagnosis = diagnose(kernel, invoker);
      o.diagnosed = true;
    }
  } else if (result.match(gave_up)) {
    // Too many generated cases fell outside the contract's domain: the property could not be
    // exercised, which must not pass silently.
    o.verdict = Verdict::gave_up;
    o.cases = gave_up.numSuccess;
    o.message = "too many cases discarded (outside the contract's domain): " + gave_up.description;
  } else if (result.match(error)) {
    o.verdict = Verdict::error;  // RapidCheck's own error: nothing is known about the kernel
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
  if (o.diagnosed) s += "\n  " + format_diagnosis(o.diagnosis);
  if (o.verdict == Verdict::failed || o.verdict == Verdict::error)
    s += fmt::format("\n  seed: {}\n  reproduce: {}", o.seed, o.repro);
  return s;
}

}  // namespace softcheck
