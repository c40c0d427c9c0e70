// The runner keeps softcheck's own errors apart from the kernel's failures: an exception from an
// oracle, bound or generator is the verdict ERROR (nothing is known about the kernel), never
// FAILED; a property's RC_ASSERT failure stays FAILED.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <stdexcept>
#include <vector>

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

// Crashes on every row of 3 or more columns, as an out-of-bounds tail would; records the shapes.
class CrashesFromThreeColumns final : public Invoker {
 public:
  CallResult call(const Kernel& k, const Call& c) const override {
    shapes.push_back({c.rows, c.cols});
    if (c.cols < 3) return inner.call(k, c);
    CallResult r;
    r.status = CallStatus::crashed;
    r.reason = "SIGSEGV";
    return r;
  }
  mutable std::vector<std::pair<std::size_t, std::size_t>> shapes;
  InProcessInvoker inner;
};

TEST(Runner, ACrashShrinksByShapeOnlyAndStopsAtTheSmallestFailingShape) {
  const Property* accuracy = nullptr;
  for (const Property* p : properties_for(kernel().contract))
    if (p->name == "accuracy") accuracy = p;
  ASSERT_NE(accuracy, nullptr);
  CrashesFromThreeColumns invoker;
  RunConfig config;
  config.diagnose = false;  // the diagnosis's own calls probe every width on purpose
  const PropertyOutcome o = run_property(kernel(), *accuracy, invoker, config);
  ASSERT_EQ(o.verdict, Verdict::failed) << format_outcome(o);
  EXPECT_NE(o.message.find("crashed"), std::string::npos) << o.message;
  EXPECT_NE(o.message.find("rows=1 cols=3"), std::string::npos) << o.message;
  // After the first crash, every call made has a shape below every crash before it: no value of
  // a shape already known to crash is tried again.
  std::size_t first = 0;
  while (first < invoker.shapes.size() && invoker.shapes[first].second < 3) ++first;
  ASSERT_LT(first, invoker.shapes.size());
  auto smallest = invoker.shapes[first];
  for (std::size_t i = first + 1; i < invoker.shapes.size(); ++i) {
    const auto [rows, cols] = invoker.shapes[i];
    EXPECT_TRUE(rows <= smallest.first && cols <= smallest.second &&
                (rows < smallest.first || cols < smallest.second))
        << "call " << i << ": " << rows << " x " << cols << " after a crash at " << smallest.first
        << " x " << smallest.second;
    if (cols >= 3) smallest = {rows, cols};
  }
  EXPECT_LT(o.seconds, RunConfig{}.shrink_seconds) << "the shrink budget was spent";
}

}  // namespace
}  // namespace softcheck
