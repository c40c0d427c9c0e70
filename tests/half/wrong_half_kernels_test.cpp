// Fixture check for softcheck_wrong_half: each wrong-on-purpose kernel claims a correct contract,
// really carries its defect on the input that triggers it, and differs there from its correct twin
// in impl/half. (Whether the property catalogue catches each one, and by which property, is tested
// with the catalogue.)
#include "tests/half/wrong_half_kernels.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "impl/registry.hpp"
#include "softcheck/dtype.hpp"

namespace softcheck {
namespace {

const Kernel& find(const std::vector<Kernel>& ks, std::string_view name) {
  for (const Kernel& k : ks)
    if (k.contract.name == name) return k;
  throw std::runtime_error("no kernel " + std::string(name));
}

std::vector<double> run(const Kernel& k, const std::vector<double>& x) {
  const Buffer in = Buffer::from_values(k.contract.dtype, x);
  Buffer out(k.contract.dtype, x.size());
  std::get<RowwiseFn>(k.entry)(in.data(), out.data(), 1, x.size());
  return out.values();
}

const std::vector<Kernel>& wrong() {
  static const std::vector<Kernel> ks = wrong_half_kernels();
  return ks;
}
const std::vector<Kernel>& correct() {
  static const std::vector<Kernel> ks = half_softmax_kernels();
  return ks;
}

TEST(WrongHalfKernels, ClaimTheContractOfACorrectKernel) {
  ASSERT_EQ(wrong().size(), 3u);
  for (const Kernel& k : wrong()) {
    const Contract& c = k.contract;
    EXPECT_EQ(c.accum, DType::f32) << c.name;
    EXPECT_EQ(c.algorithm, Algorithm::shifted) << c.name;
    EXPECT_EQ(c.exp_ulps, 1.0) << c.name;
    EXPECT_TRUE(std::isinf(c.domain.max_logit)) << c.name;
    EXPECT_THROW(find(correct(), c.name), std::runtime_error) << c.name << " shadows a real kernel";
  }
}

TEST(WrongHalfKernels, F16SumSticksAt2048) {
  const std::vector<double> zeros(4096, 0.0);
  EXPECT_EQ(run(find(wrong(), "f16_softmax_shifted_f16sum__scalar"), zeros)[0], 0x1p-11);
  EXPECT_EQ(run(find(correct(), "f16_softmax_shifted__scalar"), zeros)[0], 0x1p-12);
}

TEST(WrongHalfKernels, Bf16TruncationRoundsTowardZero) {
  // softmax of (0, 1) is 0.26894, 0.73106: the nearest bf16 values are 0x1.14p-2 and 0x1.76p-1;
  // truncation gives the ones below, 0x1.12p-2 and 0x1.76p-1 (already below).
  const std::vector<double> x{0.0, 1.0};
  const std::vector<double> bad = run(find(wrong(), "bf16_softmax_shifted_truncate__scalar"), x);
  const std::vector<double> good = run(find(correct(), "bf16_softmax_shifted__scalar"), x);
  EXPECT_EQ(good[0], 0x1.14p-2);
  EXPECT_EQ(bad[0], 0x1.12p-2);
}

TEST(WrongHalfKernels, UnshiftedF16ExpOverflowsPast11_09) {
  const Kernel& bad = find(wrong(), "f16_softmax_unshifted_f16exp__scalar");
  const Kernel& good = find(correct(), "f16_softmax_shifted__scalar");
  const std::vector<double> x{11.09375, 11.0};  // first f16 logit whose f16 exp is inf
  EXPECT_TRUE(std::isnan(run(bad, x)[0]));
  EXPECT_TRUE(std::isfinite(run(good, x)[0]));
  const std::vector<double> inside{11.0859375, 11.0};  // last one whose f16 exp is finite
  EXPECT_TRUE(std::isfinite(run(bad, inside)[0]));
}

}  // namespace
}  // namespace softcheck
