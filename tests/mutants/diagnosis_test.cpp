// The diagnosis experiments (properties/diagnosis) on the gallery: every wrong kernel gets the
// diagnosis of its bug class, correct kernels (the gallery's and the built-in ones) get none, the
// same experiments give the same answer through the isolated invoker that runs plugins, and a
// failed property carries its diagnosis into the outcome and its text.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "adapters/peer_kernels.hpp"
#include "impl/registry.hpp"
#include "impl/simd/simd_targets.hpp"
#include "properties/diagnosis/diagnosis.hpp"
#include "properties/plugin/isolated_invoker.hpp"
#include "tests/mutants/gallery_run.hpp"

namespace softcheck::mutants {
namespace {

std::string shown(const std::optional<Diagnosis>& d) { return format_diagnosis(d); }

TEST(Diagnosis, EveryMutantGetsTheDiagnosisOfItsBugClass) {
  for (const Mutant& m : gallery()) {
    const auto d = diagnose(m.kernel, *invoker_for(m));
    const std::vector<std::string_view> want = diagnoses_for(m);
    if (want.empty()) {
      EXPECT_FALSE(d) << m.kernel.contract.name << " (" << name_of(m.bug_class)
                      << ", no experiment for this class) got " << shown(d);
      continue;
    }
    if (!d && std::find(want.begin(), want.end(), "none") != want.end()) continue;
    ASSERT_TRUE(d) << m.kernel.contract.name << " (" << name_of(m.bug_class)
                   << ") got no diagnosis; expected " << want.front();
    EXPECT_NE(std::find(want.begin(), want.end(), d->kind), want.end())
        << m.kernel.contract.name << " (" << name_of(m.bug_class) << ") got " << shown(d);
  }
}

TEST(Diagnosis, CorrectKernelsGetNone) {
  std::vector<Kernel> kernels = correct_kernels();
  // Softcheck's own kernels; peers (adapters/) have documented findings (docs/findings.md).
  for (const Kernel& k : builtin_kernels())
    if (k.runnable() && !is_peer(k.contract)) kernels.push_back(k);
  for (const Kernel& k : kernels)
    EXPECT_FALSE(diagnose(k, InProcessInvoker{})) << k.contract.name << " got " << shown(
        diagnose(k, InProcessInvoker{}));
}

// Plugins are called through the isolated invoker; the experiments only use the Invoker, so a
// kernel gets the same diagnosis either way.
TEST(Diagnosis, SameThroughTheIsolatedInvoker) {
  const IsolatedInvoker isolated;
  int compared = 0;
  for (const Mutant& m : gallery()) {
    if (m.status) continue;
    const std::string& n = m.kernel.contract.name;
    if (n.find("flush_subnormal") == std::string::npos && n.find("wrong_unshifted") == std::string::npos &&
        n.find("tail_dropped") == std::string::npos && n.find("masked_row_uniform") == std::string::npos)
      continue;
    const auto t0 = std::chrono::steady_clock::now();
    const auto in_process = diagnose(m.kernel, InProcessInvoker{});
    const auto t1 = std::chrono::steady_clock::now();
    const auto child = diagnose(m.kernel, isolated);
    const auto t2 = std::chrono::steady_clock::now();
    std::printf("%s: diagnosis in-process %.3f s, isolated %.3f s\n", n.c_str(),
                std::chrono::duration<double>(t1 - t0).count(),
                std::chrono::duration<double>(t2 - t1).count());
    ASSERT_TRUE(in_process && child) << n;
    EXPECT_EQ(in_process->kind, child->kind) << n;
    EXPECT_EQ(format_params(*in_process), format_params(*child)) << n;
    ++compared;
  }
  EXPECT_EQ(compared, 4);
}

TEST(Diagnosis, FailedPropertyCarriesItsDiagnosis) {
  for (const Mutant& m : gallery()) {
    if (m.kernel.contract.name.find("wrong_flush_subnormal") == std::string::npos) continue;
    const Catch c = run_mutant(m, RunConfig{}, /*probe_others=*/false);
    ASSERT_TRUE(c.caught()) << c.summary();
    ASSERT_TRUE(c.expected.diagnosed);
    ASSERT_TRUE(c.expected.diagnosis);
    EXPECT_EQ(c.expected.diagnosis->kind, "flush_to_zero");
    const std::string text = format_outcome(c.expected);
    EXPECT_NE(text.find("diagnosis: flush_to_zero (smallest_nonzero=0x1"), std::string::npos)
        << text;
    EXPECT_NE(text.find("flushed_format=f32"), std::string::npos) << text;
    EXPECT_NE(text.find("--flush-subnormals"), std::string::npos) << text;
    return;
  }
  FAIL() << "no flush_subnormal mutant in the gallery";
}

TEST(Diagnosis, PassingPropertiesRunNoDiagnosis) {
  const Kernel* k = find_kernel("f32_softmax_shifted__scalar");
  ASSERT_NE(k, nullptr);
  RunConfig config;
  config.cases = 10;
  for (const PropertyOutcome& o : check_kernel(*k, InProcessInvoker{}, config)) {
    EXPECT_FALSE(o.diagnosed) << o.property;
    EXPECT_EQ(format_outcome(o).find("diagnosis"), std::string::npos);
  }
}

}  // namespace
}  // namespace softcheck::mutants
