// Temperature softmax at tau = +inf is a special value, not an accuracy question: (-inf) / inf is
// NaN, so a kernel that divides a masked logit by tau gives NaN rows there. Its contract states the
// policy (Contract::infinite_tau); temp_agrees no longer judges those rows, and temp_infinite_tau
// checks the declared policy: the built-in kernel (the tau -> inf limit) passes it, a kernel with
// NaN rows passes as policy nan and fails as policy limit.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "impl/registry.hpp"
#include "properties/runner.hpp"

namespace softcheck {
namespace {

const Kernel& builtin_temp() {
  const Kernel* k = find_kernel("f32_softmax_temp_shifted__scalar");
  if (!k) throw std::runtime_error("no f32_softmax_temp_shifted__scalar");
  return *k;
}

// The built-in kernel, except that at tau = +inf a row with a -inf logit becomes NaN, as
// (x - max) / tau does for x = -inf in a kernel that does not keep masks aside.
void nan_at_infinite_tau(const void* x, void* y, std::size_t rows, std::size_t cols, double tau) {
  std::get<TemperatureFn>(builtin_temp().entry)(x, y, rows, cols, tau);
  if (tau != std::numeric_limits<double>::infinity()) return;
  const float* xf = static_cast<const float*>(x);
  float* yf = static_cast<float*>(y);
  for (std::size_t r = 0; r < rows; ++r) {
    bool masked = false;
    for (std::size_t j = 0; j < cols; ++j) masked = masked || xf[r * cols + j] == -INFINITY;
    if (masked)
      for (std::size_t j = 0; j < cols; ++j) yf[r * cols + j] = NAN;
  }
}

Kernel nan_kernel(InfiniteTauPolicy declared) {
  Kernel k{builtin_temp().contract, TemperatureFn{nan_at_infinite_tau}};
  k.contract.name += "_nan_at_infinite_tau";
  k.contract.infinite_tau = declared;
  return k;
}

Verdict verdict(const Kernel& k, const std::string& property) {
  for (const PropertyOutcome& o : check_kernel(k, InProcessInvoker{}, RunConfig{}, property)) {
    if (o.verdict != Verdict::passed) std::printf("%s\n", format_outcome(o).c_str());
    return o.verdict;
  }
  return Verdict::skipped;
}

TEST(InfiniteTau, BuiltinKernelFollowsTheLimitPolicy) {
  EXPECT_EQ(builtin_temp().contract.infinite_tau, InfiniteTauPolicy::limit);
  EXPECT_EQ(verdict(builtin_temp(), "temp_infinite_tau"), Verdict::passed);
}

TEST(InfiniteTau, DocumentedNanPolicyPassesTempAgreesAndItsOwnProperty) {
  const Kernel k = nan_kernel(InfiniteTauPolicy::nan);
  EXPECT_EQ(verdict(k, "temp_agrees"), Verdict::passed);
  EXPECT_EQ(verdict(k, "temp_infinite_tau"), Verdict::passed);
}

TEST(InfiniteTau, NanRowsFailWhenTheContractPromisesTheLimit) {
  EXPECT_EQ(verdict(nan_kernel(InfiniteTauPolicy::limit), "temp_infinite_tau"), Verdict::failed);
}

TEST(InfiniteTau, UnspecifiedPolicyIsNotChecked) {
  const Kernel k = nan_kernel(InfiniteTauPolicy::unspecified);
  const auto props = properties_for(k.contract);
  EXPECT_TRUE(std::none_of(props.begin(), props.end(),
                           [](const Property* p) { return p->name == "temp_infinite_tau"; }));
}

}  // namespace
}  // namespace softcheck
