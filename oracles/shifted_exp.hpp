// Internal to oracles/: the exponentials of a row relative to its maximum, shared by the forward
// references (softmax.cpp), the gradients (gradient.cpp) and the Jacobian (jacobian.cpp).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "oracles/real.hpp"

namespace softcheck::oracle::detail {

enum class RowStatus {
  finite,      // at least one finite entry, no NaN, no +inf (-inf entries allowed)
  empty,       // no entries
  all_masked,  // every entry is -inf: the sum of exponentials is 0
  has_nan,     // a NaN entry
  has_pos_inf  // a +inf entry and no NaN: inf - inf, undefined
};

struct ShiftedExp {
  RowStatus status = RowStatus::empty;
  double max = 0;          // the largest entry (finite rows)
  std::size_t argmax = 0;  // its first index
  // e_i = exp(d_i) with d_i = (x_i - max) / tau, rounded to odd at `bits` (2 * 2^-bits) from an argument
  // that is exact (tau = 1) or accurate to 2^-bits absolute (tau != 1); exactly 0 for -inf
  // entries and exactly 1 for entries equal to the max.
  std::vector<Real> e;
  // d_i exactly (tau = 1) or at bits + guard precision (tau != 1); -inf for -inf entries.
  std::vector<Real> d;

  // sum_{i != skip} e_i at `bits`, rounded to odd (mpfr_sum, then the sticky bit), so its relative
  // error is at most 2 * 2^-bits more than that of the terms: at most 4 * 2^-bits in all, whatever
  // n is. Rounded to odd so that a sum 1 + (terms below 2^-bits) stays above 1 (mpfr_ops.hpp).
  Real sum_except(std::size_t skip, unsigned bits) const;
  // sum_i e_i at bits, rounded to odd: relative error <= 4 * 2^-bits. One mpfr_sum over the
  // same terms as sum_except(k) when e_k = 0, so a masked label gets dx = -1 exactly.
  Real total(unsigned bits) const;
  // log sum_i e_i = log1p(sum_except(argmax)) >= 0 at bits, relative error <= 5 * 2^-bits: the sum
  // has <= 4 * 2^-bits and log1p's condition number r / ((1 + r) log1p(r)) is <= 1. log(total)
  // would lose the relative accuracy when the sum is tiny (large margins: loss -> 0).
  Real log_total(unsigned bits) const;
};

RowStatus classify_row(std::span<const double> x);

// d_i = (x_i - max) / tau for a finite x_i: exact for tau = 1 (nullopt), else to 2^-bits absolute.
Real shifted_argument(double xi, double max, std::optional<double> tau, unsigned bits);
// e_i = exp(d_i) rounded to odd at bits, as shifted_exp computes each term.
Real exp_of_argument(const Real& d, unsigned bits);

// Classifies the row and, for finite rows, computes d and e at `bits`. tau (> 0, may be +inf)
// divides the shifted logits (softmax_temp); std::nullopt means tau = 1 with no division at all.
ShiftedExp shifted_exp(std::span<const double> x, std::optional<double> tau, unsigned bits);

// A vector of n NaNs at `bits`: the outcome of an undefined row.
std::vector<Real> nans(std::size_t n, unsigned bits);

}  // namespace softcheck::oracle::detail
