// Self-tests of the gradient references and of the exact sums they rest on.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "tests/oracles/support.hpp"

namespace softcheck::oracle {
namespace {

using test::Mp;
using test::raw;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Doubles over most of the exponent range, subnormals included: what exact sums must survive.
rc::Gen<double> wide_double() {
  return rc::gen::apply([](int m, int e) { return std::ldexp(m, e); },
                        rc::gen::inRange(-(1 << 30), 1 << 30), rc::gen::inRange(-1100, 990));
}

// A straightforward sum at 12000 bits: exact for every double (and every product of two doubles)
// in the ranges generated here, since they span less than 2^4400 / 2^-4400 and n < 2^10.
Real naive_sum(const std::vector<double>& a, const std::vector<double>* b = nullptr) {
  Mp sum(12000), t(12000);
  mpfr_set_zero(sum.get(), +1);
  for (std::size_t i = 0; i < a.size(); ++i) {
    mpfr_set_d(t.get(), a[i], MPFR_RNDN);
    if (b) mpfr_mul_d(t.get(), t.get(), (*b)[i], MPFR_RNDN);
    mpfr_add(sum.get(), sum.get(), t.get(), MPFR_RNDN);
  }
  return sum.real();
}

RC_GTEST_PROP(ExactSum, EqualsTheWideNaiveSum, ()) {
  const auto v = *rc::gen::container<std::vector<double>>(wide_double());
  RC_ASSERT(mpfr_equal_p(raw(exact_sum(v)), raw(naive_sum(v))));
}

RC_GTEST_PROP(ExactSum, DotEqualsTheWideNaiveDot, ()) {
  const auto n = *rc::gen::inRange<std::size_t>(0, 50);
  const auto a = *rc::gen::container<std::vector<double>>(n, wide_double());
  const auto b = *rc::gen::container<std::vector<double>>(n, wide_double());
  RC_ASSERT(mpfr_equal_p(raw(exact_dot(a, b)), raw(naive_sum(a, &b))));
}

TEST(ExactSum, CancellationAndSpecialValues) {
  // 1e300 + 1e-300 - 1e300 = 1e-300 exactly; double arithmetic gives 0.
  EXPECT_EQ(to_double(exact_sum(std::vector<double>{1e300, 1e-300, -1e300})), 1e-300);
  EXPECT_EQ(to_double(exact_sum(std::vector<double>{0x1p-1074, 0x1p1023, -0x1p1023})), 0x1p-1074);
  EXPECT_EQ(to_double(exact_sum(std::vector<double>{})), 0.0);
  EXPECT_EQ(to_double(exact_sum(std::vector<double>{1.0, kInf})), kInf);
  EXPECT_TRUE(std::isnan(to_double(exact_sum(std::vector<double>{kInf, -kInf}))));
  EXPECT_TRUE(std::isnan(to_double(exact_sum(std::vector<double>{1.0, kNaN}))));
  EXPECT_THROW(exact_dot(std::vector<double>{1.0}, std::vector<double>{}), std::invalid_argument);
}

TEST(SoftmaxBackwardOracle, ClosedFormsAndExactCentring) {
  // y = (1/4, 3/4), dy = (1, 0): <dy, y> = 1/4, dx = (3/16, -3/16) exactly.
  auto dx = softmax_backward(std::vector<double>{0.25, 0.75}, std::vector<double>{1.0, 0.0}, 64);
  EXPECT_EQ(mpfr_cmp_d(raw(dx[0]), 0.1875), 0);
  EXPECT_EQ(mpfr_cmp_d(raw(dx[1]), -0.1875), 0);
  // <dy, y> = 1e300 + 1e-300 exactly, so dx_0 = 1 * (1e300 - <dy, y>) = -1e-300, not 0.
  dx = softmax_backward(std::vector<double>{1.0, 1e-300}, std::vector<double>{1e300, 1.0}, 100);
  EXPECT_EQ(to_double(dx[0]), -1e-300);
  // The null direction: dy = c 1 with sum(y) = 1 exactly gives dx = 0 exactly.
  dx = softmax_backward(std::vector<double>{0.125, 0.375, 0.5}, std::vector<double>{3.7, 3.7, 3.7},
                        100);
  for (const Real& v : dx) EXPECT_TRUE(mpfr_zero_p(raw(v)));
  EXPECT_THROW(softmax_backward(std::vector<double>{1.0}, std::vector<double>{}, 64),
               std::invalid_argument);
  dx = softmax_backward(std::vector<double>{0.5, 0.5}, std::vector<double>{kInf, 1.0}, 64);
  EXPECT_TRUE(mpfr_nan_p(raw(dx[0])));                              // 0.5 * (inf - inf)
  EXPECT_TRUE(mpfr_inf_p(raw(dx[1])) && mpfr_signbit(raw(dx[1])));  // 0.5 * (1 - inf)
}

// The oracle rounds each dx_j once, to odd, from the exact value (computed here at 12000 bits,
// where everything generated is exact): so it is within one ulp at `bits` of it, on the same side
// of every shorter grid, and round_to_format gives exactly what MPFR's own conversions of the exact
// value give (mpfr_get_d, mpfr_get_flt), ties and subnormals included.
RC_GTEST_PROP(SoftmaxBackwardOracle, RoundsToEveryFormatLikeTheExactValue, ()) {
  const auto n = *rc::gen::inRange<std::size_t>(1, 20);
  const auto y = *rc::gen::container<std::vector<double>>(n, wide_double());
  const auto dy = *rc::gen::container<std::vector<double>>(n, wide_double());
  const unsigned bits = *rc::gen::inRange(55u, 300u);
  const auto dx = softmax_backward(y, dy, bits);
  const Real dot = naive_sum(dy, &y);
  for (std::size_t j = 0; j < n; ++j) {
    Mp want(12000), truncated(bits);
    mpfr_d_sub(want.get(), dy[j], raw(dot), MPFR_RNDN);
    mpfr_mul_d(want.get(), want.get(), y[j], MPFR_RNDN);
    mpfr_set(truncated.get(), want.get(), MPFR_RNDZ);
    const bool exact = mpfr_equal_p(truncated.get(), want.get());
    RC_ASSERT(exact == mpfr_equal_p(raw(dx[j]), want.get()));
    if (!exact) RC_ASSERT(mpfr_min_prec(raw(dx[j])) == static_cast<mpfr_prec_t>(bits));  // odd
    const double d = mpfr_get_d(want.get(), MPFR_RNDN);
    RC_ASSERT(round_to_format(dx[j], DType::f64) == d ||
              (std::isnan(d) && std::isnan(round_to_format(dx[j], DType::f64))));
    RC_ASSERT(round_to_format(dx[j], DType::f32) ==
              static_cast<double>(mpfr_get_flt(want.get(), MPFR_RNDN)));
  }
}

// Ties on purpose. y = (1, 2^-100, 2^-153), dy = (0, -2^-100, -2^-100): <dy, y> =
// -(2^-200 + 2^-253) and dx_0 = 2^-200 (1 + 2^-53), exactly halfway between two doubles: ties to
// even give 2^-200. A fourth term (2^-200 * -2^-200) puts dx_0 2^-400 above the tie: a
// round-to-nearest reference at 120 bits would drop the 2^-400 and the final rounding would go
// down to even, the wrong way; the round-to-odd one keeps it above and rounds up.
TEST(SoftmaxBackwardOracle, TailsBeyondTheWorkingPrecisionDecideTies) {
  auto dx = softmax_backward(std::vector<double>{1.0, 0x1p-100, 0x1p-153},
                             std::vector<double>{0.0, -0x1p-100, -0x1p-100}, 120);
  EXPECT_EQ(round_to_format(dx[0], DType::f64), 0x1p-200);
  dx = softmax_backward(std::vector<double>{1.0, 0x1p-100, 0x1p-153, 0x1p-200},
                        std::vector<double>{0.0, -0x1p-100, -0x1p-100, -0x1p-200}, 120);
  EXPECT_EQ(round_to_format(dx[0], DType::f64), 0x1.0000000000001p-200);
}

RC_GTEST_PROP(SoftmaxBackwardOracle, IgnoresConstantShiftsOfDyWhenYSumsToOne, ()) {
  // y: dyadic shares whose sum is exactly 1; dy on a grid where dy + c is exact. Then
  // dy_j + c - <dy + c 1, y> = dy_j - <dy, y> exactly, and so is dx.
  const auto n = *rc::gen::inRange<std::size_t>(1, 12);
  const auto shares = *rc::gen::container<std::vector<int>>(n, rc::gen::inRange(1, 1000));
  const int c = *rc::gen::inRange(-1000, 1000);
  std::vector<double> y, dy, shifted;
  double sum = 0;
  for (int s : shares) {
    y.push_back(std::ldexp(s, -20));
    sum += y.back();  // exact: fewer than 2^14 multiples of 2^-20
  }
  y.back() += 1.0 - sum;  // exact; the row sums to exactly 1 and y.back() > 0
  for (std::size_t i = 0; i < n; ++i) {
    dy.push_back(std::ldexp(*rc::gen::inRange(-(1 << 20), 1 << 20), -10));
    shifted.push_back(dy.back() + c);
  }
  const auto a = softmax_backward(y, dy, 100), b = softmax_backward(y, shifted, 100);
  for (std::size_t i = 0; i < n; ++i) RC_ASSERT(mpfr_equal_p(raw(a[i]), raw(b[i])));
}

// Cross-entropy with two logits, label 0: the loss is softplus(d) = log1p(exp(d)), d = x1 - x0,
// and dx1 = logistic(d) = 1 / (1 + exp(-d)), straight in MPFR. For d > 0 softplus is taken as
// d + log1p(exp(-d)) so that exp(1e300) does not overflow the reference itself.
RC_GTEST_PROP(CrossEntropyOracle, TwoLogitsAreTheSoftplus, ()) {
  const auto x = *test::row(2, 2, false);
  const unsigned bits = 200;
  Mp d(2200), e(400), loss(400), p1(400);
  mpfr_set_d(d.get(), x[1], MPFR_RNDN);
  mpfr_sub_d(d.get(), d.get(), x[0], MPFR_RNDN);  // exact
  const bool positive = mpfr_sgn(d.get()) > 0;
  mpfr_abs(e.get(), d.get(), MPFR_RNDN);
  mpfr_neg(e.get(), e.get(), MPFR_RNDN);
  mpfr_exp(e.get(), e.get(), MPFR_RNDN);  // exp(-|d|)
  mpfr_log1p(loss.get(), e.get(), MPFR_RNDN);
  if (positive) mpfr_add(loss.get(), loss.get(), d.get(), MPFR_RNDN);
  mpfr_neg(p1.get(), d.get(), MPFR_RNDN);
  mpfr_exp(p1.get(), p1.get(), MPFR_RNDN);
  mpfr_add_ui(p1.get(), p1.get(), 1, MPFR_RNDN);
  mpfr_ui_div(p1.get(), 1, p1.get(), MPFR_RNDN);
  const CrossEntropy ce = cross_entropy(x, 0, bits);
  // Below MPFR's exponent range the reference here underflows to 0 while the oracle keeps the
  // smallest MPFR number (its exps round to odd): both round to 0 in every format.
  if (mpfr_zero_p(p1.get())) {
    const bool loss_ok = mpfr_zero_p(loss.get())
                             ? mpfr_get_exp(raw(ce.loss)) <= mpfr_get_emin() + 1
                             : test::agree_to_bits(ce.loss, loss.real(), bits - 3);
    RC_ASSERT(loss_ok);
    RC_ASSERT(mpfr_get_exp(raw(ce.dx[1])) <= mpfr_get_emin() + 1);
    return;
  }
  RC_ASSERT(test::agree_to_bits(ce.loss, loss.real(), bits - 3));
  RC_ASSERT(test::agree_to_bits(ce.dx[1], p1.real(), bits - 3));
  Mp minus_p1(400);
  mpfr_neg(minus_p1.get(), p1.get(), MPFR_RNDN);
  RC_ASSERT(test::agree_to_bits(ce.dx[0], minus_p1.real(), bits - 3));  // p0 - 1 = -p1
}

RC_GTEST_PROP(CrossEntropyOracle, MatchesLogSoftmaxAndSoftmax, ()) {
  const auto x = *test::row(1, 30, false);
  const auto label = *rc::gen::inRange<int64_t>(0, static_cast<int64_t>(x.size()));
  const DType out = *test::dtype();
  const unsigned bits = working_bits(out, x.size());
  const CrossEntropy ce = cross_entropy(x, label, bits);
  const auto l = log_softmax(x, bits), p = softmax(x, bits);
  Real minus_l = l[static_cast<std::size_t>(label)];
  mpfr_neg(minus_l.backend().data(), raw(minus_l), MPFR_RNDN);
  // Equal values (0 - 0 gives +0 in the loss and -(+0) in -l: compare values, not zero signs).
  RC_ASSERT(round_to_format(ce.loss, out) == round_to_format(minus_l, out));
  RC_ASSERT(mpfr_sgn(raw(ce.loss)) >= 0);
  Mp sum(4000);
  std::vector<Real> copies = ce.dx;
  std::vector<mpfr_ptr> terms;
  for (Real& c : copies) terms.push_back(c.backend().data());
  mpfr_sum(sum.get(), terms.data(), terms.size(), MPFR_RNDN);
  // sum(dx) = 0 up to the oracle's own rounding (dx_i relative error <= 6 * 2^-bits, sum |dx_i| <=
  // 2)
  RC_ASSERT(mpfr_zero_p(sum.get()) || mpfr_get_exp(sum.get()) <= -static_cast<long>(bits) + 4);
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (static_cast<int64_t>(i) == label) {
      RC_ASSERT(mpfr_cmp_si(raw(ce.dx[i]), -1) >= 0 && mpfr_sgn(raw(ce.dx[i])) <= 0);
    } else {
      RC_ASSERT(mpfr_equal_p(raw(ce.dx[i]), raw(p[i])));
    }
  }
}

TEST(CrossEntropyOracle, LargeMarginsKeepTheirRelativeAccuracy) {
  // loss = log1p(exp(-1000)) ~ 5e-435 and dx[0] = -exp(-1000) / (1 + exp(-1000)): p - 1 or
  // log(sum) at 200 bits would give 0 for both.
  const CrossEntropy ce = cross_entropy(std::vector<double>{0.0, -1000.0}, 0, 200);
  Mp e(400, -1000.0), loss(400), dx0(400);
  mpfr_exp(e.get(), e.get(), MPFR_RNDN);
  mpfr_log1p(loss.get(), e.get(), MPFR_RNDN);
  mpfr_add_ui(dx0.get(), e.get(), 1, MPFR_RNDN);
  mpfr_div(dx0.get(), e.get(), dx0.get(), MPFR_RNDN);
  mpfr_neg(dx0.get(), dx0.get(), MPFR_RNDN);
  EXPECT_TRUE(test::agree_to_bits(ce.loss, loss.real(), 197));
  EXPECT_TRUE(test::agree_to_bits(ce.dx[0], dx0.real(), 197));
}

TEST(CrossEntropyOracle, SpecialValuesAndLabels) {
  CrossEntropy ce = cross_entropy(std::vector<double>{1.0, -kInf, 2.0}, 1, 100);
  EXPECT_TRUE(mpfr_inf_p(raw(ce.loss)) && mpfr_sgn(raw(ce.loss)) > 0);
  EXPECT_EQ(mpfr_cmp_si(raw(ce.dx[1]), -1), 0);
  ce = cross_entropy(std::vector<double>{1.0, kNaN}, 0, 100);
  EXPECT_TRUE(mpfr_nan_p(raw(ce.loss)));
  for (const Real& v : ce.dx) EXPECT_TRUE(mpfr_nan_p(raw(v)));
  ce = cross_entropy(std::vector<double>{-kInf, -kInf}, 0, 100);
  EXPECT_TRUE(mpfr_nan_p(raw(ce.loss)));
  ce = cross_entropy(std::vector<double>{5.0}, 0, 100);  // n = 1: p = 1, loss 0, dx 0
  EXPECT_TRUE(mpfr_zero_p(raw(ce.loss)));
  EXPECT_TRUE(mpfr_zero_p(raw(ce.dx[0])));
  EXPECT_THROW(cross_entropy(std::vector<double>{1.0, 2.0}, 2, 100), std::out_of_range);
  EXPECT_THROW(cross_entropy(std::vector<double>{1.0, 2.0}, -1, 100), std::out_of_range);
}

}  // namespace
}  // namespace softcheck::oracle
