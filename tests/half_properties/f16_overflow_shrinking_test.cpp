// The f16 overflow threshold found by shrinking (issue 3): f16_softmax_naive__scalar rounds each
// exp(x) to f16, which overflows for x >= ln(65520) = 11.09011 (error-model.md, thresholds). Run
// outside its declared domain (max_logit lifted; the underflow side, min_row_max, kept, as
// tests/properties/overflow_shrinking_test.cpp does for f32), the accuracy property must fail and
// shrink the counterexample to a row whose largest logit is within one f16 ulp (2^-7 at 11) of
// 11.09011: 11.0859375, the last logit with a finite f16 exp, or 11.09375, the first without.
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <string>

#include <gtest/gtest.h>

#include "impl/registry.hpp"
#include "properties/runner.hpp"

namespace softcheck {
namespace {

constexpr double kF16ExpOverflow = 11.09011;  // ln(65520): exp rounds to f16 inf from here on

// Largest logit of the shrunk counterexample, read from its input line "x[0] = [a, b, ...]".
double largest_logit_in(const std::string& message) {
  const auto start = message.find("x[0] = [");
  if (start == std::string::npos) return NAN;
  const auto end = message.find(']', start + 8);
  double top = -INFINITY;
  const char* p = message.c_str() + start + 8;
  while (p < message.c_str() + end) {
    char* next = nullptr;
    const double v = std::strtod(p, &next);
    if (next == p) break;
    top = std::max(top, v);
    p = next + (*next == ',' ? 1 : 0);
  }
  return top;
}

TEST(F16NaiveOverflow, ShrinksToTheF16ExpThreshold) {
  const Kernel* naive = find_kernel("f16_softmax_naive__scalar");
  ASSERT_NE(naive, nullptr);
  Kernel unbounded = *naive;
  unbounded.contract.domain.max_logit = INFINITY;
  unbounded.contract.domain.max_lse = INFINITY;
  const Property* accuracy = nullptr;
  for (const Property* p : properties_for(unbounded.contract))
    if (p->name == "accuracy") accuracy = p;
  ASSERT_NE(accuracy, nullptr);
  RunConfig config;
  config.seed = seed_from_environment();
  const PropertyOutcome o = run_property(unbounded, *accuracy, InProcessInvoker{}, config);
  std::cout << format_outcome(o) << "\n";
  ASSERT_EQ(o.verdict, Verdict::failed);
  const double top = largest_logit_in(o.message);
  std::cout << "shrunk largest logit: " << hex(top) << " = " << top << "\n";
  EXPECT_LE(std::fabs(top - kF16ExpOverflow), ulp(DType::f16, kF16ExpOverflow)) << o.message;
}

// Inside its domain the same kernel passes every property (with the same seed).
TEST(F16NaiveOverflow, InsideItsDomainTheNaiveKernelPasses) {
  const Kernel* naive = find_kernel("f16_softmax_naive__scalar");
  ASSERT_NE(naive, nullptr);
  RunConfig config;
  config.seed = seed_from_environment();
  const Property* accuracy = nullptr;
  for (const Property* p : properties_for(naive->contract))
    if (p->name == "accuracy") accuracy = p;
  ASSERT_NE(accuracy, nullptr);
  const PropertyOutcome o = run_property(*naive, *accuracy, InProcessInvoker{}, config);
  EXPECT_EQ(o.verdict, Verdict::passed) << format_outcome(o);
}

}  // namespace
}  // namespace softcheck
