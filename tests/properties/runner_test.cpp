// The runner keeps softcheck's own errors apart from the kernel's failures: an exception from an
// oracle, bound or generator is the verdict ERROR (nothing is known about the kernel), never
// FAILED; a property's RC_ASSERT failure stays FAILED.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <stdexcept>

#include "impl/registry.hpp"
#include "properties/runner.hpp"

namespace softcheck {
namespace {

const Kernel& kernel() {
  const Kernel* k = find_kernel("f32_softmax_shifted__scalar");
  EXPECT_NE(k, nullptr);
  return *k;
}

bool always(const Contract&) { return true; }

void throws_on_the_third_case(const PropertyContext&) {
  const int v = *rc::gen::inRange(0, 1000);
  static int calls = 0;
  if (++calls % 3 == 0) throw std::invalid_argument("oracle: refuses " + std::to_string(v));
}

void fails_when_large(const PropertyContext&) {
  const int v = *rc::gen::inRange(0, 1000);
  RC_ASSERT(v < 500);
}

TEST(Runner, AnExceptionOfSoftcheckIsAnErrorNotAFailureOfTheKernel) {
  const Property p{"throws", "throws", always, throws_on_the_third_case};
  RunConfig config;
  int progress = 0;
  config.on_case = [&](int cases) { progress = cases; };
  InProcessInvoker invoker;
  const PropertyOutcome o = run_property(kernel(), p, invoker, config);
  EXPECT_EQ(o.verdict, Verdict::error) << format_outcome(o);
  EXPECT_EQ(name_of(o.verdict), "ERROR");
  EXPECT_NE(o.message.find("oracle: refuses"), std::string::npos) << o.message;
  EXPECT_NE(o.message.find("not a failure of the kernel"), std::string::npos) << o.message;
  EXPECT_EQ(o.cases, 2);
  EXPECT_EQ(progress, 2);
  EXPECT_NE(format_outcome(o).find("reproduce:"), std::string::npos);
}

// Fails for large values; once it has failed, every passing candidate throws.
void fails_then_throws(const PropertyContext&) {
  static bool failed_once = false;
  const int v = *rc::gen::inRange(0, 1000);
  if (v >= 500) {
    failed_once = true;
    RC_FAIL("large");
  }
  if (failed_once) throw std::invalid_argument("oracle: refuses a shrink candidate");
}

TEST(Runner, AnErrorWhileShrinkingAFailureKeepsTheFailure) {
  // The shrinker's candidates that pass the assertion throw; the kernel's failure must stand.
  const Property p{"fails_then_throws", "fails, then throws", always, fails_then_throws};
  InProcessInvoker invoker;
  const PropertyOutcome o = run_property(kernel(), p, invoker, RunConfig{});
  EXPECT_EQ(o.verdict, Verdict::failed) << format_outcome(o);
}

TEST(Runner, AFailedAssertionStaysAFailure) {
  const Property p{"fails", "fails", always, fails_when_large};
  InProcessInvoker invoker;
  const PropertyOutcome o = run_property(kernel(), p, invoker, RunConfig{});
  EXPECT_EQ(o.verdict, Verdict::failed) << format_outcome(o);
}

}  // namespace
}  // namespace softcheck
