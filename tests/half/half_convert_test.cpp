// Exhaustive tests of the kernels' f32 <-> f16/bf16 conversions (impl/half/half_convert.hpp).
//
// bits -> float: all 65,536 patterns, against softcheck's exact decoding (src/dtype.cpp), and the
// round trip bits -> float -> bits (NaN stays NaN, quiet, sign kept).
// float -> bits: every 16-bit value, the exact midpoint between every pair of adjacent values (and
// past the largest finite), one f32 ulp either side of each, and a strided sweep over all f32
// patterns; each against two references: softcheck::round_to (generic RNE on doubles) and MPFR
// (mpfr_set_flt at the target precision with the target's exponent range, then mpfr_subnormalize:
// one correct rounding, gradual underflow included).
#include "impl/half/half_convert.hpp"

#include <gtest/gtest.h>
#include <mpfr.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "softcheck/dtype.hpp"

namespace softcheck {
namespace {

struct Half {
  DType dtype;
  uint16_t (*to_bits)(float);
  float (*from_bits)(uint16_t);
  uint16_t quiet_bit;  // most significant mantissa bit
};

const Half kF16{DType::f16, float_to_f16_bits, f16_bits_to_float, 0x0200};
const Half kBF16{DType::bf16, float_to_bf16_bits, bf16_bits_to_float, 0x0040};

double decode(DType t, uint16_t b) {
  return t == DType::f16 ? from_f16_bits(b) : from_bf16_bits(b);
}
uint16_t encode(DType t, double exact) {
  return t == DType::f16 ? f16_bits(exact) : bf16_bits(exact);
}

bool is_nan_bits(uint16_t b, uint16_t quiet_bit) {
  const uint16_t exp_mask = quiet_bit == 0x0200 ? 0x7c00 : 0x7f80;
  const uint16_t mant_mask = static_cast<uint16_t>(0x7fff & ~exp_mask);
  return (b & exp_mask) == exp_mask && (b & mant_mask) != 0;
}

float f32_from_bits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

// Rounds a float to format t with MPFR, once, with t's subnormals and overflow: the exponent range
// is narrowed to t's for the lifetime of the object (MPFR exponents: x = m 2^e, 1/2 <= m < 1, so
// the smallest subnormal 2^(emin - p + 1) has e = emin - p + 2 and the largest finite e = emax +
// 1).
class MpfrRounder {
 public:
  explicit MpfrRounder(DType t) : old_emin_(mpfr_get_emin()), old_emax_(mpfr_get_emax()) {
    const Format f = format_of(t);
    mpfr_init2(r_, f.precision);
    mpfr_set_emin(f.emin - f.precision + 2);
    mpfr_set_emax(f.emax + 1);
  }
  ~MpfrRounder() {
    mpfr_clear(r_);
    mpfr_set_emin(old_emin_);
    mpfr_set_emax(old_emax_);
  }
  MpfrRounder(const MpfrRounder&) = delete;
  MpfrRounder& operator=(const MpfrRounder&) = delete;

  double operator()(float x) {
    const int inexact = mpfr_set_flt(r_, x, MPFR_RNDN);
    mpfr_subnormalize(r_, inexact, MPFR_RNDN);
    return mpfr_get_d(r_, MPFR_RNDN);  // exact: the value has at most 11 bits
  }

 private:
  mpfr_exp_t old_emin_, old_emax_;
  mpfr_t r_;
};

// Checks to_bits(x) against round_to and MPFR for every x; reports the first few mismatches in hex.
void expect_rounds_like_references(const Half& h, const std::vector<float>& xs) {
  MpfrRounder mpfr(h.dtype);
  int mismatches = 0;
  for (float x : xs) {
    const uint16_t got = h.to_bits(x);
    const uint16_t want = encode(h.dtype, round_to(h.dtype, x));
    const double by_mpfr = mpfr(x);
    const uint16_t want_mpfr = encode(h.dtype, by_mpfr);
    if (got != want || got != want_mpfr || std::signbit(by_mpfr) != std::signbit(x)) {
      if (++mismatches <= 10)
        ADD_FAILURE() << name_of(h.dtype) << "(" << hex(x) << "): got 0x" << std::hex << got
                      << ", round_to gives 0x" << want << ", MPFR gives 0x" << want_mpfr;
    }
  }
  EXPECT_EQ(mismatches, 0) << "of " << xs.size() << " values";
  std::printf("[ info ] %s: %zu float -> bits conversions checked against round_to and MPFR\n",
              std::string(name_of(h.dtype)).c_str(), xs.size());
}

class HalfConvert : public ::testing::TestWithParam<Half> {};

TEST_P(HalfConvert, EveryPatternDecodesExactlyAndRoundTrips) {
  const Half h = GetParam();
  int nans = 0;
  for (uint32_t i = 0; i <= 0xffff; ++i) {
    const auto b = static_cast<uint16_t>(i);
    const float f = h.from_bits(b);
    const double want = decode(h.dtype, b);
    const uint16_t back = h.to_bits(f);
    if (std::isnan(want)) {
      ++nans;
      ASSERT_TRUE(std::isnan(f)) << std::hex << b;
      ASSERT_EQ(std::signbit(f), (b & 0x8000) != 0) << std::hex << b;
      // A NaN comes back as the same NaN, quieted: sign and payload kept.
      ASSERT_TRUE(is_nan_bits(back, h.quiet_bit)) << std::hex << b << " -> " << back;
      ASSERT_EQ(back, b | h.quiet_bit) << std::hex << b;
    } else {
      ASSERT_EQ(static_cast<double>(f), want) << std::hex << b;
      ASSERT_EQ(std::signbit(f), std::signbit(want)) << std::hex << b;
      ASSERT_EQ(back, b) << std::hex << b;
    }
  }
  // f16: 2 signs x 1023 mantissas; bf16: 2 x 127.
  EXPECT_EQ(nans, h.dtype == DType::f16 ? 2046 : 254);
}

// Every 16-bit value, every midpoint between neighbours (including the one between the largest
// finite value and 2^(emax+1), which must round to inf as a tie to even), one f32 ulp either side
// of each, both signs.
TEST_P(HalfConvert, ValuesMidpointsAndNeighboursRoundToNearestEven) {
  const Half h = GetParam();
  const DType t = h.dtype;
  const Format f = format_of(t);
  const int64_t last = ordered_index(t, max_finite(t));
  std::vector<float> xs;
  for (int64_t i = 0; i <= last; ++i) {
    const double a = from_ordered_index(t, i);
    const double b = i < last ? from_ordered_index(t, i + 1) : std::ldexp(1.0, f.emax + 1);
    const double mid = (a + b) / 2;  // exact in double
    const auto midf = static_cast<float>(mid);
    ASSERT_EQ(static_cast<double>(midf), mid) << "midpoint not exact in f32: " << hex(mid);
    for (float x : {static_cast<float>(a), midf,
                    std::nextafter(midf, -std::numeric_limits<float>::infinity()),
                    std::nextafter(midf, std::numeric_limits<float>::infinity())}) {
      xs.push_back(x);
      xs.push_back(-x);
    }
  }
  expect_rounds_like_references(h, xs);
}

// Every 4099th f32 bit pattern (4099 is odd, so the low mantissa bits vary too) covers every binade
// of f32, including values that overflow the 16-bit format or underflow to zero; plus the extremes.
TEST_P(HalfConvert, StridedSweepOverAllFloatsMatchesReferences) {
  const Half h = GetParam();
  std::vector<float> xs;
  for (uint64_t u = 0; u <= 0xffffffffu; u += 4099) {
    const float x = f32_from_bits(static_cast<uint32_t>(u));
    if (!std::isnan(x)) xs.push_back(x);
  }
  for (float x : {std::numeric_limits<float>::max(), std::numeric_limits<float>::denorm_min(),
                  std::numeric_limits<float>::min(), std::numeric_limits<float>::infinity(), 0.0f})
    for (float s : {1.0f, -1.0f}) xs.push_back(s * x);
  expect_rounds_like_references(h, xs);
}

TEST_P(HalfConvert, NanFromFloatStaysQuietNanWithSign) {
  const Half h = GetParam();
  for (uint32_t u :
       {0x7fc00000u, 0xffc00000u, 0x7f800001u, 0xff800001u, 0x7fffffffu, 0x7fa00000u}) {
    const uint16_t b = h.to_bits(f32_from_bits(u));
    EXPECT_TRUE(is_nan_bits(b, h.quiet_bit)) << std::hex << u << " -> " << b;
    EXPECT_TRUE(b & h.quiet_bit) << std::hex << u << " -> " << b;
    EXPECT_EQ((b & 0x8000) != 0, (u & 0x80000000u) != 0) << std::hex << u;
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, HalfConvert, ::testing::Values(kF16, kBF16),
                         [](const auto& info) { return std::string(name_of(info.param.dtype)); });

// The named cases, spelled out.
TEST(HalfConvertCases, F16OverflowTiesAndUnderflow) {
  EXPECT_EQ(float_to_f16_bits(65504.0f), 0x7bff);
  EXPECT_EQ(float_to_f16_bits(65519.99f), 0x7bff);  // (as f32, 65519.9921875) below the tie
  EXPECT_EQ(float_to_f16_bits(65520.0f), 0x7c00);   // tie between 65504 (odd) and 2^16: inf
  EXPECT_EQ(float_to_f16_bits(-65520.0f), 0xfc00);
  EXPECT_EQ(float_to_f16_bits(1.0f + 0x1p-11f), 0x3c00);      // tie: to even 1.0
  EXPECT_EQ(float_to_f16_bits(1.0f + 3 * 0x1p-11f), 0x3c02);  // tie: to even 1 + 2^-9
  EXPECT_EQ(float_to_f16_bits(0x1p-25f), 0x0000);             // half the smallest subnormal: 0
  EXPECT_EQ(float_to_f16_bits(0x1.000002p-25f), 0x0001);      // just above: smallest subnormal
  EXPECT_EQ(float_to_f16_bits(-0x1p-26f), 0x8000);            // -0 keeps its sign
  EXPECT_EQ(float_to_f16_bits(0x1.ff8p-15f), 0x03ff);         // largest subnormal, exact
  EXPECT_EQ(float_to_f16_bits(0x1.ffcp-15f), 0x0400);         // tie: to even, the smallest normal
}

TEST(HalfConvertCases, Bf16OverflowTiesAndSubnormals) {
  EXPECT_EQ(float_to_bf16_bits(f32_from_bits(0x7f7f7fffu)), 0x7f7f);  // below the tie: max finite
  EXPECT_EQ(float_to_bf16_bits(f32_from_bits(0x7f7f8000u)), 0x7f80);  // tie, max is odd: inf
  EXPECT_EQ(float_to_bf16_bits(std::numeric_limits<float>::max()), 0x7f80);
  EXPECT_EQ(float_to_bf16_bits(1.0f + 0x1p-8f), 0x3f80);             // tie: to even 1.0
  EXPECT_EQ(float_to_bf16_bits(1.0f + 3 * 0x1p-8f), 0x3f82);         // tie: to even 1 + 2^-6
  EXPECT_EQ(float_to_bf16_bits(1.0f + 0x1p-8f + 0x1p-23f), 0x3f81);  // above the tie: up
  EXPECT_EQ(float_to_bf16_bits(0x1p-134f), 0x0000);   // half the smallest bf16 subnormal: 0
  EXPECT_EQ(float_to_bf16_bits(0x3p-134f), 0x0002);   // tie between 1 and 2 subnormal ulps: even
  EXPECT_EQ(float_to_bf16_bits(-0x1p-149f), 0x8000);  // -0 keeps its sign
  EXPECT_EQ(float_to_bf16_bits(-std::numeric_limits<float>::infinity()), 0xff80);
}

}  // namespace
}  // namespace softcheck
