// impl/ops/half_bits.hpp against softcheck's own conversions (src/dtype.cpp, a generic
// round-to-nearest-even at precision p): every f16 and bf16 bit pattern decoded, and every rounding
// case around every 16-bit value (exact, halfway, one f32 ulp either side of halfway).
#include "impl/ops/half_bits.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "softcheck/dtype.hpp"

namespace softcheck::ops {
namespace {

TEST(HalfBits, F16DecodeAndRoundTripAllPatterns) {
  for (uint32_t b = 0; b <= 0xffff; ++b) {
    const auto bits = static_cast<uint16_t>(b);
    const float f = ops_float_from_f16_bits(bits);
    const double want = from_f16_bits(bits);
    if (std::isnan(want)) {
      EXPECT_TRUE(std::isnan(f)) << std::hex << b;
      EXPECT_TRUE(std::isnan(ops_float_from_f16_bits(ops_f16_bits_from_float(f)))) << std::hex << b;
      continue;
    }
    ASSERT_EQ(static_cast<double>(f), want) << std::hex << b;
    ASSERT_EQ(ops_f16_bits_from_float(f), bits) << std::hex << b;
  }
}

TEST(HalfBits, BF16DecodeAndRoundTripAllPatterns) {
  for (uint32_t b = 0; b <= 0xffff; ++b) {
    const auto bits = static_cast<uint16_t>(b);
    const float f = ops_float_from_bf16_bits(bits);
    const double want = from_bf16_bits(bits);
    if (std::isnan(want)) {
      EXPECT_TRUE(std::isnan(f)) << std::hex << b;
      continue;
    }
    ASSERT_EQ(static_cast<double>(f), want) << std::hex << b;
    ASSERT_EQ(ops_bf16_bits_from_float(f), bits) << std::hex << b;
  }
}

// For every pair of adjacent non-negative finite 16-bit values v < w (and v = max finite with the
// value one quantum above it, the overflow boundary), the float inputs v, the midpoint, the floats
// next to the midpoint and w, with both signs, must round as softcheck's generic RNE rounds them.
template <typename Encode, typename Decode, typename Reference>
int check_rounding(DType t, Encode encode, Decode decode, Reference reference) {
  int checked = 0;
  const uint16_t max_finite_bits = t == DType::f16 ? 0x7bff : 0x7f7f;
  for (uint32_t b = 0; b <= max_finite_bits; ++b) {
    const float v = decode(static_cast<uint16_t>(b));
    const float w =
        b < max_finite_bits
            ? decode(static_cast<uint16_t>(b + 1))
            : static_cast<float>(2 * static_cast<double>(v) - decode(static_cast<uint16_t>(b - 1)));
    const float mid = static_cast<float>((static_cast<double>(v) + w) / 2);  // exact in f32
    for (float x : {v, mid, std::nextafter(mid, 0.0f), std::nextafter(mid, w), w}) {
      for (float s : {x, -x}) {
        if (std::isinf(s)) continue;
        const uint16_t got = encode(s);
        const uint16_t want = reference(static_cast<double>(s));
        EXPECT_EQ(got, want) << name_of(t) << " x=" << hex(s);
        if (got != want) return checked;
        ++checked;
      }
    }
  }
  return checked;
}

TEST(HalfBits, F16RoundsToNearestEven) {
  const int n = check_rounding(DType::f16, ops_f16_bits_from_float, ops_float_from_f16_bits,
                               [](double x) { return f16_bits(x); });
  std::printf("f16: %d rounding cases agree with round_to(f16)\n", n);
  EXPECT_EQ(ops_f16_bits_from_float(65520.0f), 0x7c00);  // halfway above the largest finite: inf
  EXPECT_EQ(ops_f16_bits_from_float(65519.996f), 0x7bff);
}

TEST(HalfBits, BF16RoundsToNearestEven) {
  const int n = check_rounding(DType::bf16, ops_bf16_bits_from_float, ops_float_from_bf16_bits,
                               [](double x) { return bf16_bits(x); });
  std::printf("bf16: %d rounding cases agree with round_to(bf16)\n", n);
  // The largest finite f32 is above the bf16 overflow boundary: inf, as round-to-nearest says.
  EXPECT_EQ(ops_bf16_bits_from_float(std::bit_cast<float>(0x7f7fffffu)), 0x7f80);
  EXPECT_EQ(ops_bf16_bits_from_float(std::bit_cast<float>(0xff800000u)), 0xff80);  // -inf
  // Ties: 1 + 2^-8 (halfway, even below) stays 1; 1 + 3 * 2^-8 (halfway, odd below) goes up.
  EXPECT_EQ(ops_bf16_bits_from_float(1.00390625f), 0x3f80);
  EXPECT_EQ(ops_bf16_bits_from_float(1.01171875f), 0x3f82);
}

// NaN stays NaN and quiet, sign kept, whatever the payload: adding the rounding constant to a NaN
// with low payload bits only would otherwise give inf.
TEST(HalfBits, BF16NanStaysQuietNan) {
  for (uint32_t u :
       {0x7f800001u, 0x7fbfffffu, 0x7fc00000u, 0xff800001u, 0x7fffffffu, 0xffffffffu}) {
    const uint16_t b = ops_bf16_bits_from_float(std::bit_cast<float>(u));
    EXPECT_TRUE(std::isnan(ops_float_from_bf16_bits(b))) << std::hex << u;
    EXPECT_TRUE(b & 0x0040) << std::hex << u;                      // quiet bit
    EXPECT_EQ(b & 0x8000u, (u >> 16) & 0x8000u) << std::hex << u;  // sign
  }
  EXPECT_TRUE(std::isnan(ops_float_from_f16_bits(ops_f16_bits_from_float(std::nanf("")))));
}

}  // namespace
}  // namespace softcheck::ops
