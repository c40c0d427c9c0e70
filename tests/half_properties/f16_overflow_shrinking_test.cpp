// The f16 overflow threshold found by shrinking (issue 3): f16_softmax_naive__scalar rounds each
// exp(x) to f16, which overflows for x >= ln(65520) = 11.09011 (error-model.md, thresholds). Run
// outside its declared domain (max_logit lifted; the underflow side, min_row_max, kept, as
// tests/properties/overflow_shrinking_test.cpp does for f32), the accuracy property must fail and
// shrink the counterexample to a row whose largest logit is within one f16 ulp (2^-7 at 11) of
// 11.09011: 11.0859375, the last logit with a finite f16 exp, or 11.09375, the first without
// (measured: 11.09375 exactly, on the fixed seed and on seeds 1-12). The underflow side of the
// domain is found the same way.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <iostream>
#include <string>

#include "impl/registry.hpp"
#include "properties/runner.hpp"

namespace softcheck {
namespace {

constexpr double kF16ExpOverflow = 11.09011;  // ln(65520): exp rounds to f16 inf from here on
constexpr double kF16ExpToZero = -17.32868;   // ln(2^-25): exp rounds to f16 0 from here down

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

// Runs accuracy on the naive kernel with its domain changed by `widen` and returns the largest
// logit of the shrunk counterexample (NaN when the property did not fail).
template <class Widen>
double shrunk_largest_logit(Widen widen) {
  const Kernel* naive = find_kernel("f16_softmax_naive__scalar");
  if (naive == nullptr) return NAN;
  Kernel widened = *naive;
  widen(widened.contract.domain);
  const Property* accuracy = nullptr;
  for (const Property* p : properties_for(widened.contract))
    if (p->name == "accuracy") accuracy = p;
  if (accuracy == nullptr) return NAN;
  RunConfig config;
  config.seed = seed_from_environment();
  const PropertyOutcome o = run_property(widened, *accuracy, InProcessInvoker{}, config);
  std::cout << format_outcome(o) << "\n";
  if (o.verdict != Verdict::failed) return NAN;
  const double top = largest_logit_in(o.message);
  std::cout << "shrunk largest logit: " << hex(top) << " = " << top << "\n";
  return top;
}

TEST(F16NaiveOverflow, ShrinksToTheF16ExpOverflowThreshold) {
  const double top = shrunk_largest_logit([](Domain& d) {
    d.max_logit = INFINITY;  // the underflow side (min_row_max) is kept
    d.max_lse = INFINITY;
  });
  ASSERT_FALSE(std::isnan(top)) << "accuracy did not fail outside the domain";
  EXPECT_LE(std::fabs(top - kF16ExpOverflow), ulp(DType::f16, kF16ExpOverflow));
}

// The other end of the domain: with min_row_max lifted instead, a row whose every exp rounds to 0
// in f16 gives 0/0. Shrinking lands within one f16 ulp (2^-6 at 17) of -17.32868 (error-model.md:
// an f16 exp rounds to 0 at x <= -17.32868; -17.34375 is the first f16 value there).
TEST(F16NaiveOverflow, ShrinksToTheF16ExpUnderflowThreshold) {
  const double top = shrunk_largest_logit([](Domain& d) { d.min_row_max = -INFINITY; });
  ASSERT_FALSE(std::isnan(top)) << "accuracy did not fail outside the domain";
  EXPECT_LE(std::fabs(top - kF16ExpToZero), ulp(DType::f16, kF16ExpToZero));
}

}  // namespace
}  // namespace softcheck
