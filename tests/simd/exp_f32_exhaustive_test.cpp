// Every float t in [-104, 0] through the kernels' exp, per target (label slow: ~1.1e9 evaluations
// and as many double exps per target). Backs the contract's exp_ulps (the maximum is asserted) and
// monotone_exp (printed: the count of decreasing neighbours; asserted 0 only if claimed).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "impl/simd/simd_targets.hpp"
#include "softcheck/dtype.hpp"
#include "tests/simd/exp_walk.hpp"

namespace softcheck {
namespace {

class SimdExpExhaustive : public ::testing::TestWithParam<std::string> {};

TEST_P(SimdExpExhaustive, EveryFloatOfTheRange) {
  if (!simd_target_supported(GetParam())) {
    GTEST_SKIP() << "SKIPPED(" << GetParam() << " not supported by this CPU)";
  }
  const double bound = test::contract_exp_ulps(GetParam());
  const test::WalkResult r = test::walk(GetParam(), 1);
  std::printf("[  MEASURE ] exp %s: max %.4f ulp at t=%a over all %llu floats (contract %.2f)\n",
              GetParam().c_str(), r.max_ulps, r.worst, static_cast<unsigned long long>(r.count),
              bound);
  EXPECT_EQ(r.count, 0x42D00000ull + 1) << "floats in [-104, -0]";
  EXPECT_LE(r.max_ulps, bound) << "worst t = " << hex(r.worst);
  std::printf("[  MEASURE ] exp %s: %llu decreasing neighbours, first at t=%a\n",
              GetParam().c_str(), static_cast<unsigned long long>(r.non_monotone),
              r.non_monotone_at);
  // The contract may only claim a monotone exp that this walk cannot refute.
  if (test::contract_monotone_exp(GetParam())) {
    EXPECT_EQ(r.non_monotone, 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Simd, SimdExpExhaustive, ::testing::ValuesIn(simd_compiled_targets()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace softcheck
