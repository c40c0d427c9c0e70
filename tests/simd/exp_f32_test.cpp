// The kernels' exponential (impl/simd/exp_f32-inl.h), per target: the contract's exp_ulps is the
// maximum error of this function, so it is measured here (and printed, also when passing) on a walk
// through the bit patterns of [-104, 0] that samples every binade, against exp in double (whose
// own error, < 1 ulp of double, is 2^-29 f32 ulps). exp_f32_exhaustive_test (slow) takes every
// float.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "impl/simd/simd_probes.hpp"
#include "impl/simd/simd_targets.hpp"
#include "softcheck/dtype.hpp"
#include "tests/simd/exp_walk.hpp"

namespace softcheck {
namespace {

using test::contract_exp_ulps;
using test::contract_monotone_exp;
using test::ulp_error;
using test::walk;
using test::WalkResult;
constexpr float kInf = std::numeric_limits<float>::infinity();

class SimdExp : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!simd_target_supported(GetParam())) {
      GTEST_SKIP() << "SKIPPED(" << GetParam() << " not supported by this CPU)";
    }
  }
};

TEST_P(SimdExp, MaxErrorWithinContractOnBinadeWalk) {
  const double bound = contract_exp_ulps(GetParam());
  ASSERT_GT(bound, 0);
  const WalkResult r = walk(GetParam(), 211);  // ~5.3 million points, every binade
  std::printf("[  MEASURE ] exp %s: max %.4f ulp at t=%a over %llu points (contract %.2f)\n",
              GetParam().c_str(), r.max_ulps, r.worst, static_cast<unsigned long long>(r.count),
              bound);
  EXPECT_LE(r.max_ulps, bound) << "worst t = " << hex(r.worst);
  std::printf("[  MEASURE ] exp %s: %llu decreasing neighbours, first at t=%a\n",
              GetParam().c_str(), static_cast<unsigned long long>(r.non_monotone),
              r.non_monotone_at);
  // The contract may only claim a monotone exp that this walk cannot refute.
  if (contract_monotone_exp(GetParam())) {
    EXPECT_EQ(r.non_monotone, 0u);
  }
}

TEST_P(SimdExp, SpecialValues) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> t = {-kInf,    nan,      -0.0f,  0.0f,    -104.0f, -104.5f,   -1e30f,
                                -3.4e38f, -103.97f, -87.3f, -100.0f, -1e-30f, -0x1p-149f};
  std::vector<float> e(t.size());
  ASSERT_TRUE(simd_exp_f32(GetParam(), t.data(), e.data(), t.size()));
  EXPECT_EQ(e[0], 0.0f);
  EXPECT_FALSE(std::signbit(e[0]));
  EXPECT_TRUE(std::isnan(e[1])) << "NaN must propagate";
  EXPECT_EQ(e[2], 1.0f);
  EXPECT_EQ(e[3], 1.0f);
  EXPECT_EQ(e[5], 0.0f);
  EXPECT_EQ(e[6], 0.0f);
  EXPECT_EQ(e[7], 0.0f);
  EXPECT_GT(e[8], 0.0f) << "exp(-103.97) rounds to the smallest subnormal";
  EXPECT_LT(e[8], 0x1p-147f);
  EXPECT_GT(e[10], 0.0f) << "subnormal, not flushed";
  EXPECT_LT(e[10], 0x1p-126f);
  EXPECT_EQ(e[11], 1.0f);
  EXPECT_EQ(e[12], 1.0f);
  for (std::size_t i = 4; i < t.size(); ++i) {
    EXPECT_LE(ulp_error(t[i], e[i]), contract_exp_ulps(GetParam())) << "t=" << hex(t[i]);
  }
}

std::vector<std::string> targets() { return simd_compiled_targets(); }
INSTANTIATE_TEST_SUITE_P(Simd, SimdExp, ::testing::ValuesIn(targets()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace softcheck
