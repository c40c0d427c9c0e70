// `softcheck check --jobs N` (README.md, "--jobs N"): N properties at once, each in a child
// process, with verdicts, shrunk counterexamples, diagnoses and output order those of --jobs 1 for
// the same seed. The runs mix built-in kernels, one this "CPU" cannot run (its SKIPPED line sits in
// the middle of the plan) and wrong plugin kernels, so that failures with shrunk counterexamples
// and diagnoses take part in the comparison.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "tests/cli/cli_process.hpp"

namespace softcheck::cli_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Timings are the one thing that differs from run to run: "1.23 s" in the text, time="..." in
// JUnit, "seconds" in the JSON.
std::string without_timings(const std::string& text) {
  static const std::regex seconds(R"(\b[0-9]+\.[0-9]+ s\b)"), junit_time(R"(time="[0-9.]+")"),
      junit_timestamp(R"(timestamp="[0-9T:-]+")");
  return std::regex_replace(
      std::regex_replace(std::regex_replace(text, seconds, "T s"), junit_time, "time=\"T\""),
      junit_timestamp, "timestamp=\"T\"");
}

nlohmann::json json_without_timings(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text);
  for (auto& k : j["kernels"])
    for (auto& p : k["properties"]) p.erase("seconds");
  return j;
}

std::vector<std::string> with_jobs(std::vector<std::string> args, int jobs) {
  args.push_back("--jobs");
  args.push_back(std::to_string(jobs));
  return args;
}

// Shrinking stops after a budget in seconds (RunConfig::shrink_seconds): a case cut short there is
// where the clock said, with any --jobs, and would make the comparison meaningless.
void expect_shrinks_completed(const std::string& out) {
  EXPECT_THAT(out, Not(HasSubstr("shrinking stopped"))) << "pick faster cases for this test";
}

TEST(CliCheckJobs, BuiltInAndPluginKernelsGiveTheOutcomesAndOrderOfOneJob) {
  ScratchDir dir;
  // Default isolation: the plugin runs in a softcheck-worker, one per job.
  const std::vector<std::string> args = {"check",
                                         "--disable-targets",
                                         "avx3",
                                         "-k",
                                         "f32_softmax_shifted__scalar",
                                         "-k",
                                         "f32_softmax_shifted__avx3",
                                         "-k",
                                         "f64_log_softmax_shifted__scalar",
                                         "--lib",
                                         SOFTCHECK_CLI_PLUGIN_NUMERIC_DEFECTS,
                                         "--symbol",
                                         "softmax_unshifted_f32",
                                         "--cases",
                                         "40",
                                         "--max-cols",
                                         "300",
                                         "--seed",
                                         "0x5eed",
                                         "-q"};
  const CliRun one = run_softcheck(with_jobs(args, 1));
  ASSERT_TRUE(one.exited && one.status == 1) << describe(one);
  ASSERT_THAT(one.out, HasSubstr("\nSKIPPED f32_softmax_shifted__avx3: "));
  ASSERT_THAT(one.out, HasSubstr("\nFAILED softmax_unshifted_f32 / "));
  ASSERT_THAT(one.out, HasSubstr("\n  input: f32 batch"));  // a shrunk counterexample
  expect_shrinks_completed(one.out);
  for (const int jobs : {2, 3}) {
    std::vector<std::string> a = with_jobs(args, jobs);
    const std::string json_one = (dir / "one.json").string(), json_n = (dir / "n.json").string();
    std::vector<std::string> b = with_jobs(args, 1);
    a.insert(a.end(), {"--json", json_n});
    b.insert(b.end(), {"--json", json_one});
    const CliRun n = run_softcheck(a);
    const CliRun again = run_softcheck(b);  // --jobs 1 with --json, for the JSON comparison
    ASSERT_TRUE(n.exited && n.status == 1) << describe(n);
    ASSERT_TRUE(again.exited && again.status == 1) << describe(again);
    EXPECT_EQ(without_timings(n.out), without_timings(one.out)) << "--jobs " << jobs;
    EXPECT_EQ(json_without_timings(read_file(json_n)), json_without_timings(read_file(json_one)))
        << "--jobs " << jobs;
    // The reproduce lines rerun one property: they need no --jobs.
    for (const auto& k : nlohmann::json::parse(read_file(json_n))["kernels"])
      for (const auto& p : k["properties"])
        EXPECT_THAT(p["repro"].get<std::string>(), Not(HasSubstr("--jobs")));
  }
}

TEST(CliCheckJobs, PluginUnderWorkerIsolationWithTwoJobsWritesTheJUnitOfOneJob) {
  // A flushing kernel: failures whose diagnosis (flush_to_zero, with bisected parameters) travels
  // back from each job's process.
  const std::vector<std::string> args = {"check",
                                         "--lib",
                                         SOFTCHECK_CLI_PLUGIN_NUMERIC_DEFECTS,
                                         "--symbol",
                                         "softmax_flushes_f32",
                                         "--isolation",
                                         "worker",
                                         "--cases",
                                         "40",
                                         "--max-cols",
                                         "300",
                                         "--junit",
                                         "-",
                                         "-q"};
  const CliRun one = run_softcheck(with_jobs(args, 1));
  const CliRun two = run_softcheck(with_jobs(args, 2));
  ASSERT_TRUE(one.exited && one.status == 1) << describe(one);
  ASSERT_TRUE(two.exited && two.status == 1) << describe(two);
  EXPECT_THAT(one.out, HasSubstr("diagnosis: flush_to_zero"));
  expect_shrinks_completed(one.err);
  EXPECT_EQ(without_timings(two.out), without_timings(one.out));  // the JUnit XML
  EXPECT_EQ(without_timings(two.err), without_timings(one.err));  // the human-readable lines
}

TEST(CliCheckJobs, AKernelCrashingInProcessEndsOnlyItsJob) {
  // Under --isolation none a crash ends the process the kernel runs in: with --jobs, that is the
  // job's child, and the property becomes softcheck's ERROR while the others are checked.
  const CliRun r =
      run_softcheck({"check", "--lib", SOFTCHECK_CLI_PLUGIN_CRASHING, "--symbol",
                     "softmax_null_write", "--isolation", "none", "-p", "accuracy", "-k",
                     "f32_softmax_shifted__scalar", "--cases", "5", "-j", "2", "-q"});
  ASSERT_TRUE(r.exited && r.status == 4) << describe(r);
  EXPECT_THAT(r.out, HasSubstr("ERROR softmax_null_write / accuracy"));
  EXPECT_THAT(r.out, HasSubstr("killed by signal 11"));
  EXPECT_THAT(r.out, HasSubstr("reproduce: "));
  EXPECT_THAT(r.out, HasSubstr("PASSED f32_softmax_shifted__scalar / accuracy"));
}

TEST(CliCheckJobs, OutOfRangeIsAUsageError) {
  for (const char* jobs : {"0", "257", "two"}) {
    const CliRun r = run_softcheck({"check", "-k", "f32_softmax_shifted__scalar", "--jobs", jobs});
    EXPECT_TRUE(r.exited && r.status == 2) << jobs << ": " << describe(r);
    EXPECT_THAT(r.err, HasSubstr("--jobs")) << jobs;
  }
}

}  // namespace
}  // namespace softcheck::cli_test
