// The impl/ops family as the registry sees it: the expected kernels, names derived from their
// contracts, entry points of the op's signature; and the wrong-on-purpose kernels of
// tests/ops/wrong_op_kernels.cpp kept out of the registry while claiming the correct contract.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <variant>

#include "impl/registry.hpp"
#include "tests/ops/wrong_op_kernels.hpp"

namespace softcheck::testing {
namespace {

bool entry_matches_op(const Kernel& k) {
  switch (k.contract.op) {
    case Op::softmax:
    case Op::log_softmax:
      return std::holds_alternative<RowwiseFn>(k.entry);
    case Op::softmax_temp:
      return std::holds_alternative<TemperatureFn>(k.entry);
    case Op::softmax_backward:
      return std::holds_alternative<BackwardFn>(k.entry);
    case Op::cross_entropy:
      return std::holds_alternative<CrossEntropyFn>(k.entry);
  }
  return false;
}

std::string expected_name(const Contract& c) {
  return std::string(name_of(c.dtype)) + "_" + std::string(name_of(c.op)) + "_" +
         std::string(name_of(c.algorithm)) + "__" + c.isa;
}

TEST(OpsRegistry, FamilyListsTheExpectedKernels) {
  const std::set<std::string> expected = {
      "f32_log_softmax_shifted__scalar",      "f64_log_softmax_shifted__scalar",
      "f16_log_softmax_shifted__scalar",      "bf16_log_softmax_shifted__scalar",
      "f32_softmax_backward_shifted__scalar", "f64_softmax_backward_shifted__scalar",
      "f32_cross_entropy_shifted__scalar",    "f64_cross_entropy_shifted__scalar",
      "f32_softmax_temp_shifted__scalar",     "f64_softmax_temp_shifted__scalar"};
  std::set<std::string> got;
  for (const Kernel& k : derivative_kernels()) {
    const Contract& c = k.contract;
    EXPECT_TRUE(got.insert(c.name).second) << "duplicate " << c.name;
    EXPECT_EQ(c.name, expected_name(c));
    EXPECT_TRUE(entry_matches_op(k)) << c.name;
    const bool half = c.dtype == DType::f16 || c.dtype == DType::bf16;
    EXPECT_EQ(c.accum, half ? DType::f32 : c.dtype) << c.name;
    EXPECT_EQ(c.all_masked, MaskedRowPolicy::nan) << c.name;
    EXPECT_FALSE(c.summary.empty()) << c.name;
    // Registered: the one list every consumer enumerates finds it.
    const Kernel* found = find_kernel(c.name);
    ASSERT_NE(found, nullptr) << c.name;
    EXPECT_EQ(found->contract.op, c.op);
  }
  EXPECT_EQ(got, expected);
}

TEST(OpsRegistry, WrongKernelsAreNotRegisteredAndClaimTheCorrectContract) {
  const std::vector<Kernel> wrong = wrong_op_kernels();
  EXPECT_EQ(wrong.size(), 5u);
  std::set<Op> ops;
  for (const Kernel& w : wrong) {
    const Contract& c = w.contract;
    ops.insert(c.op);
    EXPECT_TRUE(entry_matches_op(w)) << c.name;
    EXPECT_EQ(find_kernel(c.name), nullptr) << c.name << " must not be registered";
    const Kernel* twin = find_kernel(expected_name(c));
    ASSERT_NE(twin, nullptr) << c.name;
    const Contract& t = twin->contract;
    EXPECT_EQ(c.name.rfind(t.name + "_wrong_", 0), 0u) << c.name;
    EXPECT_TRUE(c.dtype == t.dtype && c.accum == t.accum && c.algorithm == t.algorithm &&
                c.summation == t.summation && c.exp_ulps == t.exp_ulps &&
                c.log_ulps == t.log_ulps && c.all_masked == t.all_masked &&
                c.domain.min_tau == t.domain.min_tau &&
                c.domain.propagates_nan == t.domain.propagates_nan)
        << c.name << " claims less than " << t.name;
  }
  EXPECT_EQ(ops, (std::set<Op>{Op::log_softmax, Op::softmax_backward, Op::cross_entropy,
                               Op::softmax_temp}));
}

}  // namespace
}  // namespace softcheck::testing
