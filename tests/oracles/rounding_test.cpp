// round_to_format against MPFR's own conversions (f64: mpfr_get_d, f32: mpfr_get_flt) and, for the
// 16-bit formats, every midpoint of every pair of neighbours (ties to even) cross-checked with
// softcheck::round_to and the bit decoders of dtype.hpp.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "tests/oracles/support.hpp"

namespace softcheck::oracle {
namespace {

using test::Mp;
constexpr double kInf = std::numeric_limits<double>::infinity();

bool same(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return a == b && std::signbit(a) == std::signbit(b);
}

// A 200-bit value with a random significand in the binade [2^e, 2^(e+1)), e from just below the
// format's smallest subnormal to just above its overflow threshold.
Real random_value(int emin, int emax) {
  const int e = *rc::gen::inRange(emin, emax + 1);
  Mp v(200), part(200);
  mpfr_set_ui(v.get(), 1, MPFR_RNDN);
  for (int chunk = 0; chunk < 6; ++chunk) {  // 1 + six 30-bit chunks of fraction
    mpfr_set_ui(part.get(), static_cast<unsigned long>(*rc::gen::inRange(0, 1 << 30)), MPFR_RNDN);
    mpfr_mul_2si(part.get(), part.get(), -30 * (chunk + 1), MPFR_RNDN);
    mpfr_add(v.get(), v.get(), part.get(), MPFR_RNDN);
  }
  mpfr_mul_2si(v.get(), v.get(), e, MPFR_RNDN);
  if (*rc::gen::arbitrary<bool>()) mpfr_neg(v.get(), v.get(), MPFR_RNDN);
  return v.real();
}

// The midpoint of a and its upward neighbour `next` (exact at 200 bits), nudged by `nudge` 2^-150
// relative units (0: the exact tie).
Real midpoint(double a, double next, int nudge) {
  Mp m(200);
  mpfr_set_d(m.get(), a, MPFR_RNDN);
  mpfr_add_d(m.get(), m.get(), next, MPFR_RNDN);
  mpfr_div_2ui(m.get(), m.get(), 1, MPFR_RNDN);
  if (nudge != 0) {
    Mp d(200);
    mpfr_mul_2si(d.get(), m.get(), -150, MPFR_RNDN);
    mpfr_abs(d.get(), d.get(), MPFR_RNDN);
    if (nudge > 0)
      mpfr_add(m.get(), m.get(), d.get(), MPFR_RNDN);
    else
      mpfr_sub(m.get(), m.get(), d.get(), MPFR_RNDN);
  }
  return m.real();
}

RC_GTEST_PROP(RoundToFormat, F64MatchesMpfrGetD, ()) {
  const Real v = random_value(-1080, 1025);
  RC_ASSERT(same(round_to_format(v, DType::f64), mpfr_get_d(test::raw(v), MPFR_RNDN)));
  RC_ASSERT(same(to_double(v), mpfr_get_d(test::raw(v), MPFR_RNDN)));
}

RC_GTEST_PROP(RoundToFormat, F32MatchesMpfrGetFlt, ()) {
  const Real v = random_value(-152, 129);
  RC_ASSERT(same(round_to_format(v, DType::f32), mpfr_get_flt(test::raw(v), MPFR_RNDN)));
}

// Ties and near-ties between neighbours in every binade, subnormals included.
RC_GTEST_PROP(RoundToFormat, F64AndF32HalfwayCasesMatchMpfr, ()) {
  const bool f32 = *rc::gen::arbitrary<bool>();
  const DType t = f32 ? DType::f32 : DType::f64;
  const Format f = format_of(t);
  const int e = *rc::gen::inRange(f.emin - f.precision, f.emax + 1);
  const int64_t mant = *rc::gen::inRange<int64_t>(0, int64_t{1} << 30);
  double a = std::ldexp(static_cast<double>(mant), e - 30);  // may be any value of the format
  a = round_to(t, a);
  RC_PRE(std::isfinite(a) && a < max_finite(t));
  const double next = next_up(t, a);
  for (int nudge : {-1, 0, 1}) {
    const Real m = midpoint(a, next, nudge);
    const double want = f32 ? static_cast<double>(mpfr_get_flt(test::raw(m), MPFR_RNDN))
                            : mpfr_get_d(test::raw(m), MPFR_RNDN);
    RC_ASSERT(same(round_to_format(m, t), want));
  }
}

TEST(RoundToFormat, SubnormalTiesUnderflowAndOverflow) {
  for (DType t : kAllDTypes) {
    const double d = denorm_min(t);
    auto r = [t](double num, double scale) {
      Mp v(200, num);
      mpfr_mul_d(v.get(), v.get(), scale, MPFR_RNDN);
      return round_to_format(v.real(), t);
    };
    EXPECT_EQ(r(0.5, d), 0.0) << name_of(t);  // tie between 0 and denorm_min: even is 0
    EXPECT_EQ(r(0.75, d), d) << name_of(t);
    EXPECT_EQ(r(0.25, d), 0.0) << name_of(t);
    EXPECT_EQ(r(1.5, d), 2 * d) << name_of(t);  // tie: 2 is even
    EXPECT_EQ(r(2.5, d), 2 * d) << name_of(t);
    EXPECT_TRUE(std::signbit(r(-0.25, d))) << name_of(t);  // -0
    EXPECT_EQ(r(-0.75, d), -d) << name_of(t);
    EXPECT_EQ(r(1e-3, d), 0.0) << name_of(t);
    // The largest finite value plus half an ulp is a tie whose even neighbour is 2^(emax+1): inf.
    const double m = max_finite(t), half = ulp(t, m) / 2;
    Mp v(300, m);
    mpfr_add_d(v.get(), v.get(), half, MPFR_RNDN);
    EXPECT_EQ(round_to_format(v.real(), t), kInf) << name_of(t);
    mpfr_nextbelow(v.get());
    EXPECT_EQ(round_to_format(v.real(), t), m) << name_of(t);
    mpfr_neg(v.get(), v.get(), MPFR_RNDN);
    EXPECT_EQ(round_to_format(v.real(), t), -m) << name_of(t);
    mpfr_set_d(v.get(), 1e300, MPFR_RNDN);
    mpfr_mul_d(v.get(), v.get(), 1e300, MPFR_RNDN);  // beyond every format, beyond double
    EXPECT_EQ(round_to_format(v.real(), t), kInf) << name_of(t);
  }
  EXPECT_TRUE(std::isnan(round_to_format(Mp(10).real(), DType::f16)));  // a fresh mpfr_t is NaN
}

// Every pair of neighbouring non-negative values of a 16-bit format (all bit patterns from 0 to the
// largest finite): the value itself is kept, the exact midpoint goes to the neighbour whose last
// bit is 0, a hair below or above it goes down or up. Mirrored for negative values.
void check_all_midpoints(DType t, uint16_t inf_bits, double (*from_bits)(uint16_t)) {
  int checked = 0;
  for (uint32_t b = 0; b < inf_bits; ++b) {
    const double a = from_bits(static_cast<uint16_t>(b));
    const double next = b + 1 < inf_bits ? from_bits(static_cast<uint16_t>(b + 1)) : kInf;
    const double even = (b & 1) == 0 ? a : next;  // the neighbour with an even significand
    for (double sign : {1.0, -1.0}) {
      ASSERT_TRUE(same(round_to_format(exact(sign * a), t), sign * a)) << name_of(t) << " " << b;
      ASSERT_EQ(round_to(t, sign * a), sign * a);
      if (b + 1 == inf_bits) {
        // Above the largest finite: half an ulp up is the tie with 2^(emax+1), which overflows.
        const double top = a + ulp(t, a) / 2;  // exact in double
        ASSERT_EQ(round_to_format(exact(sign * top), t), sign * kInf);
        ASSERT_EQ(round_to(t, sign * top), sign * kInf);
        continue;
      }
      const double mid = (a + next) / 2;  // exact in double: 16-bit values have few bits
      ASSERT_EQ(round_to_format(midpoint(sign * a, sign * next, 0), t), sign * even)
          << name_of(t) << " pattern " << b;
      ASSERT_EQ(round_to(t, sign * mid), sign * even) << "dtype.hpp round_to, pattern " << b;
      // A hair towards zero from the midpoint rounds to a, a hair away to next.
      const double toward = sign * a, away = sign * next;
      ASSERT_EQ(round_to_format(midpoint(sign * a, sign * next, sign > 0 ? -1 : 1), t), toward);
      ASSERT_EQ(round_to_format(midpoint(sign * a, sign * next, sign > 0 ? 1 : -1), t), away);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 2 * (inf_bits - 1));
}

TEST(RoundToFormat, F16AllMidpointsTieToEven) {
  check_all_midpoints(DType::f16, 0x7c00, from_f16_bits);
}
TEST(RoundToFormat, Bf16AllMidpointsTieToEven) {
  check_all_midpoints(DType::bf16, 0x7f80, from_bf16_bits);
}

TEST(RoundToFormat, HexPrinting) {
  Mp third(200);
  mpfr_ui_div(third.get(), 1, Mp(10, 3.0).get(), MPFR_RNDN);
  EXPECT_EQ(to_hex(third.real(), DType::f32), "0x1.555556p-2");
  EXPECT_EQ(to_hex(third.real(), DType::bf16), "0x1.56p-2");
  EXPECT_EQ(to_hex(third.real(), DType::f16), "0x1.554p-2");
  EXPECT_EQ(to_hex_full(exact(0.75)), "0x1.8p-1");
  EXPECT_EQ(to_hex_full(Mp(10).real()), "nan");
}

}  // namespace
}  // namespace softcheck::oracle
