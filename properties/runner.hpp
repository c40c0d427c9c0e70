// Runs properties on a kernel with RapidCheck (generation, shrinking, coverage) and turns the
// results into outcomes that tests, the CLI and reports share. Outcomes follow benchdnn's states.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "properties/diagnosis/diagnosis.hpp"
#include "properties/invoke.hpp"
#include "properties/property.hpp"

namespace softcheck {

// CI runs with this fixed seed; SOFTCHECK_SEED (tests) or --seed (CLI) changes it.
inline constexpr uint64_t kDefaultSeed = 0x50f7c4ec;

struct RunConfig {
  uint64_t seed = kDefaultSeed;
  int cases = 100;         // successful cases per property
  int max_size = 100;      // RapidCheck size ramp
  std::size_t max_cols = 100000;
  bool shrink = true;
  // Shrinking stops (keeping the smallest failure so far) this long after the first failure; each
  // shrink step calls the kernel and the oracle, which is slow on long rows.
  double shrink_seconds = 10;
  // The command line that reruns a property, without --property/--seed (those are appended);
  // e.g. "build/bin/softcheck check --kernel f32_softmax_shifted__scalar".
  std::string repro_prefix;
  // Called after every case that completed (passed), with the count so far: progress displays.
  std::function<void(int cases)> on_case;
  // Shrinking keeps the signal: a failure measured against a bound (error / bound = s0 on the
  // first failing case) shrinks only to cases with error / bound >= min(s0, keep_signal), so a
  // clearly wrong case never shrinks to a near miss of the bound.
  double keep_signal = 4;
  // After a failure, run the experiments of properties/diagnosis on the kernel (a few dozen calls).
  bool diagnose = true;
};

// error: softcheck itself failed (an oracle, bound or generator threw) - nothing is known about
// the kernel, and it must never read as a failure of the kernel (benchdnn: UNTESTED, not FAILED);
// the CLI exits 4 for it (cli/commands.hpp).
enum class Verdict { passed, failed, skipped, gave_up, error };
inline constexpr int kVerdictCount = 5;
std::string_view name_of(Verdict v);

struct PropertyOutcome {
  std::string kernel;
  std::string property;
  Verdict verdict = Verdict::passed;
  int cases = 0;             // successful cases before the verdict
  std::string message;       // failure: the shrunk counterexample's report; skipped/gave_up: why
  std::string repro;         // one line that reproduces this outcome
  uint64_t seed = 0;
  std::map<std::string, int> coverage;  // RC_TAG/RC_CLASSIFY tags -> cases
  double seconds = 0;
  // Failed outcomes (with RunConfig::diagnose): whether the diagnosis ran, and what it found
  // (nullopt: no diagnosis).
  // Failed outcomes measured against a bound: error / bound of the first failing case and of the
  // reported (shrunk) one; 0 when the failure has no such measure.
  double first_error_over_bound = 0, error_over_bound = 0;
  bool diagnosed = false;
  // Failed outcomes whose counterexample is a kernel call that did not complete: its status
  // (crashed, out_of_bounds, timed_out, ...; properties/invoke.hpp); empty otherwise. JUnit
  // reports these as <error>, property violations as <failure>.
  std::string failed_call;
  std::optional<Diagnosis> diagnosis;
  // Elements whose reference the oracle computed, and how many each tier decided
  // (properties/reference.hpp; shrinking included).
  std::uint64_t oracle_fast = 0, oracle_mpfr = 0;
  std::uint64_t elements() const { return oracle_fast + oracle_mpfr; }
};

PropertyOutcome run_property(const Kernel& kernel, const Property& property,
                             const Invoker& invoker, const RunConfig& config);

// The command line that reruns `property` on `kernel` as `config` says: the outcome's repro.
std::string repro_command(const Kernel& kernel, const Property& property, const RunConfig& config);

// Every property that applies to the kernel's contract (optionally only those named `only`).
std::vector<PropertyOutcome> check_kernel(const Kernel& kernel, const Invoker& invoker,
                                          const RunConfig& config, const std::string& only = "");

// Seed from SOFTCHECK_SEED ("random" draws one and prints it), else kDefaultSeed.
uint64_t seed_from_environment();

// Multi-line human-readable outcome (verdict, cases, coverage, message, seed, repro).
std::string format_outcome(const PropertyOutcome& o);

}  // namespace softcheck
