// `softcheck report --out` and `softcheck merge --out` never lose a user's files: they replace
// only a directory that is new, empty or a previous report, and refuse anything else (exit 2)
// before the sweep, naming the file in the way. Shards merge only when everything that decides a
// verdict agrees, and a shard's report.json cannot make merge read files outside its directory.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/cli/cli_process.hpp"

namespace softcheck::cli_test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

// A sweep of seconds: one kernel, one family, two lengths (so that two shards get a cell each).
std::vector<std::string> small_report(const fs::path& out, std::vector<std::string> more = {}) {
  std::vector<std::string> a = {"report",   "--quick",  "-q",     "--kernel",
                                "f32_softmax_shifted__scalar", "--family", "normal-s1", "--cols",
                                "8",        "--cols",   "17",     "--out",
                                out.string()};
  a.insert(a.end(), more.begin(), more.end());
  return a;
}

// The same sweep of the example plugin named by --symbol, with extra contract flags.
std::vector<std::string> plugin_report(const fs::path& out, std::vector<std::string> more) {
  std::vector<std::string> a = {"report", "--quick",  "-q",         "--lib", SOFTCHECK_EXAMPLE_PLUGIN,
                                "--symbol", "my_softmax_f32", "--op", "softmax", "--dtype", "f32",
                                "--family", "normal-s1", "--cols", "8", "--cols", "17",
                                "--out", out.string()};
  a.insert(a.end(), more.begin(), more.end());
  return a;
}

json read_json(const fs::path& p) { return json::parse(read_file(p)); }
void write_json(const fs::path& p, const json& j) { std::ofstream(p) << j.dump(1); }

void make_user_directory(const fs::path& d) {
  fs::create_directories(d / "sub");
  std::ofstream(d / "notes.txt") << "notes\n";
  std::ofstream(d / "sub" / "keep.txt") << "keep\n";
}

void expect_user_directory_intact(const fs::path& d) {
  EXPECT_EQ(read_file(d / "notes.txt"), "notes\n");
  EXPECT_EQ(read_file(d / "sub" / "keep.txt"), "keep\n");
  EXPECT_FALSE(fs::exists(d / "report.json"));
}

TEST(CliReportOut, RefusesADirectoryOfUserFilesBeforeTheSweep) {
  ScratchDir dir;
  const fs::path d = dir / "d";
  make_user_directory(d);
  const CliRun r = run_softcheck(small_report(d));
  ASSERT_TRUE(r.exited) << describe(r);
  EXPECT_EQ(r.status, 2) << describe(r);
  EXPECT_THAT(r.err, HasSubstr("--out"));
  EXPECT_THAT(r.err, HasSubstr("is not empty and not a softcheck report"));
  EXPECT_THAT(r.err, ::testing::AnyOf(HasSubstr("notes.txt"), HasSubstr("sub")));
  EXPECT_THAT(r.out, Not(HasSubstr("softcheck report:"))) << "swept before refusing";
  expect_user_directory_intact(d);
}

TEST(CliReportOut, MergeRefusesADirectoryOfUserFiles) {
  ScratchDir dir;
  ASSERT_EQ(run_softcheck(small_report(dir / "s0", {"--shard", "0/2"})).status, 0);
  ASSERT_EQ(run_softcheck(small_report(dir / "s1", {"--shard", "1/2"})).status, 0);
  const fs::path d = dir / "d";
  make_user_directory(d);
  const CliRun r =
      run_softcheck({"merge", (dir / "s0").string(), (dir / "s1").string(), "--out", d.string()});
  ASSERT_TRUE(r.exited) << describe(r);
  EXPECT_EQ(r.status, 2) << describe(r);
  EXPECT_THAT(r.err, HasSubstr("is not empty and not a softcheck report"));
  expect_user_directory_intact(d);
}

TEST(CliReportOut, ReplacesAnEmptyDirectoryAndAPreviousReport) {
  ScratchDir dir;
  const fs::path d = dir / "d";
  fs::create_directories(d);
  const CliRun first = run_softcheck(small_report(d));
  ASSERT_EQ(first.status, 0) << describe(first);
  EXPECT_TRUE(fs::exists(d / ".softcheck-report"));
  const CliRun second = run_softcheck(small_report(d, {"--seed", "7"}));
  ASSERT_EQ(second.status, 0) << describe(second);
  EXPECT_EQ(read_json(d / "report.json").at("plan").at("seed"), "0x7");
}

TEST(CliReportOut, WritesThroughASymbolicLinkToADirectory) {
  ScratchDir dir;
  fs::create_directories(dir / "real");
  fs::create_directory_symlink(dir / "real", dir / "link");
  const CliRun r = run_softcheck(small_report(dir / "link"));
  ASSERT_EQ(r.status, 0) << describe(r);
  EXPECT_TRUE(fs::is_symlink(dir / "link"));
  EXPECT_TRUE(fs::exists(dir / "real" / "report.json"));
}

TEST(CliReportOut, OutThatIsAFileIsRefusedBeforeTheSweep) {
  ScratchDir dir;
  std::ofstream(dir / "file.txt") << "mine\n";
  const CliRun r = run_softcheck(small_report(dir / "file.txt"));
  EXPECT_EQ(r.status, 2) << describe(r);
  EXPECT_THAT(r.err, HasSubstr("not a directory"));
  EXPECT_EQ(read_file(dir / "file.txt"), "mine\n");
}

// The two shards of one small sweep, for the merge tests that tamper with one of them.
class CliMerge : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(run_softcheck(small_report(dir / "s0", {"--shard", "0/2"})).status, 0);
    ASSERT_EQ(run_softcheck(small_report(dir / "s1", {"--shard", "1/2"})).status, 0);
  }
  CliRun merge() {
    return run_softcheck(
        {"merge", (dir / "s0").string(), (dir / "s1").string(), "--out", (dir / "m").string()});
  }
  void expect_refused(const CliRun& r, const std::string& message) {
    ASSERT_TRUE(r.exited) << describe(r);
    EXPECT_EQ(r.status, 2) << describe(r);
    EXPECT_THAT(r.err, HasSubstr(message)) << describe(r);
    EXPECT_FALSE(fs::exists(dir / "m"));
  }
  ScratchDir dir;
};

TEST_F(CliMerge, MergesMatchingShards) {
  const CliRun r = merge();
  EXPECT_EQ(r.status, 0) << describe(r);
  EXPECT_EQ(read_json(dir / "m" / "report.json").at("kernels").at(0).at("cells").size(), 2u);
}

TEST_F(CliMerge, RefusesShardsOfAnotherSoftcheckVersion) {
  json j = read_json(dir / "s1" / "report.json");
  j["generator"] = "softcheck 0.0.9";
  write_json(dir / "s1" / "report.json", j);
  expect_refused(merge(), "softcheck version differs (softcheck 0.1.0 vs softcheck 0.0.9)");
}

TEST_F(CliMerge, RefusesAShardIndexPastTheCount) {
  json j = read_json(dir / "s1" / "report.json");
  j["shard"]["index"] = 5;
  write_json(dir / "s1" / "report.json", j);
  expect_refused(merge(), "shard 5/2");
}

TEST_F(CliMerge, ReadsWorstCaseFilesOnlyInsideTheShardDirectory) {
  for (const char* escape : {"../../../../../../../../etc/hostname", "/etc/hostname"}) {
    json j = read_json(dir / "s1" / "report.json");
    ASSERT_FALSE(j["kernels"][0]["worst_case"].is_null());
    j["kernels"][0]["worst_case"]["file"] = escape;
    write_json(dir / "s1" / "report.json", j);
    expect_refused(merge(), "outside the report directory");
  }
  // A symbolic link inside the directory that leads out of it is refused too.
  json j = read_json(dir / "s1" / "report.json");
  fs::create_symlink("/etc/hostname", dir / "s1" / "worst" / "escape.txt");
  j["kernels"][0]["worst_case"]["file"] = "worst/escape.txt";
  write_json(dir / "s1" / "report.json", j);
  expect_refused(merge(), "outside the report directory");
}

TEST(CliMergeContracts, RefusesShardsJudgedAgainstDifferentContractsNamingTheField) {
  ScratchDir dir;
  const CliRun a = run_softcheck(plugin_report(dir / "s0", {"--shard", "0/2", "--exp-ulps", "1"}));
  ASSERT_EQ(a.status, 0) << describe(a);
  const CliRun b =
      run_softcheck(plugin_report(dir / "s1", {"--shard", "1/2", "--exp-ulps", "1000"}));
  ASSERT_EQ(b.status, 0) << describe(b);
  // Different contracts: different fingerprints in report.json.
  EXPECT_NE(read_json(dir / "s0" / "report.json")["plan"]["fingerprint"],
            read_json(dir / "s1" / "report.json")["plan"]["fingerprint"]);
  const CliRun r = run_softcheck(
      {"merge", (dir / "s0").string(), (dir / "s1").string(), "--out", (dir / "m").string()});
  ASSERT_TRUE(r.exited) << describe(r);
  EXPECT_EQ(r.status, 2) << describe(r);
  EXPECT_THAT(r.err, HasSubstr("contract /exp_ulps differs (1.0 vs 1000.0)")) << describe(r);
  EXPECT_FALSE(fs::exists(dir / "m"));
}

TEST(CliReportFingerprint, DifferentPlansPrintDifferentFingerprints) {
  ScratchDir dir;
  ASSERT_EQ(run_softcheck(small_report(dir / "a")).status, 0);
  ASSERT_EQ(run_softcheck(small_report(dir / "b", {"--cols", "33"})).status, 0);
  ASSERT_EQ(run_softcheck(small_report(dir / "c")).status, 0);
  const json a = read_json(dir / "a" / "report.json")["plan"]["fingerprint"];
  EXPECT_NE(a, read_json(dir / "b" / "report.json")["plan"]["fingerprint"]);
  EXPECT_EQ(a, read_json(dir / "c" / "report.json")["plan"]["fingerprint"]);
}

}  // namespace
}  // namespace softcheck::cli_test
