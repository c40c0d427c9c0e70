// Oracle results for a row as properties use them: exact values, their double and once-rounded
// forms, and element comparisons in the output format's ulps.
//
// Two tiers (docs/error-model.md, "The fast tier"): softmax and log-softmax rows are first
// computed by the fast tier (oracles/fast_tier.hpp), whose enclosures decide the rounding to the
// output format and the errors in ulps; a row where any element's rounding is undecided, and a
// comparison whose verdict the enclosure cannot settle, escalate to the MPFR references (Ziv's
// strategy). Either way the rounded values are the correctly rounded ones and the verdicts are
// those of MPFR alone; oracle_tally() counts how many elements each tier decided.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "oracles/fast_tier.hpp"
#include "oracles/oracle.hpp"
#include "properties/failure.hpp"

namespace softcheck {

// Elements whose reference each tier decided, on this thread since the last reset (the runner
// resets it per property; a lazily escalated row moves from fast to mpfr).
struct OracleTally {
  std::uint64_t fast = 0;
  std::uint64_t mpfr = 0;
  std::uint64_t elements() const { return fast + mpfr; }
};
OracleTally& oracle_tally();

struct RowReference {
  std::vector<double> exact_d;  // exact, rounded to double (fast rows: within `radius` of exact)
  std::vector<double> rounded;  // exact, rounded once to the output format (correctly rounded)
  DType out = DType::f64;
  // Fast rows: |exact_j - exact_d[j]| <= rel * |exact_d[j]| + abs, exact in [lower, upper].
  bool fast = false;
  double rel = 0, abs = 0, lower = 0, upper = 0;
  bool upper_strict = false;
  std::vector<bool> below_value;  // exact_j < exact_d[j] strictly (see oracle::fast::Row)

  double radius(std::size_t j) const { return rel * std::abs(exact_d[j]) + abs; }
  // The MPFR values; for a fast row they are computed on first use (and the row counted as
  // escalated). exact_d and rounded stay as they are: the fast tier's rounded values are exact.
  const std::vector<oracle::Real>& exact() const;
  // ulp(exact_j) in the output format (the Zimmermann denominator), without escalating.
  double exact_ulp(std::size_t j) const;

  // Internal: how a fast row computes its MPFR values (holds a copy of the inputs).
  std::function<std::vector<oracle::Real>()> escalate;
  mutable std::vector<oracle::Real> exact_cache;
};

RowReference make_reference(std::vector<oracle::Real> exact, DType out);
RowReference softmax_reference(std::span<const double> x, DType out);
RowReference log_softmax_reference(std::span<const double> x, DType out);

// The MPFR tier alone, for the equivalence test and the benchmark's baseline.
RowReference softmax_reference_mpfr(std::span<const double> x, DType out);
RowReference log_softmax_reference_mpfr(std::span<const double> x, DType out);

// The tiered reference from a given fast row (the test's weakened tier goes through here).
// `mpfr` computes the row's MPFR values when the fast row cannot decide.
RowReference tiered_reference(oracle::fast::Row fast, DType out,
                              std::function<std::vector<oracle::Real>()> mpfr);

ElementReport compare_element(std::size_t row, std::size_t index, double got,
                              const RowReference& ref, DType out, double bound_abs);

// The comparison in the fast tier alone, with the uncertainty of its error figures: abs and the
// ulps are within `uncertainty_abs` (in units of |got - exact|) of the exact figures. Defined for
// fast rows only; decided = false where the enclosure cannot settle what compare_element needs
// (the verdict against bound_abs).
struct FastComparison {
  oracle::ErrorMetrics metrics;
  double uncertainty_abs = 0;
  double ulp = 0;  // ulp(exact) in the output format
};
FastComparison compare_fast(double got, const RowReference& ref, std::size_t index, DType out);

// |got - exact| <= bound_abs, where non-finite values must match by class (never in ulps).
bool within(const ElementReport& e);

}  // namespace softcheck

namespace softcheck {

// Compares a row of outputs against the reference element by element and fails the case with the
// worst element (largest error relative to its bound), the count of failures and the derivation.
void require_within_bounds(const Batch& b, std::size_t row, std::span<const double> got,
                           const RowReference& ref, std::span<const double> bound_abs, DType out,
                           const std::string& derivation);

}  // namespace softcheck
