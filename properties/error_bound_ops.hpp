// A-priori error bounds of the softmax-derived ops (issue 4): log-softmax, temperature softmax,
// the softmax backward pass and fused cross-entropy. Same shape and conventions as
// properties/error_bound.hpp (first-order factors K in units of u(accum) turned into gamma_K, an
// absolute floor for underflow, half an ulp of a narrower storage format), derived per contract
// with the formulas of docs/error-model.md; the derivations are written out in error_bound_ops.cpp.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>

#include "properties/error_bound.hpp"

namespace softcheck {

// Why no bound is derived for this contract (nullopt: the bound of its op applies). Properties that
// need a bound apply only where this is nullopt.
std::optional<std::string> op_bound_unsupported(const Contract& c);

// Log-softmax, absolute error (error-model.md: "judge log-probabilities by absolute error"):
// |l^_j - l_j| <= abs[j] for the row x (exact inputs) and the exact log-probabilities l (rounded to
// double). -inf entries must give exactly -inf: bound 0.
RowBound log_softmax_row_bound(const Contract& c, std::span<const double> x,
                               std::span<const double> l_exact);

// log_softmax_row_bound in two steps, for rows judged in ranges of elements: the quantities of
// the row x (double is ample for a tolerance), then the bounds of a range of elements x with
// exact log-probabilities l_exact (same range).
struct LogSoftmaxBoundRow {
  std::size_t n = 0;
  double a = 0, delta = 0;
  double s = 0, log_s = 0, s_weighted = 0;
  double h = 0, underflow = 0;
  bool naive = false;
};
LogSoftmaxBoundRow log_softmax_bound_row(const Contract& c, std::span<const double> x);
RowBound log_softmax_bound_range(const Contract& c, const LogSoftmaxBoundRow& row,
                                 std::span<const double> x, std::span<const double> l_exact);

// softmax(x / tau), componentwise like softmax_row_bound, given the exact outputs p.
RowBound softmax_temp_row_bound(const Contract& c, std::span<const double> x, double tau,
                                std::span<const double> p_exact);

// dx = y * (dy - <dy, y>) from the y and dy the kernel received (not the exact softmax), absolute.
RowBound softmax_backward_row_bound(const Contract& c, std::span<const double> y,
                                    std::span<const double> dy);

struct CrossEntropyBound {
  RowBound dx;          // per element of dx = softmax(x) - onehot; dx.sum_abs bounds |sum dx^|
  double loss_abs = 0;  // |loss^ - loss| <= loss_abs
  std::string loss_derivation;
};

// Fused cross-entropy for the row x with label `label`, given the exact softmax p (rounded to
// double) and the exact loss.
CrossEntropyBound cross_entropy_row_bound(const Contract& c, std::span<const double> x,
                                          std::size_t label, std::span<const double> p_exact,
                                          double loss_exact);

}  // namespace softcheck
