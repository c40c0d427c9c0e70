// Runs the property catalogue on a gallery kernel the way `softcheck check` does (RunConfig
// defaults, fixed seed), expected property first: the outcome says whether that property caught
// the kernel and after how many generated cases (PropertyOutcome.cases: successes before the
// failure). Memory defects run through the IsolatedInvoker, the others in-process.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "properties/runner.hpp"
#include "tests/mutants/mutant.hpp"

namespace softcheck::mutants {

struct Catch {
  PropertyOutcome expected;         // the expected property's outcome
  bool applies = false;             // the expected property is in properties_for(contract)
  bool status_named = true;         // the failure names the expected CallStatus (if any)
  bool probed = false;              // the rest of the catalogue was run (expected one missed)
  std::vector<std::string> others;  // then: the properties that caught it
  bool caught() const { return applies && expected.verdict == Verdict::failed && status_named; }
  std::string summary() const;  // one line: caught by whom after how many cases, or why not
};

std::unique_ptr<Invoker> invoker_for(const Mutant& m);

// probe_others: when the expected property misses, run the rest of the catalogue to report which
// properties (if any) catch the kernel.
Catch run_mutant(const Mutant& m, const RunConfig& config, bool probe_others = true);

}  // namespace softcheck::mutants
