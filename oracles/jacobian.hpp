// The softmax Jacobian / log-sum-exp Hessian J = diag(p) - p p^T for small rows, and its
// eigen-decomposition by Eigen's SelfAdjointEigenSolver over Real (issue 4: "Eigen with a
// Boost.Multiprecision scalar, not a hand-written solver").
//
// J is symmetric and PSD (v^T J v = Var_p(v)), J 1 = 0, rank n - 1 when every p_i > 0
// (error-model.md, "Exact facts"). It is also the Hessian of the cross-entropy loss in the logits.
//
// Thread safety: Boost 1.74 keeps the default precision of mpfr_float_backend<0> in a plain static,
// and Eigen creates its temporaries at that default; symmetric_eigen sets it for the duration of
// the solve. Do not run it concurrently with other code that uses Boost operators on Reals.
#pragma once

#include <span>
#include <vector>

#include "oracles/eigen_real.hpp"
#include "oracles/real.hpp"

namespace softcheck::oracle {

using Matrix = Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic>;

// J at `bits` for the row x: p = softmax(x), J_ij = -p_i p_j off the diagonal and
// J_ii = p_i (1 - p_i) with 1 - p_i computed as sum_{j != i} e_j / sum_j e_j (no cancellation when
// p_i is close to 1). NaN or +inf anywhere, or all -inf: every entry NaN. Intended for small n
// (O(n^2) entries, O(n^3) solve).
Matrix softmax_jacobian(std::span<const double> x, unsigned bits);

struct EigenDecomposition {
  std::vector<Real> eigenvalues;  // ascending
  Matrix eigenvectors;            // column k: the unit eigenvector of eigenvalues[k]
};

// Eigen-decomposition of a symmetric matrix at `bits` (Eigen's tridiagonalisation + implicit
// symmetric QR, converged to Eigen's epsilon for Real, i.e. 2^(1-bits)). Throws std::domain_error
// when an entry is not finite or the matrix is not square, std::runtime_error when Eigen reports
// no convergence.
EigenDecomposition symmetric_eigen(const Matrix& a, unsigned bits);

}  // namespace softcheck::oracle
