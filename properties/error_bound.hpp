// A-priori error bounds derived from a kernel's contract and the row it was given, with the
// formulas of docs/error-model.md (Blanchard, Higham & Higham 2021, "BHH"; Milakov & Gimelshein
// 2018; Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed., ch. 3-4 for gamma_k).
// Bounds are first-order factors K (units of the accumulation format's u) turned into
// gamma_K = K u / (1 - K u), plus an absolute floor for underflow, plus the final rounding to the
// storage format when it is narrower than the accumulation format.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "softcheck/contract.hpp"

namespace softcheck {

struct RowBound {
  std::vector<double> abs;      // |got_j - exact_j| <= abs[j], in absolute terms
  std::vector<double> factor;   // K_j, the first-order factor in units of u(accum)
  double sum_abs = 0;           // |sum_j got_j - 1| <= sum_abs
  std::string derivation;       // the formula with its factors, for failure messages
};

// gamma_K = K u / (1 - K u) (Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed.,
// Lemma 3.1); +inf once K u >= 1, where no first-order bound exists.
double gamma_bound(double k, double u);

// Largest / smallest finite entry of a row (-inf / +inf when it has none).
double finite_max(std::span<const double> x);
double finite_min(std::span<const double> x);

// Height of the denominator's summation tree (error-model.md: serial n - 1, pairwise log2 n,
// k lanes then a tree n/k - 1 + log2 k, compensated ~2).
double summation_height(const Contract& c, std::size_t n);

// Softmax bound for one row x (exact inputs) given the exact outputs p (rounded to double, which
// is ample for a tolerance). Valid where the row is inside the contract's domain and finite
// entries exist; -inf entries have exact 0 outputs and bound 0.
RowBound softmax_row_bound(const Contract& c, std::span<const double> x,
                           std::span<const double> p_exact);

// softmax_row_bound in two steps, for rows judged in ranges of elements (reports/cell_stats.hpp):
// the row-wide quantities once, then the bounds of any range of elements from them.
struct SoftmaxBoundRow {
  std::size_t n = 0;
  double u = 0, h = 0, rho = 0, rho_log = 0, a = 0, delta = 0;
  double s_weighted = 0, sum_rel = 0, lse = 0, rescales = 0, floor = 0;
  bool narrower_out = false;
  std::string derivation;
};
// S = sum_i p_i (a - x_i) over the finite entries, a = finite_max(x) (p may be any double
// approximation of the exact outputs: it enters the bound to first order only).
double softmax_weighted_shift(std::span<const double> x, std::span<const double> p_exact,
                              double a);
SoftmaxBoundRow softmax_bound_row(const Contract& c, std::span<const double> x,
                                  double s_weighted);
// The bounds of the elements x (a range of the row) with exact outputs p_exact (same range).
RowBound softmax_bound_range(const Contract& c, const SoftmaxBoundRow& row,
                             std::span<const double> x, std::span<const double> p_exact);

// For contracts that come without a domain (plugins): the domain the algorithm's bound needs.
// The naive form needs sum exp(x) finite (LSE < ln max_finite(accum)) and exp(max) normal
// (max >= ln min_normal(accum)); the shifted forms need nothing.
void apply_algorithm_domain(Contract& c);

// Whether the row lies in the kernel's declared domain (properties discard rows outside it).
bool in_domain(const Contract& c, std::span<const double> x);

}  // namespace softcheck
