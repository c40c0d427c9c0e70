// `softcheck bench` end to end, on a tiny sweep (the figures themselves are not asserted: timing
// belongs to Google Benchmark runs, not to tests): the JSON names every subject with the ratios of
// the same run, a plugin whose checks fail is not timed unless --force, bad flags exit 2.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "tests/cli/cli_process.hpp"

namespace softcheck::cli_test {
namespace {

using ::testing::HasSubstr;

const std::vector<std::string> kTiny = {"--cols", "16", "--cols", "1000", "--elements", "4K",
                                        "--repetitions", "2", "--min-time", "0.001", "-q"};

std::vector<std::string> args(std::vector<std::string> a) {
  a.insert(a.begin(), "bench");
  a.insert(a.end(), kTiny.begin(), kTiny.end());
  return a;
}

std::set<std::string> subjects(const nlohmann::json& j) {
  std::set<std::string> s;
  for (const auto& r : j.at("results")) s.insert(r.at("subject").get<std::string>());
  return s;
}

TEST(BenchCommand, TimesKernelsNextToTheReferencesAndWritesJson) {
  ScratchDir dir;
  const CliRun r = run_softcheck(args({"--kernel", "f32_softmax_shifted__scalar", "--kernel",
                                       "f32_softmax_shifted__dispatch", "--json",
                                       (dir / "bench.json").string()}));
  ASSERT_TRUE(r.exited && r.status == 0) << describe(r);
  EXPECT_THAT(r.out, HasSubstr("speed / baseline"));
  EXPECT_THAT(r.out, HasSubstr("copy bytes/s"));
  const auto j = nlohmann::json::parse(read_file(dir / "bench.json"));
  EXPECT_EQ(j.at("schema"), "softcheck-bench/1");
  EXPECT_EQ(subjects(j), (std::set<std::string>{"stream_scale_f32", "f32_softmax_threepass_fastmath",
                                                "f32_softmax_shifted__scalar",
                                                "f32_softmax_shifted__dispatch"}));
  // 4 subjects x 2 cols x 1 size, every one with positive rates and both ratios.
  ASSERT_EQ(j.at("results").size(), 8u);
  for (const auto& row : j.at("results")) {
    EXPECT_GT(row.at("items_per_second").get<double>(), 0) << row.dump();
    EXPECT_GT(row.at("vs_baseline").get<double>(), 0) << row.dump();
    EXPECT_GT(row.at("vs_stream_bytes").get<double>(), 0) << row.dump();
    EXPECT_EQ(row.at("rows").get<std::size_t>(), 4096 / row.at("cols").get<std::size_t>());
  }
}

TEST(BenchCommand, APluginTimesOnlyAfterItsChecksPassUnlessForced) {
  ScratchDir dir;
  const std::vector<std::string> plugin = {"--lib", SOFTCHECK_CLI_PLUGIN_UNWRITTEN, "--symbol",
                                           "softmax_skips_last_f32", "--json",
                                           (dir / "bench.json").string()};
  const CliRun refused = run_softcheck(args(plugin));
  ASSERT_TRUE(refused.exited) << describe(refused);
  EXPECT_EQ(refused.status, 1) << describe(refused);
  EXPECT_THAT(refused.err, HasSubstr("not timing softmax_skips_last_f32"));
  EXPECT_THAT(refused.out, HasSubstr("left_unwritten"));
  auto j = nlohmann::json::parse(read_file(dir / "bench.json"));
  EXPECT_EQ(subjects(j).count("plugin:softmax_skips_last_f32"), 0u);
  EXPECT_TRUE(j.at("failed_checks").get<bool>());

  std::vector<std::string> forced = plugin;
  forced.push_back("--force");
  const CliRun timed = run_softcheck(args(forced));
  ASSERT_TRUE(timed.exited) << describe(timed);
  EXPECT_EQ(timed.status, 1) << describe(timed);  // still a failed check
  j = nlohmann::json::parse(read_file(dir / "bench.json"));
  EXPECT_EQ(subjects(j).count("plugin:softmax_skips_last_f32"), 1u);
}

TEST(BenchCommand, BadRequestsAreUsageErrors) {
  const std::vector<std::vector<std::string>> bad = {
      {"--kernel", "no_such_kernel"},
      {},  // nothing to time
      {"--kernel", "f32_softmax_backward_shifted__scalar"},  // other inputs: not benchmarked
      {"--kernel", "f32_softmax_shifted__scalar", "--elements", "lots"},
      {"--kernel", "f32_softmax_shifted__scalar", "--baseline", "nobody"},
  };
  for (const auto& b : bad) {
    const CliRun r = run_softcheck(args(b));
    ASSERT_TRUE(r.exited) << describe(r);
    EXPECT_EQ(r.status, 2) << describe(r);
    EXPECT_THAT(r.err, HasSubstr("error")) << describe(r);
  }
}

}  // namespace
}  // namespace softcheck::cli_test
