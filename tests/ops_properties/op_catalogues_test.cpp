// Which properties each derived op gets: the built-in kernels of log_softmax, softmax_backward,
// cross_entropy and softmax_temp are run through exactly these by tests/properties/
// builtin_kernels_test.cpp (registry x properties_for), so a property dropped from a catalogue or
// applied to the wrong op shows up here as a diff of names.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "impl/registry.hpp"
#include "properties/property.hpp"

namespace softcheck {
namespace {

const std::map<Op, std::vector<std::string>>& expected() {
  static const std::map<Op, std::vector<std::string>> m{
      {Op::log_softmax,
       {"log_softmax_nonpositive", "log_softmax_finite", "log_softmax_exp_agrees",
        "log_softmax_accuracy", "log_softmax_large_offset", "log_softmax_special_values"}},
      {Op::softmax_backward,
       {"backward_accuracy", "backward_null_direction", "backward_psd", "backward_symmetry",
        "backward_sum_zero", "backward_shift_invariance"}},
      {Op::cross_entropy,
       {"cross_entropy_dx_accuracy", "cross_entropy_dx_sum_zero", "cross_entropy_dx_label_range",
        "cross_entropy_loss_accuracy", "cross_entropy_directional_derivative",
        "cross_entropy_saturation"}},
      {Op::softmax_temp,
       {"temp_agrees", "temp_high_limit", "temp_low_limit", "temp_exact_one_hot", "temp_infinite_tau",
        "temp_entropy_monotone"}},
  };
  return m;
}

std::vector<std::string> names(const std::vector<const Property*>& ps) {
  std::vector<std::string> v;
  for (const Property* p : ps) v.push_back(p->name);
  return v;
}

TEST(OpCatalogues, EveryBuiltinKernelOfADerivedOpGetsItsWholeCatalogue) {
  std::map<Op, int> kernels;
  for (const Kernel& k : builtin_kernels()) {
    const auto it = expected().find(k.contract.op);
    if (it == expected().end()) continue;
    ++kernels[k.contract.op];
    EXPECT_EQ(names(properties_for(k.contract)), it->second) << k.contract.name;
  }
  // impl/ops registers f32 and f64 kernels of every derived op (log-softmax also f16 and bf16).
  for (const auto& [op, props] : expected()) EXPECT_GE(kernels[op], 2) << name_of(op);
}

TEST(OpCatalogues, PropertyNamesAreUniqueAndGtestSafe) {
  std::set<std::string> seen;
  for (const Property* p : all_properties()) {
    EXPECT_TRUE(seen.insert(p->name).second) << "duplicate property " << p->name;
    // builtin_kernels_test builds gtest parameter names from them: [A-Za-z0-9_] only.
    EXPECT_TRUE(std::all_of(p->name.begin(), p->name.end(), [](char ch) {
      return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_';
    })) << p->name;
    EXPECT_FALSE(p->summary.empty()) << p->name;
  }
}

TEST(OpCatalogues, EachCatalogueAppliesOnlyToItsOp) {
  for (const auto& [op, props] : expected()) {
    for (Op other : kAllOps) {
      if (other == op) continue;
      Contract c;
      c.op = other;
      const std::vector<std::string> got = names(properties_for(c));
      for (const std::string& p : props)
        EXPECT_EQ(std::count(got.begin(), got.end(), p), 0)
            << p << " applies to " << name_of(other);
    }
  }
}

TEST(OpCatalogues, BoundDependentPropertiesStepAsideForUnboundedAlgorithms) {
  // No log-softmax bound is derived for the online form: only the bound-free properties remain.
  Contract c;
  c.op = Op::log_softmax;
  c.algorithm = Algorithm::online;
  EXPECT_EQ(names(properties_for(c)),
            (std::vector<std::string>{"log_softmax_nonpositive", "log_softmax_finite",
                                      "log_softmax_special_values"}));
}

}  // namespace
}  // namespace softcheck
