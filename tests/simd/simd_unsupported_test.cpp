// What a CPU without AVX-512 and AVX2 sees: this process tells Highway (before any kernel is
// registered) that only SSE4 and the scalar fallback exist. The AVX3/AVX2 kernels must stay
// listed, report unsupported (so every test of them is a visible skip), refuse to run with a
// message instead of an illegal instruction, and the dispatch kernels must fall back to SSE4.
#include <gtest/gtest.h>
#include <hwy/targets.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "impl/registry.hpp"
#include "impl/simd/simd_targets.hpp"

namespace softcheck {
namespace {

// Runs at static initialisation, before gtest registers (and the registry builds) anything.
const bool kRestricted = [] {
  // This test is about the CPU, not run-time masking: ignore a mask the environment may set.
  ::unsetenv(kDisableTargetsEnv);
  hwy::SetSupportedTargetsForTest(HWY_SSE4 | HWY_SCALAR | HWY_EMU128);
  return true;
}();

const Kernel& kernel_named(const std::string& name) {
  static const std::vector<Kernel> all = simd_kernels();
  for (const Kernel& k : all)
    if (k.contract.name == name) return k;
  throw std::runtime_error("no simd kernel " + name);
}

TEST(SimdUnsupported, TargetsTheCpuLacksAreListedButUnsupported) {
  ASSERT_TRUE(kRestricted);
  for (const char* isa : {"avx3", "avx2"}) {
    const Kernel& k = kernel_named(std::string("f32_softmax_shifted__") + isa);
    EXPECT_FALSE(simd_target_supported(k.contract.isa)) << isa;
    ASSERT_FALSE(k.runnable()) << isa;
    EXPECT_NE(k.unrunnable_reason()->find("this CPU does not support " + std::string(isa)),
              std::string::npos)
        << *k.unrunnable_reason();
  }
  EXPECT_TRUE(simd_target_supported("sse4"));
  EXPECT_EQ(simd_best_target(), "sse4");
}

// The pattern every per-target test uses (tests/simd/simd_kernels_test.cpp, the catalogue).
TEST(SimdUnsupported, Avx3KernelTestIsAVisibleSkip) {
  const Kernel& k = kernel_named("f32_softmax_shifted__avx3");
  if (auto why = k.unrunnable_reason()) GTEST_SKIP() << "SKIPPED(" << *why << ")";
  ADD_FAILURE() << "avx3 reported as supported although the process disabled it";
}

TEST(SimdUnsupportedDeathTest, CallingAnUnsupportedTargetStopsWithAMessage) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const Kernel& k = kernel_named("f32_softmax_shifted__avx3");
  float x[3] = {1, 2, 3}, y[3];
  EXPECT_DEATH(std::get<RowwiseFn>(k.entry)(x, y, 1, 3), "cannot run it");
}

TEST(SimdUnsupported, DispatchFallsBackToTheBestSupportedTarget) {
  const Kernel& dispatch = kernel_named("f32_softmax_shifted__dispatch");
  const Kernel& sse4 = kernel_named("f32_softmax_shifted__sse4");
  EXPECT_EQ(dispatch.contract.lanes, sse4.contract.lanes);
  EXPECT_EQ(dispatch.contract.exp_ulps, sse4.contract.exp_ulps);
  std::vector<float> x(1003), a(x.size()), b(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>((i * 37) % 101) / 7.0f;
  std::get<RowwiseFn>(dispatch.entry)(x.data(), a.data(), 1, x.size());
  std::get<RowwiseFn>(sse4.entry)(x.data(), b.data(), 1, x.size());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)), 0);
}

}  // namespace
}  // namespace softcheck
