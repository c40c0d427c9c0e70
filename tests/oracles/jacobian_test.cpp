// The Jacobian J = diag(p) - p p^T and its eigen-decomposition through Eigen over Real.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <vector>

#include "oracles/oracle.hpp"  // the umbrella header, compiled here once
#include "tests/oracles/support.hpp"

namespace softcheck::oracle {
namespace {

using test::Mp;
using test::raw;

// |v| <= 2^-k
bool tiny(const Real& v, long k) { return mpfr_zero_p(raw(v)) || mpfr_get_exp(raw(v)) <= -k; }

rc::Gen<std::vector<double>> moderate_row() {
  // p_i >= e^-12 / n: every eigenvalue but one is clearly positive at 256 bits.
  return rc::gen::mapcat(rc::gen::inRange<std::size_t>(2, 7), [](std::size_t n) {
    return rc::gen::container<std::vector<double>>(
        n, rc::gen::map(rc::gen::inRange(-(1 << 20), 1 << 20),
                        [](int m) { return std::ldexp(m, -20) * 6.0; }));
  });
}

RC_GTEST_PROP(JacobianOracle, SymmetricWithTheNullDirectionOfOnes, ()) {
  const auto x = *moderate_row();
  const unsigned bits = 256;
  const Matrix j = softmax_jacobian(x, bits);
  const auto n = static_cast<Eigen::Index>(x.size());
  const auto p = softmax(x, bits);
  for (Eigen::Index r = 0; r < n; ++r) {
    Mp row_sum(bits + 64);
    mpfr_set_zero(row_sum.get(), +1);
    for (Eigen::Index c = 0; c < n; ++c) {
      RC_ASSERT(mpfr_equal_p(raw(j(r, c)), raw(j(c, r))));  // symmetric, bit for bit
      mpfr_add(row_sum.get(), row_sum.get(), raw(j(r, c)), MPFR_RNDN);
      if (r != c) RC_ASSERT(mpfr_sgn(raw(j(r, c))) < 0);
    }
    RC_ASSERT(tiny(row_sum.real(), bits - 6));  // J 1 = p (1 - sum p) = 0 up to rounding
    RC_ASSERT(mpfr_sgn(raw(j(r, r))) > 0);
  }
}

RC_GTEST_PROP(JacobianOracle, OneZeroEigenvalueOnOnesTheRestPositive, ()) {
  const auto x = *moderate_row();
  const unsigned bits = 256;
  const auto n = static_cast<Eigen::Index>(x.size());
  const Matrix j = softmax_jacobian(x, bits);
  const EigenDecomposition ed = symmetric_eigen(j, bits);
  RC_ASSERT(ed.eigenvalues.size() == x.size());
  for (std::size_t k = 1; k < ed.eigenvalues.size(); ++k)
    RC_ASSERT(mpfr_lessequal_p(raw(ed.eigenvalues[k - 1]), raw(ed.eigenvalues[k])));  // ascending
  // Exactly one ~0 eigenvalue (|lambda| <= 2^-240, Eigen's accuracy is ~ n eps ||J||), the rest
  // positive and far from 0 (they interlace the p_i, which are >= e^-12 / 7 here).
  RC_ASSERT(tiny(ed.eigenvalues[0], 240));
  for (std::size_t k = 1; k < ed.eigenvalues.size(); ++k)
    RC_ASSERT(mpfr_cmp_d(raw(ed.eigenvalues[k]), 1e-7) > 0);
  // Its eigenvector is (1, ..., 1) / sqrt(n) up to sign.
  Mp inv_sqrt_n(bits);
  mpfr_set_ui(inv_sqrt_n.get(), static_cast<unsigned long>(n), MPFR_RNDN);
  mpfr_rec_sqrt(inv_sqrt_n.get(), inv_sqrt_n.get(), MPFR_RNDN);
  const double sign = mpfr_sgn(raw(ed.eigenvectors(0, 0))) < 0 ? -1.0 : 1.0;
  for (Eigen::Index i = 0; i < n; ++i) {
    Mp d(bits);
    mpfr_mul_d(d.get(), raw(ed.eigenvectors(i, 0)), sign, MPFR_RNDN);
    mpfr_sub(d.get(), d.get(), inv_sqrt_n.get(), MPFR_RNDN);
    RC_ASSERT(tiny(d.real(), 230));
  }
  // The trace is the sum of the eigenvalues, and V diag(lambda) V^T rebuilds J.
  Mp trace(bits + 64), eig_sum(bits + 64);
  mpfr_set_zero(trace.get(), +1);
  mpfr_set_zero(eig_sum.get(), +1);
  for (Eigen::Index i = 0; i < n; ++i) {
    mpfr_add(trace.get(), trace.get(), raw(j(i, i)), MPFR_RNDN);
    mpfr_add(eig_sum.get(), eig_sum.get(), raw(ed.eigenvalues[static_cast<std::size_t>(i)]),
             MPFR_RNDN);
  }
  mpfr_sub(trace.get(), trace.get(), eig_sum.get(), MPFR_RNDN);
  RC_ASSERT(tiny(trace.real(), 240));
  for (Eigen::Index r = 0; r < n; ++r)
    for (Eigen::Index c = 0; c < n; ++c) {
      Mp acc(bits + 64), t(bits + 64);
      mpfr_neg(acc.get(), raw(j(r, c)), MPFR_RNDN);
      for (Eigen::Index k = 0; k < n; ++k) {
        mpfr_mul(t.get(), raw(ed.eigenvectors(r, k)), raw(ed.eigenvectors(c, k)), MPFR_RNDN);
        mpfr_mul(t.get(), t.get(), raw(ed.eigenvalues[static_cast<std::size_t>(k)]), MPFR_RNDN);
        mpfr_add(acc.get(), acc.get(), t.get(), MPFR_RNDN);
      }
      RC_ASSERT(tiny(acc.real(), 240));
    }
}

TEST(JacobianOracle, TwoLogitsHaveEigenvaluesZeroAndTwiceP0P1) {
  const std::vector<double> x{0.75, -1.5};
  const unsigned bits = 200;
  const auto p = softmax(x, bits);
  const EigenDecomposition ed = symmetric_eigen(softmax_jacobian(x, bits), bits);
  Mp want(bits);
  mpfr_mul(want.get(), raw(p[0]), raw(p[1]), MPFR_RNDN);
  mpfr_mul_2ui(want.get(), want.get(), 1, MPFR_RNDN);
  EXPECT_TRUE(tiny(ed.eigenvalues[0], 190));
  EXPECT_TRUE(test::agree_to_bits(ed.eigenvalues[1], want.real(), 185));
}

TEST(JacobianOracle, OneHotRowsAreSingularBeyondRankOne) {
  // p = (1, 0): J = 0, both eigenvalues 0 (rank n - 1 needs every p_i > 0).
  const std::vector<double> x{0.0, -1e300};
  const EigenDecomposition ed = symmetric_eigen(softmax_jacobian(x, 120), 120);
  for (const Real& l : ed.eigenvalues) EXPECT_TRUE(tiny(l, 110));
  const Matrix undefined = softmax_jacobian(std::vector<double>{1.0, std::nan("")}, 120);
  EXPECT_TRUE(mpfr_nan_p(raw(undefined(0, 1))));
  EXPECT_THROW(symmetric_eigen(undefined, 120), std::domain_error);
}

}  // namespace
}  // namespace softcheck::oracle
