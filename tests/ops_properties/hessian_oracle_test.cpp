// The theory under the backward properties, checked on the oracle (not on a kernel): for rows the
// property generators draw (n <= 16, every p_i > 0), the Hessian of log-sum-exp
// J = diag(p) - p p^T has exactly one zero eigenvalue, with eigenvector (1, ..., 1) / sqrt(n), and
// the other n - 1 are positive; they interlace the sorted p_i (p_(k) <= lambda_(k+1) <= p_(k+1),
// J being diag(p) minus a rank-one term), so the smallest positive one is at least min p_i.
//
// The precision follows the row: p_min ~ 2^-need with need = (max - min) / ln 2 + log2 n, and the
// solve runs at need + 160 bits, so Eigen's backward error (~ n 2^-bits ||J||) sits 2^-150 below
// every positive eigenvalue and "positive" and "zero" are decided, not guessed.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "oracles/jacobian.hpp"
#include "oracles/softmax.hpp"
#include "properties/generators.hpp"

namespace softcheck {
namespace {

using oracle::Real;

mpfr_srcptr raw(const Real& r) { return r.backend().data(); }

// 2^e as a Real.
Real power_of_two(long e) {
  Real r;
  mpfr_set_prec(r.backend().data(), 2);
  mpfr_set_ui_2exp(r.backend().data(), 1, e, MPFR_RNDN);
  return r;
}

// a - b at `bits`, rounded to nearest.
Real minus(const Real& a, const Real& b, mpfr_prec_t bits) {
  Real r;
  mpfr_set_prec(r.backend().data(), bits);
  mpfr_sub(r.backend().data(), raw(a), raw(b), MPFR_RNDN);
  return r;
}

// a >= b - tol
bool at_least(const Real& a, const Real& b, const Real& tol, mpfr_prec_t bits) {
  Real d = minus(a, b, bits);
  mpfr_add(d.backend().data(), raw(d), raw(tol), MPFR_RNDN);
  return mpfr_sgn(raw(d)) >= 0;
}

RC_GTEST_PROP(HessianOracle, OneZeroEigenvalueOnOnesTheRestPositiveAndInterlaced, ()) {
  GenSpec spec;
  spec.dtype = *rc::gen::element(DType::f32, DType::f64);
  spec.max_cols = 16;
  spec.masks = false;  // every p_i > 0
  const Batch b = *gen_batch(spec);
  const auto x = b.row(0);
  const std::size_t n = x.size();
  RC_PRE(n >= 2);
  const double spread =
      *std::max_element(x.begin(), x.end()) - *std::min_element(x.begin(), x.end());
  const double need = spread / std::numbers::ln2 + std::log2(static_cast<double>(n)) + 2;
  RC_PRE(need <= 1200);  // wider rows would take seconds per solve
  const auto bits = static_cast<unsigned>(need) + 160;
  RC_TAG(b.family, need > 100 ? "p_min < 2^-100" : "p_min >= 2^-100");

  const oracle::Matrix j = oracle::softmax_jacobian(x, bits);
  const oracle::EigenDecomposition ed = oracle::symmetric_eigen(j, bits);
  std::vector<Real> p = oracle::softmax(x, bits);
  std::sort(p.begin(), p.end(),
            [](const Real& a, const Real& c) { return mpfr_less_p(raw(a), raw(c)); });

  // Eigen's accuracy: |lambda^ - lambda| <~ n 2^-bits ||J||_2, ||J||_2 <= 1/2.
  const Real tol = power_of_two(-static_cast<long>(bits) + 8);
  RC_ASSERT(mpfr_cmpabs(raw(ed.eigenvalues[0]), raw(tol)) <= 0);  // the zero eigenvalue
  for (std::size_t k = 1; k < n; ++k) {
    RC_ASSERT(mpfr_cmp(raw(ed.eigenvalues[k]), raw(tol)) > 0);  // the others: positive
    // Interlacing with the sorted p: p_(k-1) <= lambda_k <= p_(k) (0-based), within tol.
    RC_ASSERT(at_least(ed.eigenvalues[k], p[k - 1], tol, bits + 64));
    RC_ASSERT(at_least(p[k], ed.eigenvalues[k], tol, bits + 64));
  }
  // The zero eigenvector is (1, ..., 1) / sqrt(n) up to sign; its error is ~ 2^-bits / gap with
  // gap = lambda_1 >= p_min ~ 2^-need, i.e. ~ 2^-160.
  Real inv_sqrt_n;
  mpfr_set_prec(inv_sqrt_n.backend().data(), bits);
  mpfr_set_ui(inv_sqrt_n.backend().data(), static_cast<unsigned long>(n), MPFR_RNDN);
  mpfr_rec_sqrt(inv_sqrt_n.backend().data(), raw(inv_sqrt_n), MPFR_RNDN);
  const bool negative = mpfr_sgn(raw(ed.eigenvectors(0, 0))) < 0;
  const Real vec_tol = power_of_two(-140);
  for (Eigen::Index i = 0; i < static_cast<Eigen::Index>(n); ++i) {
    Real d;  // v_i -+ 1/sqrt(n), the sign following the vector's orientation
    mpfr_set_prec(d.backend().data(), bits + 64);
    if (negative)
      mpfr_add(d.backend().data(), raw(ed.eigenvectors(i, 0)), raw(inv_sqrt_n), MPFR_RNDN);
    else
      mpfr_sub(d.backend().data(), raw(ed.eigenvectors(i, 0)), raw(inv_sqrt_n), MPFR_RNDN);
    RC_ASSERT(mpfr_cmpabs(raw(d), raw(vec_tol)) <= 0);
  }
}

}  // namespace
}  // namespace softcheck
