// The wrong-on-purpose half kernels (tests/half/wrong_half_kernels.cpp) under what
// `softcheck check --kernel NAME` runs by default: every property that applies, the default
// RunConfig, the fixed seed. Each must be caught, and by the property aimed at its bug class; the
// outcome of every property is printed so the report shows what else catches it.
#include <gtest/gtest.h>

#include <iostream>
#include <set>
#include <string>

#include "properties/runner.hpp"
#include "tests/half/wrong_half_kernels.hpp"

namespace softcheck {
namespace {

const Kernel& wrong(const std::string& name) {
  static const std::vector<Kernel> all = wrong_half_kernels();
  for (const Kernel& k : all)
    if (k.contract.name == name) return k;
  throw std::runtime_error("no wrong half kernel " + name);
}

// The names of the properties that failed, after printing every outcome.
std::set<std::string> failed_properties(const Kernel& k, const std::string& only = "") {
  const RunConfig config;  // what `softcheck check` uses: kDefaultSeed, 100 cases, shrinking on
  EXPECT_EQ(config.seed, kDefaultSeed);
  std::set<std::string> failed;
  for (const PropertyOutcome& o : check_kernel(k, InProcessInvoker{}, config, only)) {
    std::cout << format_outcome(o) << "\n";
    if (o.verdict == Verdict::failed) failed.insert(o.property);
  }
  return failed;
}

// Sum kept in f16: stuck at 2048, so long rows of comparable logits sum to far less than 1.
TEST(WrongHalfKernels, F16AccumulationIsCaughtBySumToOne) {
  const std::set<std::string> failed =
      failed_properties(wrong("f16_softmax_shifted_f16sum__scalar"));
  EXPECT_TRUE(failed.count("sum_to_one"));
  EXPECT_TRUE(failed.count("accuracy"));
}

// Truncating f32 -> bf16: every output rounded towards zero, mean -0.5 ulp.
TEST(WrongHalfKernels, Bf16TruncationIsCaughtByBias) {
  const std::set<std::string> failed =
      failed_properties(wrong("bf16_softmax_shifted_truncate__scalar"));
  EXPECT_TRUE(failed.count("bias"));
}

// No max shift and exp rounded to f16: overflow from 11.09 on, f16-rounded exps everywhere.
TEST(WrongHalfKernels, UnshiftedF16ExpIsCaughtByAccuracy) {
  const std::set<std::string> failed =
      failed_properties(wrong("f16_softmax_unshifted_f16exp__scalar"));
  EXPECT_TRUE(failed.count("accuracy"));
}

}  // namespace
}  // namespace softcheck
