// Self-tests of the forward references: precision independence, closed forms, offsets, special
// values, log-softmax and log-sum-exp against independent MPFR formulas, temperature.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "tests/oracles/support.hpp"

namespace softcheck::oracle {
namespace {

using test::Mp;
using test::raw;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The classification of a row for RC_CLASSIFY.
double row_offset(const std::vector<double>& x) {
  double m = -kInf;
  for (double v : x) m = std::max(m, v);
  return m;
}

RC_GTEST_PROP(SoftmaxOracle, WorkingBitsAndHundredMoreRoundAlike, ()) {
  const auto x = *test::row(1, 40, true);
  const DType out = *test::dtype();
  RC_CLASSIFY(std::fabs(row_offset(x)) >= 1e7, "offset >= 1e7");
  RC_CLASSIFY(std::isinf(row_offset(x)), "all masked");
  const unsigned bits = working_bits(out, x.size());
  const auto lo = softmax(x, bits), hi = softmax(x, bits + 100);
  const auto llo = log_softmax(x, bits), lhi = log_softmax(x, bits + 100);
  for (std::size_t i = 0; i < x.size(); ++i) {
    RC_ASSERT(test::same_after_rounding(lo[i], hi[i], out));
    RC_ASSERT(test::same_after_rounding(llo[i], lhi[i], out));
  }
  RC_ASSERT(test::same_after_rounding(logsumexp(x, bits), logsumexp(x, bits + 100), out));
}

RC_GTEST_PROP(SoftmaxOracle, ResultsCarryTheRequestedPrecision, ()) {
  const auto x = *test::row(1, 10, true);
  const unsigned bits = *rc::gen::inRange(30u, 400u);
  for (const Real& p : softmax(x, bits)) RC_ASSERT(mpfr_get_prec(raw(p)) == bits);
  for (const Real& l : log_softmax(x, bits)) RC_ASSERT(mpfr_get_prec(raw(l)) == bits);
  RC_ASSERT(mpfr_get_prec(raw(logsumexp(x, bits))) == bits);
}

RC_GTEST_PROP(SoftmaxOracle, SumsToOneWithinItsErrorBound, ()) {
  const auto x = *test::row(1, 64, true);
  RC_PRE(!std::isinf(row_offset(x)));
  const unsigned bits = 200;
  const auto p = softmax(x, bits);
  Mp sum(4000), err(64);
  std::vector<mpfr_ptr> terms;
  std::vector<Real> copies = p;
  for (Real& c : copies) terms.push_back(c.backend().data());
  mpfr_sum(sum.get(), terms.data(), terms.size(), MPFR_RNDN);
  mpfr_sub_ui(err.get(), sum.get(), 1, MPFR_RNDN);
  // Each p_i has relative error <= 5 * 2^-bits (softmax.hpp), so the sum is within 5 * 2^-bits.
  RC_ASSERT(mpfr_cmpabs_ui(err.get(), 0) == 0 ||
            mpfr_get_exp(err.get()) <= -static_cast<long>(bits) + 3);
}

TEST(SoftmaxOracle, SingleElementIsExactlyOne) {
  for (double x :
       {0.0, -3.5, 1e-310, 88.72283935546875, 1e7, -1e7, 1e300, -1e300, 1.7976931348623157e308}) {
    const auto p = softmax(std::vector<double>{x}, 120);
    ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(mpfr_cmp_ui(raw(p[0]), 1), 0) << x;
  }
}

TEST(SoftmaxOracle, KEqualLogitsGiveOneOverKRoundedOnce) {
  for (DType out : kAllDTypes) {
    for (std::size_t k = 1; k <= 70; ++k) {
      for (double v : {0.0, 2.5, -1e7, 1e300}) {
        const std::vector<double> x(k, v);
        const auto p = softmax(x, working_bits(out, k));
        Mp want(format_of(out).precision);  // 1/k is a normal number in every format: one rounding
        mpfr_ui_div(want.get(), 1, Mp(64, static_cast<double>(k)).get(), MPFR_RNDN);
        for (const Real& pi : p)
          ASSERT_EQ(round_to_format(pi, out), mpfr_get_d(want.get(), MPFR_RNDN)) << k;
        if ((k & (k - 1)) == 0) {  // a power of two: 1/k is exact even before rounding
          for (const Real& pi : p) ASSERT_EQ(mpfr_cmp_d(raw(pi), 1.0 / static_cast<double>(k)), 0);
        }
      }
    }
  }
}

// n = 2 is the logistic function 1/(1 + exp(x2 - x1)), computed here straight with MPFR.
RC_GTEST_PROP(SoftmaxOracle, TwoLogitsAreTheLogisticFunction, ()) {
  const auto x = *test::row(2, 2, false);
  const DType out = *test::dtype();
  Mp diff(2200), e(400), want(400);
  mpfr_set_d(diff.get(), x[1], MPFR_RNDN);
  mpfr_sub_d(diff.get(), diff.get(), x[0], MPFR_RNDN);  // exact in 2200 bits
  mpfr_exp(e.get(), diff.get(), MPFR_RNDN);
  mpfr_add_ui(e.get(), e.get(), 1, MPFR_RNDN);
  mpfr_ui_div(want.get(), 1, e.get(), MPFR_RNDN);
  const auto p = softmax(x, working_bits(out, 2));
  RC_ASSERT(test::same_after_rounding(p[0], want.real(), out));
  // Below MPFR's exponent range the reference here underflows to 0 while the oracle keeps the
  // smallest MPFR number (its exps round to odd); both round to 0 in every format.
  if (mpfr_zero_p(want.get())) {
    RC_ASSERT(mpfr_get_exp(raw(p[0])) <= mpfr_get_emin() + 1);
    return;
  }
  RC_ASSERT(test::agree_to_bits(p[0], want.real(), working_bits(out, 2) - 3));
}

TEST(SoftmaxOracle, ExactShiftsOfOneMillionAndMoreChangeNothing) {
  // Logits that are multiples of 2^-20 below 2^3: adding +-1e7 (< 2^24) is exact in double.
  const std::vector<double> base{0.5, -1.25, 3.0, 0x1.5p-20, -7.75};
  const auto want = softmax(base, 200);
  for (double c : {1e7, -1e7}) {
    std::vector<double> shifted = base;
    for (double& v : shifted) v += c;
    const auto got = softmax(shifted, 200);
    for (std::size_t i = 0; i < base.size(); ++i)
      EXPECT_TRUE(test::agree_to_bits(got[i], want[i], 195)) << c << " " << i;
  }
}

TEST(SoftmaxOracle, HugeOffsetsKeepTiesAndSaturate) {
  const double big = 1e300, up = std::nextafter(big, kInf);
  // Ties at 1e300 share equally; one ulp of 1e300 (~1.5e284) apart is a certain one-hot.
  auto p = softmax(std::vector<double>{big, big, big, big}, 120);
  for (const Real& v : p) EXPECT_EQ(mpfr_cmp_d(raw(v), 0.25), 0);
  p = softmax(std::vector<double>{big, up}, 120);
  // The exact values stay inside (0, 1): the oracle keeps exps below MPFR's range positive
  // (rounded to odd), so the share of the max is below 1, in the binade of the exact value, and
  // rounds to 1.
  EXPECT_EQ(round_to_format(p[0], DType::f64), 0.0);
  EXPECT_LT(mpfr_cmp_ui(raw(p[1]), 1), 0);
  EXPECT_EQ(round_to_format(p[1], DType::f64), 1.0);
  p = softmax(std::vector<double>{-big, -big, big}, 120);
  EXPECT_EQ(round_to_format(p[0], DType::f64), 0.0);
  EXPECT_LT(mpfr_cmp_ui(raw(p[2]), 1), 0);
  EXPECT_EQ(round_to_format(p[2], DType::f64), 1.0);
  p = softmax(std::vector<double>{-1e300, -1e300}, 120);
  EXPECT_EQ(mpfr_cmp_d(raw(p[0]), 0.5), 0);
  // Offset 1e7 with a spread of 1: the logistic value survives (a float kernel's bug class).
  p = softmax(std::vector<double>{-1e7, -1e7 + 1}, 200);
  Mp want(200), e(200, -1.0);
  mpfr_exp(e.get(), e.get(), MPFR_RNDN);
  mpfr_add_ui(e.get(), e.get(), 1, MPFR_RNDN);
  mpfr_ui_div(want.get(), 1, e.get(), MPFR_RNDN);
  EXPECT_TRUE(test::agree_to_bits(p[1], want.real(), 196));
}

// The exact results here are a dyadic that is an f32 midpoint (100 + 2^-18 lies halfway between
// 100 and 100 + 2^-17) plus or minus a tail log1p(e^-100) ~ 2^-144, far below the 90 working bits.
// A reference rounded to nearest at 90 bits would return the midpoint itself, and ties-to-even
// would then pick 100; rounding to odd keeps the tail's side (found by the precision property).
TEST(SoftmaxOracle, DominantLogitTailsDecideTies) {
  const double mid = 100 + 0x1p-18, above = 100 + 0x1p-17;
  const unsigned bits = working_bits(DType::f32, 2);
  ASSERT_EQ(round_to(DType::f32, mid), 100.0);  // a tie, broken to even
  // log_softmax = -(100 + 2^-18) - log1p(e^-(100 + 2^-18)): just beyond the midpoint.
  EXPECT_EQ(round_to_format(log_softmax(std::vector<double>{0.0, -mid}, bits)[1], DType::f32),
            -above);
  // loss at the small logit: the same value, positive.
  EXPECT_EQ(
      round_to_format(cross_entropy(std::vector<double>{0.0, -mid}, 1, bits).loss, DType::f32),
      above);
  // lse = (100 + 2^-18) + log1p(e^-(200 + 2^-18)): just above the midpoint.
  EXPECT_EQ(round_to_format(logsumexp(std::vector<double>{mid, -100.0}, bits), DType::f32), above);
}

TEST(SoftmaxOracle, MaskedEntriesAreExactlyZeroAndChangeNothingElse) {
  const std::vector<double> x{1.0, -kInf, 0.25, -kInf, -3.0};
  const std::vector<double> kept{1.0, 0.25, -3.0};
  const auto p = softmax(x, 150), q = softmax(kept, 150);
  EXPECT_TRUE(mpfr_zero_p(raw(p[1])) && !mpfr_signbit(raw(p[1])));
  EXPECT_TRUE(mpfr_zero_p(raw(p[3])));
  EXPECT_TRUE(mpfr_equal_p(raw(p[0]), raw(q[0])));
  EXPECT_TRUE(mpfr_equal_p(raw(p[2]), raw(q[1])));
  EXPECT_TRUE(mpfr_equal_p(raw(p[4]), raw(q[2])));
  const auto l = log_softmax(x, 150);
  EXPECT_TRUE(mpfr_inf_p(raw(l[1])) && mpfr_signbit(raw(l[1])));
}

TEST(SoftmaxOracle, UndefinedRowsGiveNaNEverywhere) {
  const std::vector<std::vector<double>> rows{
      {-kInf, -kInf, -kInf}, {1.0, kNaN, 2.0}, {1.0, kInf, 2.0}, {kInf, kInf}, {-kInf, kNaN}};
  for (const auto& x : rows) {
    for (const Real& v : softmax(x, 100)) EXPECT_TRUE(mpfr_nan_p(raw(v)));
    for (const Real& v : log_softmax(x, 100)) EXPECT_TRUE(mpfr_nan_p(raw(v)));
    for (const Real& v : softmax_temp(x, 0.5, 100)) EXPECT_TRUE(mpfr_nan_p(raw(v)));
  }
  EXPECT_TRUE(softmax(std::vector<double>{}, 100).empty());
}

TEST(SoftmaxOracle, LogSumExpSpecialValues) {
  auto lse = [](std::vector<double> x) { return to_double(logsumexp(x, 120)); };
  EXPECT_TRUE(std::isnan(lse({1.0, kNaN, kInf})));
  EXPECT_EQ(lse({1.0, kInf, -kInf}), kInf);
  EXPECT_EQ(lse({-kInf, -kInf}), -kInf);
  EXPECT_EQ(lse({}), -kInf);
  EXPECT_EQ(lse({-2.5, -kInf}), -2.5);
  EXPECT_EQ(lse({1e300}), 1e300);
}

// lse = log(sum exp(x_i)) straight in MPFR at 3000 bits, exponentials of exact arguments.
Real independent_lse(const std::vector<double>& x) {
  Mp sum(3000), t(3000);
  mpfr_set_zero(sum.get(), +1);
  for (double v : x) {
    mpfr_set_d(t.get(), v, MPFR_RNDN);
    mpfr_exp(t.get(), t.get(), MPFR_RNDN);
    mpfr_add(sum.get(), sum.get(), t.get(), MPFR_RNDN);
  }
  mpfr_log(sum.get(), sum.get(), MPFR_RNDN);
  return sum.real();
}

TEST(SoftmaxOracle, LogSumExpStaysAccurateWhereItCancels) {
  // x = -fl(ln 2) twice: lse = ln 2 - fl(ln 2) ~ 2e-17, the sum max + log1p(...) cancels 56 bits.
  const double ln2 = 0x1.62e42fefa39efp-1;
  for (const std::vector<double>& x : {std::vector<double>{-ln2, -ln2},
                                       {-ln2 - 0x1p-40, -ln2},
                                       {-std::log(3.0), -std::log(3.0), -std::log(3.0)}}) {
    const Real got = logsumexp(x, 120), want = independent_lse(x);
    EXPECT_LT(std::fabs(to_double(want)), 1e-10);
    EXPECT_TRUE(test::agree_to_bits(got, want, 117))
        << to_hex_full(got) << " vs " << to_hex_full(want);
  }
}

RC_GTEST_PROP(SoftmaxOracle, LogSumExpMatchesTheDirectFormula, ()) {
  auto x = *test::row(1, 12, true);
  for (double& v : x)  // the direct formula needs exp(x) in MPFR's exponent range
    if (std::isfinite(v)) v = std::fmod(v, 1e6);
  RC_PRE(!std::isinf(row_offset(x)));
  const Real got = logsumexp(x, 150);
  RC_ASSERT(test::agree_to_bits(got, independent_lse(x), 146));
  // max <= lse <= max + ln n (error-model.md)
  const double m = row_offset(x);
  RC_ASSERT(mpfr_cmp_d(raw(got), m) >= 0);
  RC_ASSERT(to_double(got) <=
            m + std::log(static_cast<double>(x.size())) + 1e-14 * (std::fabs(m) + 1));
}

RC_GTEST_PROP(SoftmaxOracle, LogSoftmaxIsTheLogOfSoftmax, ()) {
  const auto x = *test::row(1, 30, true);
  RC_PRE(!std::isinf(row_offset(x)));
  const unsigned bits = 300;
  const auto p = softmax(x, bits), l = log_softmax(x, bits);
  for (std::size_t i = 0; i < x.size(); ++i) {
    // Masked, or exp below MPFR's range (kept as the smallest MPFR number): l is hugely negative.
    if (mpfr_zero_p(raw(p[i])) || mpfr_get_exp(raw(p[i])) <= mpfr_get_emin() + 1) {
      RC_ASSERT(mpfr_cmp_si(raw(l[i]), -700000000) < 0 || mpfr_inf_p(raw(l[i])));
      continue;
    }
    Mp logp(bits);
    mpfr_log(logp.get(), raw(p[i]), MPFR_RNDN);
    // log(p) carries p's relative error (<= 5 * 2^-bits) as an absolute one; l has 5 * 2^-bits.
    Mp diff(bits + 64), tol(64);
    mpfr_sub(diff.get(), logp.get(), raw(l[i]), MPFR_RNDN);
    mpfr_abs(tol.get(), raw(l[i]), MPFR_RNDN);
    mpfr_add_ui(tol.get(), tol.get(), 1, MPFR_RNDN);
    mpfr_mul_2si(tol.get(), tol.get(), -static_cast<long>(bits) + 4, MPFR_RNDN);
    RC_ASSERT(mpfr_cmpabs(diff.get(), tol.get()) <= 0);
    RC_ASSERT(mpfr_sgn(raw(l[i])) <= 0);  // a log-probability is never positive
  }
}

TEST(SoftmaxOracle, TemperatureDividesExactly) {
  // x_i = 3 k_i: softmax(x / 3) = softmax(k) with no rounding in the division.
  const std::vector<double> k{1.0, -2.0, 0.5, 4.0, -7.0};
  std::vector<double> x;
  for (double v : k) x.push_back(3 * v);
  for (DType out : kAllDTypes) {
    const unsigned bits = working_bits(out, x.size());
    const auto got = softmax_temp(x, 3.0, bits), want = softmax(k, bits);
    for (std::size_t i = 0; i < x.size(); ++i)
      EXPECT_TRUE(test::same_after_rounding(got[i], want[i], out));
  }
  // 0.1 is not exact: x / 0.1 in double rounds, the oracle does not (x = 1e7: quotient ~1e8).
  const std::vector<double> y{1e7, 1e7 - 1};
  const auto p = softmax_temp(y, 0.1, 200);
  Mp d(200), tau(200, 0.1), e(200), want(200);
  mpfr_set_si(d.get(), -1, MPFR_RNDN);
  mpfr_div(d.get(), d.get(), tau.get(), MPFR_RNDN);  // -1 / 0.1000000000000000055...
  mpfr_exp(e.get(), d.get(), MPFR_RNDN);
  mpfr_add_ui(want.get(), e.get(), 1, MPFR_RNDN);
  mpfr_div(want.get(), e.get(), want.get(), MPFR_RNDN);
  EXPECT_TRUE(test::agree_to_bits(p[1], want.real(), 194));
}

RC_GTEST_PROP(SoftmaxOracle, TemperatureOfAPowerOfTwoIsSoftmaxOfTheScaledRow, ()) {
  const auto x = *test::row(1, 20, true);
  const int k = *rc::gen::inRange(-30, 30);
  const double tau = std::ldexp(1.0, k);
  std::vector<double> scaled;
  for (double v : x) scaled.push_back(v / tau);  // exact unless it over/underflows
  for (std::size_t i = 0; i < x.size(); ++i)
    RC_PRE(scaled[i] * tau == x[i] && std::isfinite(scaled[i]) == std::isfinite(x[i]));
  const DType out = *test::dtype();
  const unsigned bits = working_bits(out, x.size());
  const auto got = softmax_temp(x, tau, bits), want = softmax(scaled, bits);
  for (std::size_t i = 0; i < x.size(); ++i)
    RC_ASSERT(test::same_after_rounding(got[i], want[i], out));
}

TEST(SoftmaxOracle, TemperatureLimits) {
  const std::vector<double> x{1.0, 3.0, -2.0, 3.0, -kInf};
  // tau -> inf: uniform over the finite entries; tau = inf is the limit itself.
  auto p = softmax_temp(x, kInf, 100);
  for (int i : {0, 1, 2, 3}) EXPECT_EQ(mpfr_cmp_d(raw(p[i]), 0.25), 0);
  EXPECT_TRUE(mpfr_zero_p(raw(p[4])));
  p = softmax_temp(x, 1e300, 100);
  for (int i : {0, 1, 2, 3}) EXPECT_EQ(round_to_format(p[i], DType::f64), 0.25);
  // tau -> 0: the tied maxima share just below 1/2 each (the rest are tiny, not 0), the rest vanish.
  p = softmax_temp(x, 1e-300, 100);
  for (int i : {1, 3}) {
    EXPECT_LT(mpfr_cmp_d(raw(p[i]), 0.5), 0);
    EXPECT_EQ(round_to_format(p[i], DType::f64), 0.5);
  }
  EXPECT_EQ(round_to_format(p[0], DType::f64), 0.0);
  EXPECT_EQ(round_to_format(p[2], DType::f64), 0.0);
  EXPECT_THROW(softmax_temp(x, 0.0, 100), std::invalid_argument);
  EXPECT_THROW(softmax_temp(x, -1.0, 100), std::invalid_argument);
  EXPECT_THROW(softmax_temp(x, kNaN, 100), std::invalid_argument);
}

}  // namespace
}  // namespace softcheck::oracle
