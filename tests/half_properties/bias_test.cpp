// The bias z-test (properties/half_properties.cpp) on its own: the statistic separates a correctly
// rounded output from a truncated one on the same batch, every registered half kernel keeps
// |z| <= 5 over several seeds, and the truncating bf16 kernel shows its -0.5 ulp mean. The numbers
// (mean, sd, N, z) are printed on success too.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <iostream>

#include "impl/registry.hpp"
#include "properties/half_properties.hpp"
#include "properties/invoke.hpp"
#include "properties/reference.hpp"
#include "tests/half/wrong_half_kernels.hpp"

namespace softcheck {
namespace {

constexpr uint64_t kSeeds[] = {1, 2, 3, 0x50f7c4ec, 0xdecafbad};

BiasStats measure(const Kernel& k, uint64_t seed) {
  const Batch b = bias_batch(k.contract, seed);
  Call call;
  call.op = Op::softmax;
  call.dtype = b.dtype;
  call.rows = b.rows;
  call.cols = b.cols;
  call.a = Buffer::from_values(b.dtype, b.x);
  const CallResult r = InProcessInvoker{}.call(k, call);
  EXPECT_TRUE(r.ok()) << r.reason;
  return bias_stats(k.contract, b, r.out.y);
}

// Outputs made from the oracle itself: rounded once to nearest (a perfect kernel) or towards zero
// (truncation), on the batch the property draws.
BiasStats from_oracle(const Contract& c, uint64_t seed, bool truncate) {
  const Batch b = bias_batch(c, seed);
  Buffer y(b.dtype, b.x.size());
  for (std::size_t r = 0; r < b.rows; ++r) {
    const RowReference ref = softmax_reference(b.row(r), b.dtype);
    for (std::size_t j = 0; j < b.cols; ++j) {
      double v = ref.rounded[j];
      if (truncate && v > ref.exact_d[j]) v = next_down(b.dtype, v);
      y.set(r * b.cols + j, v);
    }
  }
  return bias_stats(c, b, y);
}

Contract contract_for(DType t) {
  Contract c;
  c.name = std::string(name_of(t)) + "_oracle";
  c.dtype = t;
  return c;
}

TEST(BiasStatistic, SeparatesRoundToNearestFromTruncation) {
  for (DType t : {DType::f16, DType::bf16}) {
    const Contract c = contract_for(t);
    for (uint64_t seed : {7u, 8u}) {
      const BiasStats rne = from_oracle(c, seed, false);
      const BiasStats trunc = from_oracle(c, seed, true);
      std::cout << name_of(t) << " seed " << seed << " RNE: " << describe(rne, t)
                << "\n  truncated: " << describe(trunc, t) << "\n";
      ASSERT_GE(rne.counted, kBiasMinOutputs);
      EXPECT_EQ(rne.counted, trunc.counted);
      // Uniform rounding error: mean 0, sd 1/sqrt(12) = 0.2887 (error-model.md).
      EXPECT_LE(std::fabs(rne.z), kBiasZLimit);
      EXPECT_NEAR(rne.sd, 0.2887, 0.03);
      EXPECT_LE(std::fabs(rne.max), 0.5);
      EXPECT_NEAR(trunc.mean, -0.5, 0.05);
      EXPECT_LT(trunc.z, -30);
      EXPECT_LE(trunc.max, 0.0);
      EXPECT_GT(trunc.min, -1.0);
    }
  }
}

TEST(BiasStatistic, SkipsRepeatedRepresentableAndSubnormalOutputs) {
  // Row 0: four equal logits, outputs exactly 1/4: the first is representable (error 0 for any
  // kernel), the other three repeat it. Row 1: a logit 30 below the others gives ~1e-14, below
  // f16's smallest normal; the other three are counted.
  Contract c = contract_for(DType::f16);
  Batch b;
  b.dtype = DType::f16;
  b.rows = 2;
  b.cols = 4;
  b.x = {1.0, 1.0, 1.0, 1.0, 0.0, 0.5, -30.0, 0.25};
  Buffer y(b.dtype, b.x.size());
  for (std::size_t r = 0; r < b.rows; ++r) {
    const RowReference ref = softmax_reference(b.row(r), b.dtype);
    for (std::size_t j = 0; j < b.cols; ++j) y.set(r * b.cols + j, ref.rounded[j]);
  }
  const BiasStats s = bias_stats(c, b, y);
  EXPECT_EQ(s.skipped_repeat, 3u);  // row 0: three repeats of x = 1
  EXPECT_EQ(s.skipped_exact, 1u);   // row 0: the first 1/4
  EXPECT_EQ(s.skipped_small, 1u);   // row 1: exp(-30 - 0.5) / sum
  EXPECT_EQ(s.counted, 3u);
}

TEST(BiasProperty, RegisteredHalfKernelsAreUnbiased) {
  int kernels = 0;
  for (const Kernel& k : builtin_kernels()) {
    const Contract& c = k.contract;
    if (c.op != Op::softmax || (c.dtype != DType::f16 && c.dtype != DType::bf16)) continue;
    if (auto why = k.unrunnable_reason()) {  // e.g. a SIMD target this CPU lacks: a visible skip
      std::cout << "[  NOTE    ] not run here: " << k.contract.name << ": " << *why << "\n";
      continue;
    }
    ++kernels;
    double worst = 0;
    for (uint64_t seed : kSeeds) {
      const BiasStats s = measure(k, seed);
      ASSERT_GE(s.counted, kBiasMinOutputs) << c.name;
      const double se = s.sd / std::sqrt(static_cast<double>(s.counted));
      std::cout << fmt::format(
          "{} seed {:#x}: mean {:+.4f} sd {:.4f} N {} z {:+.2f} (accumulation "
          "allowance {:.2g} ulp = {:.2f} in z)\n",
          c.name, seed, s.mean, s.sd, s.counted, s.z, s.accum_shift_bound,
          s.accum_shift_bound / se);
      EXPECT_LE(std::fabs(s.z), kBiasZLimit) << c.name << "\n" << describe(s, c.dtype);
      worst = std::max(worst, std::fabs(s.z));
    }
    std::cout << fmt::format("{}: largest |z| over {} seeds {:.2f}\n", c.name, std::size(kSeeds),
                             worst);
  }
  EXPECT_GE(kernels, 5);  // f16 shifted, online, naive; bf16 shifted, online (+ SIMD variants)
}

TEST(BiasProperty, TruncatingBf16KernelShowsMinusHalfUlp) {
  for (const Kernel& k : wrong_half_kernels()) {
    if (k.contract.name != "bf16_softmax_shifted_truncate__scalar") continue;
    for (uint64_t seed : kSeeds) {
      const BiasStats s = measure(k, seed);
      std::cout << k.contract.name << " seed " << seed << ": " << describe(s, k.contract.dtype)
                << "\n";
      EXPECT_NEAR(s.mean, -0.5, 0.05);
      EXPECT_LT(s.z, -kBiasZLimit);
    }
    return;
  }
  FAIL() << "bf16_softmax_shifted_truncate__scalar not found";
}

}  // namespace
}  // namespace softcheck
