// The gallery with seeds other than the CI seed (label slow; `make test` leaves it out): catching
// a wrong kernel, and passing a correct one, must not depend on one lucky seed.
#include <gtest/gtest.h>

#include <cstdint>
#include <iostream>
#include <tuple>

#include "tests/mutants/gallery_run.hpp"

namespace softcheck::mutants {
namespace {

constexpr uint64_t kSeeds[] = {1, 2, 3, 0x9e3779b97f4a7c15, 20240611};

const std::vector<Mutant>& wrong() {
  static const std::vector<Mutant> v = gallery();
  return v;
}
const std::vector<Kernel>& right() {
  static const std::vector<Kernel> v = correct_kernels();
  return v;
}

class WrongKernelSeed : public ::testing::TestWithParam<std::tuple<std::size_t, uint64_t>> {};

TEST_P(WrongKernelSeed, IsCaughtByItsExpectedProperty) {
  const auto [i, seed] = GetParam();
  RunConfig config;
  config.seed = seed;
  const Catch c = run_mutant(wrong()[i], config);
  std::cout << "seed " << seed << ": " << c.summary() << "\n";
  EXPECT_TRUE(c.caught()) << "seed " << seed << ": " << c.summary() << "\n"
                          << format_outcome(c.expected);
}

INSTANTIATE_TEST_SUITE_P(Gallery, WrongKernelSeed,
                         ::testing::Combine(::testing::Range<std::size_t>(0, wrong().size()),
                                            ::testing::ValuesIn(kSeeds)),
                         [](const auto& info) {
                           return wrong()[std::get<0>(info.param)].kernel.contract.name + "__seed" +
                                  std::to_string(std::get<1>(info.param));
                         });

class CorrectKernelSeed : public ::testing::TestWithParam<std::tuple<std::size_t, uint64_t>> {};

TEST_P(CorrectKernelSeed, HoldsEveryProperty) {
  const auto [i, seed] = GetParam();
  RunConfig config;
  config.seed = seed;
  for (const PropertyOutcome& o : check_kernel(right()[i], InProcessInvoker{}, config))
    EXPECT_EQ(o.verdict, Verdict::passed) << format_outcome(o);
}

INSTANTIATE_TEST_SUITE_P(Gallery, CorrectKernelSeed,
                         ::testing::Combine(::testing::Range<std::size_t>(0, right().size()),
                                            ::testing::ValuesIn(kSeeds)),
                         [](const auto& info) {
                           return right()[std::get<0>(info.param)].contract.name + "__seed" +
                                  std::to_string(std::get<1>(info.param));
                         });

}  // namespace
}  // namespace softcheck::mutants
