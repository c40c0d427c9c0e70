// Each wrong-on-purpose kernel of the derived ops (tests/ops/wrong_op_kernels.cpp) is caught by the
// property named for its bug class, with the default RunConfig and the fixed CI seed (issue 4:
// "each wrong-on-purpose kernel is caught by its named property"). The failure report is printed:
// it must show the input in hex, expected, got and the bound with its derivation.
#include <gtest/gtest.h>

#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "properties/runner.hpp"
#include "tests/ops/wrong_op_kernels.hpp"

namespace softcheck {
namespace {

struct Expectation {
  std::string kernel;    // wrong_op_kernels() name
  std::string property;  // the catalogue property that must fail it
};

void PrintTo(const Expectation& e, std::ostream* os) { *os << e.kernel << " / " << e.property; }

const Kernel& wrong_kernel(const std::string& name) {
  static const std::vector<Kernel> all = testing::wrong_op_kernels();
  for (const Kernel& k : all)
    if (k.contract.name == name) return k;
  throw std::invalid_argument("no wrong-on-purpose kernel " + name);
}

const Property& property(const std::string& name) {
  for (const Property* p : all_properties())
    if (p->name == name) return *p;
  throw std::invalid_argument("no property " + name);
}

class WrongOpKernel : public ::testing::TestWithParam<Expectation> {};

TEST_P(WrongOpKernel, IsCaughtByItsProperty) {
  const Expectation& e = GetParam();
  const Kernel& k = wrong_kernel(e.kernel);
  const Property& p = property(e.property);
  ASSERT_TRUE(p.applies(k.contract)) << "the property must apply to the contract the kernel claims";
  const PropertyOutcome o = run_property(k, p, InProcessInvoker{}, RunConfig{});
  std::cout << format_outcome(o) << "\n";
  EXPECT_EQ(o.verdict, Verdict::failed) << format_outcome(o);
  EXPECT_NE(o.message.find("0x"), std::string::npos) << "the report must show values in hex";
}

const std::string kLogOfSoftmax = "f32_log_softmax_shifted__scalar_wrong_log_of_softmax";
const std::string kLseCancel = "f32_log_softmax_shifted__scalar_wrong_lse_cancellation";
const std::string kUnweighted = "f32_softmax_backward_shifted__scalar_wrong_unweighted_dot";
const std::string kOneBased = "f32_cross_entropy_shifted__scalar_wrong_one_based_label";
const std::string kMultiplied = "f32_softmax_temp_shifted__scalar_wrong_multiplied_tau";

INSTANTIATE_TEST_SUITE_P(
    Issue4, WrongOpKernel,
    ::testing::Values(
        // log(softmax(x)): -inf once x_j - max < -103.97, subnormal probabilities before that.
        Expectation{kLogOfSoftmax, "log_softmax_finite"},
        Expectation{kLogOfSoftmax, "log_softmax_accuracy"},
        // x - (max + log sum): whole-number log-probabilities at offsets near 1e7.
        Expectation{kLseCancel, "log_softmax_large_offset"},
        // y * (dy - sum dy): backward(1) = y (1 - n), not 0.
        Expectation{kUnweighted, "backward_null_direction"},
        Expectation{kUnweighted, "backward_accuracy"},
        Expectation{kUnweighted, "backward_symmetry"},
        // one-hot at label - 1: dx off the oracle, dx[label] = p_label > 0, and dx is no longer
        // the gradient of the (correct) loss.
        Expectation{kOneBased, "cross_entropy_dx_accuracy"},
        Expectation{kOneBased, "cross_entropy_dx_label_range"},
        Expectation{kOneBased, "cross_entropy_directional_derivative"},
        // softmax(x * tau): sharpens as tau grows, flattens as it falls.
        Expectation{kMultiplied, "temp_agrees"}, Expectation{kMultiplied, "temp_high_limit"},
        Expectation{kMultiplied, "temp_low_limit"}),
    [](const auto& info) {
      const std::string& k = info.param.kernel;
      return k.substr(k.find("_wrong_") + 7) + "__" + info.param.property;
    });

}  // namespace
}  // namespace softcheck
