// The error metrics: both ulp conventions on correctly rounded and off-by-k results, the floored
// ulp of subnormal outputs, relative/absolute error, and class comparison of non-finite values.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <limits>

#include "tests/oracles/support.hpp"

namespace softcheck::oracle {
namespace {

using test::Mp;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A 120-bit value num/den * 2^e (a non-dyadic fraction unless den is a power of two).
Real fraction(long num, long den, long e) {
  Mp v(120);
  mpfr_set_si(v.get(), num, MPFR_RNDN);
  mpfr_div_si(v.get(), v.get(), den, MPFR_RNDN);
  mpfr_mul_2si(v.get(), v.get(), e, MPFR_RNDN);
  return v.real();
}

RC_GTEST_PROP(ErrorMetrics, CorrectlyRoundedScoresZeroAndAtMostHalf, ()) {
  const DType t = *test::dtype();
  const Format f = format_of(t);
  const long num = *rc::gen::inRange<long>(-(1L << 40), 1L << 40);
  const long den = *rc::gen::inRange<long>(1, 1L << 20);
  const long e = *rc::gen::inRange<long>(f.emin - f.precision - 30, f.emax - 40);
  const Real exact = fraction(num, den, e);
  const double r = round_to_format(exact, t);
  RC_PRE(std::isfinite(r));
  RC_CLASSIFY(r != 0 && std::fabs(r) < min_normal(t), "subnormal");
  const ErrorMetrics m = compare(r, exact, t);
  RC_ASSERT(!m.class_mismatch);
  RC_ASSERT(m.ulps_vs_rounded == 0.0);
  RC_ASSERT(m.ulps_vs_exact <= 0.5);
  RC_ASSERT(std::fabs(m.signed_ulps) == m.ulps_vs_exact);
  // One step away from the correct rounding: exactly 1 ulp vs r (same binade), 0.5..1.5 vs exact.
  const double up = next_up(t, r);
  RC_PRE(std::isfinite(up) && ulp(t, up) == ulp(t, r) && ulp_of_exact(exact, t) == ulp(t, r));
  const ErrorMetrics n = compare(up, exact, t);
  RC_ASSERT(n.ulps_vs_rounded == 1.0);
  RC_ASSERT(n.ulps_vs_exact >= 0.5 && n.ulps_vs_exact <= 1.5);
  RC_ASSERT(n.signed_ulps > 0);
}

TEST(ErrorMetrics, HalfwayExactValues) {
  // bf16: 1 + 2^-8 lies halfway between 1 and 1 + 2^-7; ties to even give 1.
  const Real tie = fraction(257, 256, 0);
  ErrorMetrics m = compare(1.0, tie, DType::bf16);
  EXPECT_EQ(m.ulps_vs_rounded, 0.0);
  EXPECT_EQ(m.ulps_vs_exact, 0.5);
  EXPECT_EQ(m.signed_ulps, -0.5);
  m = compare(1.0 + 0x1p-7, tie, DType::bf16);
  EXPECT_EQ(m.ulps_vs_rounded, 1.0);
  EXPECT_EQ(m.ulps_vs_exact, 0.5);
  EXPECT_EQ(m.signed_ulps, 0.5);
  EXPECT_EQ(m.abs, 0x1p-8);
  EXPECT_DOUBLE_EQ(m.rel, 1.0 / 257);
}

TEST(ErrorMetrics, SubnormalOutputsUseTheFlooredUlp) {
  // f32: exact 3.3 * 2^-149 (3.3 = 33/10), got 3 * 2^-149: 0.3 ulp of 2^-149, not of some
  // smaller subnormal binade.
  const Real exact = fraction(33, 10, -149);
  ErrorMetrics m = compare(3 * 0x1p-149, exact, DType::f32);
  EXPECT_EQ(m.ulps_vs_rounded, 0.0);
  EXPECT_NEAR(m.ulps_vs_exact, 0.3, 1e-15);
  EXPECT_NEAR(m.signed_ulps, -0.3, 1e-15);
  EXPECT_NEAR(m.rel, 0.3 / 3.3, 1e-15);
  EXPECT_NEAR(m.abs, 0.3 * 0x1p-149, 1e-15 * 0x1p-149);
  // f16: ulp below 2^-14 is 2^-24. Exact 0.75 * 2^-24 rounds to 2^-24; got 0 is 0.75 ulp off.
  m = compare(0.0, fraction(3, 4, -24), DType::f16);
  EXPECT_EQ(m.ulps_vs_exact, 0.75);
  EXPECT_EQ(m.ulps_vs_rounded, 1.0);
  EXPECT_EQ(m.rel, 1.0);
  // An exact value far below the smallest subnormal still measures in denorm_min units.
  m = compare(0x1p-1074, fraction(1, 3, -1100), DType::f64);
  EXPECT_NEAR(m.ulps_vs_exact, 1.0, 1e-6);
  EXPECT_EQ(m.ulps_vs_rounded, 1.0);
  EXPECT_DOUBLE_EQ(ulp_of_exact(fraction(1, 3, -1100), DType::f64), 0x1p-1074);
  EXPECT_EQ(ulp_of_exact(exact, DType::f32), ulp(DType::f32, 3.3 * 0x1p-149));
  EXPECT_EQ(ulp_of_exact(fraction(5, 4, 10), DType::f16), ulp(DType::f16, 1280.0));
}

TEST(ErrorMetrics, ZerosAndSigns) {
  const Real zero = exact(0.0);
  ErrorMetrics m = compare(0.0, zero, DType::f32);
  EXPECT_EQ(m.ulps_vs_exact, 0.0);
  EXPECT_EQ(m.rel, 0.0);
  m = compare(-0x1p-149, zero, DType::f32);
  EXPECT_EQ(m.ulps_vs_exact, 1.0);
  EXPECT_EQ(m.signed_ulps, -1.0);
  EXPECT_EQ(m.rel, kInf);
}

TEST(ErrorMetrics, NonFiniteValuesAreComparedByClass) {
  Mp nan(53);
  Mp pos_inf(53), huge(100, 1e39);
  mpfr_set_inf(pos_inf.get(), +1);
  ErrorMetrics m = compare(kNaN, nan.real(), DType::f32);
  EXPECT_FALSE(m.class_mismatch);
  EXPECT_EQ(m.ulps_vs_exact, 0.0);
  EXPECT_EQ(m.ulps_vs_rounded, 0.0);
  m = compare(kInf, pos_inf.real(), DType::f16);
  EXPECT_FALSE(m.class_mismatch);
  EXPECT_EQ(m.signed_ulps, 0.0);
  // 1e39 overflows f32: inf is the correctly rounded answer, the largest finite is not.
  m = compare(kInf, huge.real(), DType::f32);
  EXPECT_FALSE(m.class_mismatch);
  m = compare(max_finite(DType::f32), huge.real(), DType::f32);
  EXPECT_TRUE(m.class_mismatch);
  EXPECT_EQ(m.ulps_vs_exact, kInf);
  EXPECT_EQ(m.ulps_vs_rounded, kInf);
  EXPECT_NE(m.class_note.find("+inf"), std::string::npos) << m.class_note;
  m = compare(-kInf, pos_inf.real(), DType::f64);  // sign matters
  EXPECT_TRUE(m.class_mismatch);
  m = compare(kNaN, exact(0.5), DType::bf16);
  EXPECT_TRUE(m.class_mismatch);
  EXPECT_EQ(m.ulps_vs_rounded, kInf);
  m = compare(0.5, nan.real(), DType::bf16);
  EXPECT_TRUE(m.class_mismatch);
}

TEST(ErrorMetrics, MeasuresInTheOutputFormatsOwnUlps) {
  // got = 1 + 2^-7 against exact 1: 1 ulp in bf16, 2^16 ulps in f32.
  EXPECT_EQ(compare(1.0 + 0x1p-7, exact(1.0), DType::bf16).ulps_vs_exact, 1.0);
  EXPECT_EQ(compare(1.0 + 0x1p-7, exact(1.0), DType::f32).ulps_vs_exact, 65536.0);
  // The ulp is that of the reference's binade: 1 - 2^-8 (one bf16 step below 1, where steps are
  // 2^-8) is half an ulp of 1 (2^-7) in both conventions.
  const ErrorMetrics m = compare(1.0 - 0x1p-8, exact(1.0), DType::bf16);
  EXPECT_EQ(m.ulps_vs_exact, 0.5);
  EXPECT_EQ(m.ulps_vs_rounded, 0.5);
}

}  // namespace
}  // namespace softcheck::oracle
