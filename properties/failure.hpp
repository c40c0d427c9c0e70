// Failure messages: every failed case says the input in hex floats, expected, got, the error in
// ulps (both conventions) and relative terms, the bound with its derivation. The runner appends
// the seed and the command that reproduces it.
#pragma once

#include <span>
#include <string>

#include "properties/generators.hpp"
#include "properties/invoke.hpp"

namespace softcheck {

// One element's comparison: exact value (as the oracle's double and its rounding), got, bound.
struct ElementReport {
  std::size_t row = 0, index = 0;
  double got = 0;
  double expected = 0;        // oracle rounded once to the output format
  double exact = 0;           // oracle rounded to double (for display of the exact value)
  double ulps_vs_exact = 0;   // Zimmermann convention
  double ulps_vs_rounded = 0; // glibc convention
  double rel = 0, abs = 0;
  double bound_abs = 0;       // allowed |got - exact|
  std::string note;           // class mismatch etc.
};

std::string describe_batch(const Batch& b, std::size_t max_items = 64);
std::string describe_element(const ElementReport& e, DType out);

// Throws RapidCheck's failure with the message (never returns).
[[noreturn]] void fail_case(const std::string& message);
// The same for a failure measured against a bound: severity = error / bound (> 1; +inf for a
// class mismatch such as NaN for a finite value). The runner shrinks such a failure only to cases
// that stay as clearly wrong (properties/runner.cpp, "signal").
[[noreturn]] void fail_case(const std::string& message, double severity);
// The severity of the last failure thrown on this thread, and clears it; NaN when the failure
// gave none (a call status, a special-value outcome, an RC_ASSERT).
double take_failure_severity();

// Error relative to its bound of an element report: |got - exact| / bound, +inf for a class
// mismatch or a zero bound exceeded.
double severity_of(const ElementReport& e);

// Fails with the reason of a call that did not complete (crash, timeout, guard page, ...).
void require_call_ok(const CallResult& r, const Batch& b);

}  // namespace softcheck
