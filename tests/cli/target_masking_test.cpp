// The path of a smaller CPU, on any host (impl/simd/simd_targets.hpp): with
// SIMD targets disabled at run time (--disable-targets, SOFTCHECK_DISABLE_TARGETS), the report and
// the checks treat their kernels as a CPU without them would: visible skips with the reason, the
// dispatch kernels on the best target left, never an abort. Run with AVX-512 disabled and with
// AVX2 disabled as well, so an AVX-512 machine proves the AVX2-only path and an AVX2 machine the
// SSE4 one.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/cli/cli_process.hpp"

namespace softcheck::cli_test {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;

struct Mask {
  std::string disabled;           // the --disable-targets list
  std::vector<std::string> gone;  // targets whose kernels must be skipped
};

void PrintTo(const Mask& m, std::ostream* os) { *os << m.disabled; }

class TargetMasking : public ::testing::TestWithParam<Mask> {};

json list_json(const std::vector<std::string>& global) {
  std::vector<std::string> args = global;
  args.insert(args.end(), {"list", "--json"});
  const CliRun r = run_softcheck(args);
  EXPECT_TRUE(r.exited && r.status == 0) << describe(r);
  return json::parse(r.out);
}

const json& kernel_in(const json& list, const std::string& name) {
  for (const json& k : list)
    if (k["name"] == name) return k;
  throw std::runtime_error("no kernel " + name + " in list --json");
}

TEST_P(TargetMasking, ListShowsDisabledKernelsAsNotRunnable) {
  const Mask& m = GetParam();
  const json list = list_json({"--disable-targets", m.disabled});
  for (const std::string& isa : m.gone) {
    const json& k = kernel_in(list, "f32_softmax_shifted__" + isa);
    EXPECT_FALSE(k["runnable"].get<bool>()) << k.dump();
    EXPECT_THAT(k.value("unrunnable_reason", ""), HasSubstr("disabled at run time"));
  }
  const json& dispatch = kernel_in(list, "f32_softmax_shifted__dispatch");
  EXPECT_TRUE(dispatch["runnable"].get<bool>());
  for (const std::string& isa : m.gone)
    EXPECT_THAT(dispatch["summary"].get<std::string>(), ::testing::Not(HasSubstr("-> " + isa)));
}

TEST_P(TargetMasking, CheckOfADisabledKernelIsAVisibleSkipWithExitThree) {
  const Mask& m = GetParam();
  const CliRun r = run_softcheck({"--disable-targets", m.disabled, "check", "--kernel",
                                  "f32_softmax_shifted__" + m.gone.back(), "--cases", "5"});
  ASSERT_TRUE(r.exited) << "softcheck crashed or aborted:\n" << describe(r);
  EXPECT_EQ(r.status, 3) << describe(r);
  EXPECT_THAT(r.out, HasSubstr("SKIPPED f32_softmax_shifted__" + m.gone.back()));
  EXPECT_THAT(r.out, HasSubstr("disabled at run time"));
  EXPECT_THAT(r.err, HasSubstr("nothing was checked"));
}

TEST_P(TargetMasking, DispatchKernelsPassOnTheTargetsLeft) {
  const Mask& m = GetParam();
  const CliRun r = run_softcheck({"check", "--disable-targets", m.disabled, "--cases", "30", "-q",
                                  "--kernel", "f32_softmax_shifted__dispatch", "--kernel",
                                  "f16_softmax_shifted__dispatch"});
  ASSERT_TRUE(r.exited) << describe(r);
  EXPECT_EQ(r.status, 0) << describe(r);
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("FAILED")));
}

// The main job, `make report`, on the smaller CPU: every kernel of a disabled target is listed as
// skipped with the reason, everything else is swept and passes.
TEST_P(TargetMasking, QuickReportSkipsDisabledKernelsAndPasses) {
  const Mask& m = GetParam();
  ScratchDir dir;
  const CliRun r = run_softcheck({"--disable-targets", m.disabled, "report", "--quick", "-q",
                                  "--out", (dir / "report").string()});
  ASSERT_TRUE(r.exited) << "softcheck crashed or aborted:\n" << describe(r);
  EXPECT_EQ(r.status, 0) << describe(r);
  const json report = json::parse(read_file(dir / "report" / "report.json"));
  std::size_t skipped_here = 0;
  for (const json& s : report["skipped"]) {
    const std::string name = s["name"];
    for (const std::string& isa : m.gone)
      if (name.size() > isa.size() + 2 && name.ends_with("__" + isa)) {
        ++skipped_here;
        EXPECT_THAT(s["reason"].get<std::string>(), HasSubstr("disabled at run time"));
      }
  }
  EXPECT_EQ(skipped_here, 4 * m.gone.size()) << "4 SIMD families per target";
  for (const json& k : report["kernels"])
    for (const std::string& isa : m.gone)
      EXPECT_FALSE(k["name"].get<std::string>().ends_with("__" + isa)) << k["name"];
  // softcheck's own kernels pass; peers (adapters/) fail cells with their documented findings
  // (docs/findings.md), which do not set the exit status.
  for (const json& k : report["kernels"]) {
    const std::string isa = k["contract"]["isa"];
    if (isa == "onednn" || isa == "xnnpack" || isa.rfind("torch", 0) == 0) continue;
    EXPECT_EQ(k["verdict"], "passed") << k["name"];
  }
}

TEST_P(TargetMasking, ReportOfOnlyADisabledKernelSweepsNothingAndExitsThree) {
  const Mask& m = GetParam();
  ScratchDir dir;
  const CliRun r = run_softcheck({"--disable-targets", m.disabled, "report", "--quick", "-q",
                                  "--kernel", "f32_softmax_shifted__" + m.gone.back(), "--out",
                                  (dir / "report").string()});
  ASSERT_TRUE(r.exited) << "softcheck crashed or aborted:\n" << describe(r);
  EXPECT_EQ(r.status, 3) << describe(r);
  EXPECT_THAT(r.out, HasSubstr("SKIPPED f32_softmax_shifted__" + m.gone.back()));
  EXPECT_THAT(r.err, HasSubstr("nothing was swept"));
}

INSTANTIATE_TEST_SUITE_P(Masks, TargetMasking,
                         ::testing::Values(Mask{"avx3", {"avx3"}},
                                           Mask{"avx512,avx2", {"avx3", "avx2"}}),
                         [](const auto& info) { return info.index == 0 ? "NoAvx512" : "NoAvx2"; });

TEST(TargetMaskingEnvironment, TheVariableMasksLikeTheFlag) {
  ::setenv("SOFTCHECK_DISABLE_TARGETS", "avx3", 1);
  const json list = list_json({});
  ::unsetenv("SOFTCHECK_DISABLE_TARGETS");
  EXPECT_FALSE(kernel_in(list, "f32_softmax_shifted__avx3")["runnable"].get<bool>());
}

TEST(TargetMaskingErrors, UnknownOrFallbackTargetsAreUsageErrors) {
  for (const std::string bad : {"avx9", "hwy_scalar", "avx2,bogus"}) {
    const CliRun r = run_softcheck({"--disable-targets", bad, "list"});
    EXPECT_TRUE(r.exited && r.status == 2) << bad << ": " << describe(r);
    EXPECT_THAT(r.err, HasSubstr("--disable-targets")) << bad;
  }
  ::setenv("SOFTCHECK_DISABLE_TARGETS", "avx9", 1);
  const CliRun r = run_softcheck({"list"});
  ::unsetenv("SOFTCHECK_DISABLE_TARGETS");
  EXPECT_TRUE(r.exited && r.status == 2) << describe(r);
  EXPECT_THAT(r.err, HasSubstr("unknown SIMD target 'avx9'"));
}

}  // namespace
}  // namespace softcheck::cli_test
