// The kernels' conversions between f32 lanes and f16/bf16 storage (impl/simd/convert-inl.h), per
// target: every 16-bit pattern is widened exactly, and narrowing rounds to nearest, ties to even,
// checked on every representable value, every tie (midpoint between neighbours) and its two f32
// neighbours, overflow, subnormals, inf and NaN, plus a walk over the f32 bit patterns. Truncation
// (Highway 1.0.3's bf16 DemoteTo, and its f16 DemoteTo without F16C) fails the tie cases.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "impl/simd/simd_probes.hpp"
#include "impl/simd/simd_targets.hpp"
#include "softcheck/dtype.hpp"

namespace softcheck {
namespace {

class SimdConvert : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!simd_target_supported(GetParam())) {
      GTEST_SKIP() << "SKIPPED(" << GetParam() << " not supported by this CPU)";
    }
  }
  std::string isa() const { return GetParam(); }
};

bool same_value(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || (a == b && std::signbit(a) == std::signbit(b));
}

TEST_P(SimdConvert, WideningIsExactForEvery16BitPattern) {
  std::vector<uint16_t> bits(65536);
  for (uint32_t i = 0; i < 65536; ++i) bits[i] = static_cast<uint16_t>(i);
  std::vector<float> f16(65536), bf16(65536);
  ASSERT_TRUE(simd_f16_to_f32(isa(), bits.data(), f16.data(), bits.size()));
  ASSERT_TRUE(simd_bf16_to_f32(isa(), bits.data(), bf16.data(), bits.size()));
  int bad = 0;
  for (uint32_t i = 0; i < 65536; ++i) {
    const double want16 = from_f16_bits(static_cast<uint16_t>(i));
    const double wantb = from_bf16_bits(static_cast<uint16_t>(i));
    if (!same_value(f16[i], want16) && bad++ < 5) {
      ADD_FAILURE() << "f16 0x" << std::hex << i << ": got " << hex(f16[i]) << " want "
                    << hex(want16);
    }
    if (!same_value(bf16[i], wantb) && bad++ < 5) {
      ADD_FAILURE() << "bf16 0x" << std::hex << i << ": got " << hex(bf16[i]) << " want "
                    << hex(wantb);
    }
  }
  EXPECT_EQ(bad, 0);
}

// Inputs: every finite value of the format, the midpoint to its upper neighbour (a tie) and the
// f32 values on either side of that midpoint, both signs; then f32 bit patterns with a stride.
std::vector<float> narrowing_inputs(DType t) {
  std::vector<float> x;
  for (uint32_t i = 0; i < 65536; ++i) {
    const double v = t == DType::f16 ? from_f16_bits(static_cast<uint16_t>(i))
                                     : from_bf16_bits(static_cast<uint16_t>(i));
    if (!std::isfinite(v)) continue;
    x.push_back(static_cast<float>(v));
    const double up = next_up(t, v);
    const double mid = v + (up - v) / 2;  // exact in f32 (the formats are narrower)
    if (std::isinf(up)) {
      // Above the largest finite value: the overflow threshold (rounds to inf) and below it.
      const double thr = v + (v - next_down(t, v)) / 2;
      x.push_back(static_cast<float>(thr));
      x.push_back(std::nextafter(static_cast<float>(thr), 0.0f));
      continue;
    }
    const float m = static_cast<float>(mid);
    if (static_cast<double>(m) != mid) continue;  // cannot happen for f16 / bf16 neighbours
    x.push_back(m);
    x.push_back(std::nextafter(m, -std::numeric_limits<float>::infinity()));
    x.push_back(std::nextafter(m, std::numeric_limits<float>::infinity()));
  }
  for (uint64_t b = 0; b <= 0xFFFFFFFFull; b += 4099) {
    x.push_back(std::bit_cast<float>(static_cast<uint32_t>(b)));
  }
  x.push_back(std::numeric_limits<float>::infinity());
  x.push_back(-std::numeric_limits<float>::infinity());
  x.push_back(std::numeric_limits<float>::quiet_NaN());
  x.push_back(-std::numeric_limits<float>::quiet_NaN());
  return x;
}

void check_narrowing(const std::string& isa, DType t) {
  const std::vector<float> x = narrowing_inputs(t);
  std::vector<uint16_t> got(x.size());
  ASSERT_TRUE(t == DType::f16 ? simd_f32_to_f16(isa, x.data(), got.data(), x.size())
                              : simd_f32_to_bf16(isa, x.data(), got.data(), x.size()));
  int bad = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double want = round_to(t, x[i]);
    const double g = t == DType::f16 ? from_f16_bits(got[i]) : from_bf16_bits(got[i]);
    if (!same_value(g, std::isnan(x[i]) ? std::nan("") : want) && bad++ < 5) {
      ADD_FAILURE() << name_of(t) << " from " << hex(x[i]) << ": got " << hex(g) << " want "
                    << hex(want);
    }
  }
  EXPECT_EQ(bad, 0) << "of " << x.size() << " inputs";
}

TEST_P(SimdConvert, F16NarrowingRoundsToNearestEven) { check_narrowing(isa(), DType::f16); }
TEST_P(SimdConvert, BF16NarrowingRoundsToNearestEven) { check_narrowing(isa(), DType::bf16); }

INSTANTIATE_TEST_SUITE_P(Simd, SimdConvert, ::testing::ValuesIn(simd_compiled_targets()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace softcheck
