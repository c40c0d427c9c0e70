// The naive kernel outside its declared domain: the accuracy property must fail and shrink the
// counterexample to a row whose largest logit sits on exp's overflow threshold (f32 88.7228,
// f64 709.78), which shows that the generators aim past the threshold and the shrinker walks the
// format's values down to it.
#include <cmath>
#include <regex>

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include "impl/registry.hpp"
#include "properties/generators.hpp"
#include "properties/runner.hpp"

namespace softcheck {
namespace {

// Largest logit of the shrunk counterexample, read back from the failure's input line.
double largest_logit_in(const std::string& message) {
  const auto pos = message.find("x[0] = [");
  EXPECT_NE(pos, std::string::npos) << message;
  std::string row = message.substr(pos + 8, message.find(']', pos + 8) - pos - 8);
  double best = -INFINITY;
  std::size_t start = 0;
  while (start < row.size()) {
    const std::size_t end = row.find(',', start);
    const std::string item = row.substr(start, end == std::string::npos ? std::string::npos : end - start);
    best = std::max(best, std::strtod(item.c_str(), nullptr));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return best;
}

void expect_overflow_found(const char* kernel_name, double lo, double hi) {
  const Kernel* naive = find_kernel(kernel_name);
  ASSERT_NE(naive, nullptr);
  Kernel unbounded = *naive;
  // Pretend the kernel claims rows of any size (keep the underflow side of its domain).
  unbounded.contract.domain.max_lse = INFINITY;
  unbounded.contract.domain.max_logit = INFINITY;
  const Property* accuracy = nullptr;
  for (const Property* p : properties_for(unbounded.contract))
    if (p->name == "accuracy") accuracy = p;
  ASSERT_NE(accuracy, nullptr);
  RunConfig config;
  config.seed = seed_from_environment();
  config.cases = 300;
  const PropertyOutcome o = run_property(unbounded, *accuracy, InProcessInvoker{}, config);
  std::cout << format_outcome(o) << "\n";
  ASSERT_EQ(o.verdict, Verdict::failed);
  const double top = largest_logit_in(o.message);
  EXPECT_GE(top, lo) << o.message;
  EXPECT_LE(top, hi) << o.message;
}

TEST(NaiveOverflow, F32ShrinksToThreshold) {
  expect_overflow_found("f32_softmax_naive__scalar", 88.70, 88.80);
}

TEST(NaiveOverflow, F64ShrinksToThreshold) {
  expect_overflow_found("f64_softmax_naive__scalar", 709.70, 709.80);
}

TEST(NaiveOverflow, InsideItsDomainTheNaiveKernelPasses) {
  const Kernel* naive = find_kernel("f32_softmax_naive__scalar");
  ASSERT_NE(naive, nullptr);
  RunConfig config;
  config.seed = seed_from_environment();
  for (const PropertyOutcome& o : check_kernel(*naive, InProcessInvoker{}, config))
    EXPECT_EQ(o.verdict, Verdict::passed) << format_outcome(o);
}

}  // namespace
}  // namespace softcheck
