// Every registered kernel passes every property that its contract makes apply, with the fixed CI
// seed (SOFTCHECK_SEED=random, or a number, reruns with another). Peers (adapters/) are checked
// by tests/adapters against their known findings instead.
#include <gtest/gtest.h>

#include "adapters/peer_kernels.hpp"
#include "impl/registry.hpp"
#include "properties/runner.hpp"

namespace softcheck {
namespace {

struct Case {
  const Kernel* kernel;
  const Property* property;
};

std::vector<Case> all_cases() {
  std::vector<Case> v;
  for (const Kernel& k : builtin_kernels())
    if (!is_peer(k.contract))
      for (const Property* p : properties_for(k.contract)) v.push_back({&k, p});
  return v;
}

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.kernel->contract.name << " / " << c.property->name;
}

class BuiltinKernel : public ::testing::TestWithParam<Case> {};

TEST_P(BuiltinKernel, HoldsProperty) {
  const Case& c = GetParam();
  RunConfig config;
  config.seed = seed_from_environment();
  const PropertyOutcome o = run_property(*c.kernel, *c.property, InProcessInvoker{}, config);
  std::cout << format_outcome(o) << "\n";
  if (o.verdict == Verdict::skipped) GTEST_SKIP() << o.message;
  EXPECT_EQ(o.verdict, Verdict::passed) << format_outcome(o);
}

INSTANTIATE_TEST_SUITE_P(Registry, BuiltinKernel, ::testing::ValuesIn(all_cases()),
                         [](const auto& info) {
                           return info.param.kernel->contract.name + "__" + info.param.property->name;
                         });

TEST(Registry, NamesAreUniqueAndContractsComplete) {
  std::set<std::string> names;
  for (const Kernel& k : builtin_kernels()) {
    EXPECT_TRUE(names.insert(k.contract.name).second) << "duplicate kernel " << k.contract.name;
    EXPECT_FALSE(k.contract.summary.empty()) << k.contract.name;
    EXPECT_GT(k.contract.exp_ulps, 0) << k.contract.name;
    EXPECT_FALSE(properties_for(k.contract).empty()) << k.contract.name << " has no properties";
  }
  EXPECT_GE(names.size(), 8u);
}

}  // namespace
}  // namespace softcheck
