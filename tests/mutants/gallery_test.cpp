// The gallery with the settings of `softcheck check` (RunConfig defaults: kDefaultSeed, 100 cases
// per property, rows up to 100000 columns, shrinking on): every wrong kernel is caught by the
// property its comment names (memory defects through the IsolatedInvoker, with the expected call
// status in the failure), and every correct kernel passes every property that applies to it.
// SOFTCHECK_SEED=<n>|random reruns with another seed (gallery_seeds_test does several).
#include <gtest/gtest.h>

#include <iostream>
#include <set>
#include <string>

#include "impl/registry.hpp"
#include "tests/mutants/gallery_run.hpp"

namespace softcheck::mutants {
namespace {

const std::vector<Mutant>& wrong() {
  static const std::vector<Mutant> v = gallery();
  return v;
}
const std::vector<Kernel>& right() {
  static const std::vector<Kernel> v = correct_kernels();
  return v;
}

TEST(Gallery, CoversEveryBugClassWithUniqueNames) {
  EXPECT_GE(wrong().size(), 25u);
  EXPECT_GE(right().size(), 8u);
  std::set<std::string> names;
  for (const Kernel& k : builtin_kernels()) names.insert(k.contract.name);
  for (const Mutant& m : wrong())
    EXPECT_TRUE(names.insert(m.kernel.contract.name).second)
        << m.kernel.contract.name << " is a duplicate or shadows a built-in kernel";
  for (const Kernel& k : right())
    EXPECT_TRUE(names.insert(k.contract.name).second)
        << k.contract.name << " is a duplicate or shadows a built-in kernel";
  std::set<BugClass> classes;
  for (const Mutant& m : wrong()) classes.insert(m.bug_class);
  for (int i = 0; i < kBugClassCount; ++i)
    EXPECT_TRUE(classes.count(static_cast<BugClass>(i)))
        << "no wrong kernel of the class: " << name_of(static_cast<BugClass>(i));
}

class WrongKernel : public ::testing::TestWithParam<std::size_t> {};

TEST_P(WrongKernel, IsCaughtByItsExpectedProperty) {
  const Mutant& m = wrong()[GetParam()];
  RunConfig config;
  config.seed = seed_from_environment();
  const Catch c = run_mutant(m, config);
  std::cout << c.summary() << "\n";
  EXPECT_TRUE(c.caught()) << c.summary() << "\n" << format_outcome(c.expected);
}

INSTANTIATE_TEST_SUITE_P(Gallery, WrongKernel, ::testing::Range<std::size_t>(0, wrong().size()),
                         [](const auto& info) { return wrong()[info.param].kernel.contract.name; });

struct Case {
  const Kernel* kernel;
  const Property* property;
};

std::vector<Case> correct_cases() {
  std::vector<Case> v;
  for (const Kernel& k : right())
    for (const Property* p : properties_for(k.contract)) v.push_back({&k, p});
  return v;
}

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.kernel->contract.name << " / " << c.property->name;
}

class CorrectKernel : public ::testing::TestWithParam<Case> {};

TEST_P(CorrectKernel, HoldsProperty) {
  const Case& c = GetParam();
  RunConfig config;
  config.seed = seed_from_environment();
  const PropertyOutcome o = run_property(*c.kernel, *c.property, InProcessInvoker{}, config);
  std::cout << format_outcome(o) << "\n";
  EXPECT_EQ(o.verdict, Verdict::passed) << format_outcome(o);
}

INSTANTIATE_TEST_SUITE_P(Gallery, CorrectKernel, ::testing::ValuesIn(correct_cases()),
                         [](const auto& info) {
                           return info.param.kernel->contract.name + "__" +
                                  info.param.property->name;
                         });

}  // namespace
}  // namespace softcheck::mutants
