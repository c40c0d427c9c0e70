// Oracle results for a row as properties use them: exact values, their double and once-rounded
// forms, and element comparisons in the output format's ulps.
#pragma once

#include <span>
#include <vector>

#include "oracles/oracle.hpp"
#include "properties/failure.hpp"

namespace softcheck {

struct RowReference {
  std::vector<oracle::Real> exact;
  std::vector<double> exact_d;  // exact, rounded to double (for bounds and display)
  std::vector<double> rounded;  // exact, rounded once to the output format
};

RowReference make_reference(std::vector<oracle::Real> exact, DType out);
RowReference softmax_reference(std::span<const double> x, DType out);

ElementReport compare_element(std::size_t row, std::size_t index, double got,
                              const RowReference& ref, DType out, double bound_abs);

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
