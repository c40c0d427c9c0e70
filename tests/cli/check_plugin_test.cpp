// `softcheck check` on plugin libraries, run as a user runs it (issue 6, "Done when"): a correct
// plugin exits 0; a crashing plugin, out-of-bounds reader and writer, input scribbler, a kernel
// leaving outputs unwritten and one that never returns each exit 1 with the right reason, the
// counterexample in hex floats and a reproduce line that does reproduce.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "tests/cli/cli_process.hpp"

namespace softcheck::cli_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::vector<std::string> kExampleBySymbol = {
    "check",   "--lib", SOFTCHECK_EXAMPLE_PLUGIN, "--symbol", "my_softmax_f32", "--op", "softmax",
    "--dtype", "f32"};

int count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// Property verdict lines ("PASSED kernel / property: ...") of the human-readable output.
int verdict_lines(const std::string& out, const std::string& verdict) {
  return count("\n" + out, "\n" + verdict + " ");
}

// Hex floats as the reports print them (C99 %a style): 0x1.8p+0, -0x1.62e42ep+6, 0x0p+0.
const std::regex kHexFloat(R"(-?0x[0-9a-f](\.[0-9a-f]+)?p[+-][0-9]+)");

TEST(CliCheckPlugin, CorrectExamplePluginPassesWithDefaultSettingsInTime) {
  const CliRun r = run_softcheck(kExampleBySymbol);
  ASSERT_TRUE(r.exited && r.status == 0) << describe(r);
  EXPECT_GT(verdict_lines(r.out, "PASSED"), 0) << r.out;
  EXPECT_EQ(verdict_lines(r.out, "FAILED"), 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr(" passed, 0 failed\n"));
  // Issue 6: one kernel with default settings in under 20 s on the project's 2-core machines.
  std::printf("checking the example plugin with default settings took %.2f s\n", r.seconds);
  RecordProperty("seconds", std::to_string(r.seconds));
  EXPECT_LT(r.seconds, 20.0);
}

TEST(CliCheckPlugin, DescriptorLibraryIsCheckedWithTheContractItDeclares) {
  ScratchDir dir;
  const std::string json = (dir / "r.json").string();
  const CliRun r = run_softcheck({"check", "--lib", SOFTCHECK_EXAMPLE_PLUGIN, "--json", json});
  ASSERT_TRUE(r.exited && r.status == 0) << describe(r);
  const auto j = nlohmann::json::parse(read_file(json));
  ASSERT_EQ(j["kernels"].size(), 1u);
  const auto& c = j["kernels"][0]["contract"];
  EXPECT_EQ(c["name"], "f32_softmax_shifted__scalar");  // the descriptor's name, not the symbol
  EXPECT_EQ(c["exp_ulps"], 1.0);  // as declared in my_softmax.c (the --symbol default is 4)
  EXPECT_EQ(c["monotone_exp"], false);
  for (const auto& p : j["kernels"][0]["properties"])
    EXPECT_THAT(p["repro"].get<std::string>(), HasSubstr("--only f32_softmax_shifted__scalar"));
}

TEST(CliCheckPlugin, DescriptorLibraryChecksEveryKernelItLists) {
  // good_kernels.so lists six kernels of five ops; each must be checked with its own catalogue.
  ScratchDir dir;
  const std::string json = (dir / "r.json").string();
  const CliRun r = run_softcheck({"check", "--lib", SOFTCHECK_CLI_PLUGIN_GOOD_KERNELS, "--cases",
                                  "3", "--no-shrink", "-q", "--json", json});
  // Whether every one of these test kernels meets its declared contract is not the point here.
  ASSERT_TRUE(r.exited && (r.status == 0 || r.status == 1)) << describe(r);
  const auto j = nlohmann::json::parse(read_file(json));
  std::vector<std::string> names, ops;
  for (const auto& k : j["kernels"]) {
    names.push_back(k["contract"]["name"]);
    ops.push_back(k["contract"]["op"]);
    EXPECT_FALSE(k["properties"].empty()) << k["contract"]["name"];
  }
  EXPECT_THAT(names, ::testing::ElementsAre(
                         "f32_softmax_shifted__scalar", "f64_softmax_shifted__scalar",
                         "f32_softmax_temp_shifted__scalar", "f32_log_softmax_shifted__scalar",
                         "f32_softmax_backward__scalar", "f32_cross_entropy_shifted__avx2"));
  EXPECT_THAT(ops, ::testing::ElementsAre("softmax", "softmax", "softmax_temp", "log_softmax",
                                          "softmax_backward", "cross_entropy"));
  // --only narrows the list to one kernel.
  const CliRun one = run_softcheck({"check", "--lib", SOFTCHECK_CLI_PLUGIN_GOOD_KERNELS, "--only",
                                    "f64_softmax_shifted__scalar", "--cases", "3", "-q"});
  ASSERT_TRUE(one.exited && one.status == 0) << describe(one);
  EXPECT_EQ(count(one.out, "f64_softmax_shifted__scalar / "), verdict_lines(one.out, "PASSED"));
  EXPECT_THAT(one.out, Not(HasSubstr("f32_")));
}

struct BadPlugin {
  std::string label;
  std::string lib;
  std::string symbol;
  std::string reason;  // CallStatus name in the report
  std::string detail;  // more of the reason line
  std::vector<std::string> extra = {};
  std::string dtype = "f32";
};

void PrintTo(const BadPlugin& p, std::ostream* os) { *os << p.label; }

std::vector<std::string> check_args(const BadPlugin& p) {
  std::vector<std::string> a = {"check", "--lib",   p.lib,     "--symbol", p.symbol,
                                "--op",  "softmax", "--dtype", p.dtype};
  a.insert(a.end(), p.extra.begin(), p.extra.end());
  return a;
}

// Splits a reproduce line as a POSIX shell would for what softcheck prints (words, '...' quotes).
std::vector<std::string> split_command(const std::string& line) {
  std::vector<std::string> words;
  std::string w;
  bool in_word = false, quoted = false;
  for (char ch : line) {
    if (ch == '\'') {
      quoted = !quoted;
      in_word = true;
    } else if (ch == ' ' && !quoted) {
      if (in_word) words.push_back(w);
      w.clear();
      in_word = false;
    } else {
      w += ch;
      in_word = true;
    }
  }
  if (in_word) words.push_back(w);
  return words;
}

class CliBadPlugin : public ::testing::TestWithParam<BadPlugin> {};

TEST_P(CliBadPlugin, ExitsOneNamingTheReasonWithHexFloatsAndAReproduceLine) {
  const BadPlugin& p = GetParam();
  const CliRun r = run_softcheck(check_args(p));
  ASSERT_TRUE(r.exited) << "softcheck itself crashed:\n" << describe(r);
  ASSERT_EQ(r.status, 1) << describe(r);
  EXPECT_EQ(verdict_lines(r.out, "PASSED"), 0) << r.out;
  const int failed = verdict_lines(r.out, "FAILED");
  ASSERT_GT(failed, 0) << r.out;
  // Every failed property blames the call, with the same reason.
  EXPECT_EQ(count(r.out, "kernel call failed: " + p.reason + ": "), failed) << r.out;
  EXPECT_THAT(r.out, HasSubstr(p.detail));
  EXPECT_TRUE(std::regex_search(r.out, kHexFloat)) << "no hex float in:\n" << r.out;
  EXPECT_EQ(count(r.out, "\n  reproduce: " SOFTCHECK_BIN " check --lib " + p.lib), failed) << r.out;
}

TEST_P(CliBadPlugin, ReproduceLineReproducesTheFailure) {
  const BadPlugin& p = GetParam();
  std::vector<std::string> args = check_args(p);
  args.push_back("--no-shrink");
  const CliRun first = run_softcheck(args);
  ASSERT_TRUE(first.exited && first.status == 1) << describe(first);
  const std::string key = "  reproduce: ";
  const auto at = first.out.find(key);
  ASSERT_NE(at, std::string::npos) << first.out;
  const std::string line =
      first.out.substr(at + key.size(), first.out.find('\n', at) - at - key.size());
  std::vector<std::string> words = split_command(line);
  ASSERT_GE(words.size(), 2u) << line;
  ASSERT_EQ(words[0], SOFTCHECK_BIN) << line;
  words.erase(words.begin());
  const CliRun again = run_softcheck(words);
  ASSERT_TRUE(again.exited && again.status == 1) << line << "\n" << describe(again);
  EXPECT_EQ(verdict_lines(again.out, "FAILED"), 1) << again.out;  // just that property
  EXPECT_THAT(again.out, HasSubstr("kernel call failed: " + p.reason + ": "));
}

INSTANTIATE_TEST_SUITE_P(
    Defects, CliBadPlugin,
    ::testing::Values(
        BadPlugin{"null_write", SOFTCHECK_CLI_PLUGIN_CRASHING, "softmax_null_write", "crashed",
                  "SIGSEGV"},
        BadPlugin{"abort", SOFTCHECK_CLI_PLUGIN_CRASHING, "softmax_abort", "crashed", "SIGABRT"},
        BadPlugin{"oob_reader", SOFTCHECK_CLI_PLUGIN_OUT_OF_BOUNDS, "softmax_reads_past_end",
                  "out_of_bounds", "read past the end of input x"},
        BadPlugin{"oob_writer", SOFTCHECK_CLI_PLUGIN_OUT_OF_BOUNDS, "softmax_writes_past_end",
                  "out_of_bounds", "write past the end of output y"},
        BadPlugin{"oob_writer_before_start", SOFTCHECK_CLI_PLUGIN_OUT_OF_BOUNDS,
                  "softmax_writes_before_start", "out_of_bounds",
                  "write before the start of output y"},
        BadPlugin{"input_scribbler", SOFTCHECK_CLI_PLUGIN_INPUT_SCRIBBLER,
                  "softmax_scribbles_input", "wrote_input", "kernel wrote to input x"},
        BadPlugin{"input_unprotector", SOFTCHECK_CLI_PLUGIN_INPUT_SCRIBBLER,
                  "softmax_unprotects_input", "wrote_input", "is now 0x1.8p+0"},
        BadPlugin{"unwritten_f32", SOFTCHECK_CLI_PLUGIN_UNWRITTEN, "softmax_skips_last_f32",
                  "left_unwritten", "unwritten: it still holds the poison pattern"},
        BadPlugin{"unwritten_f64",
                  SOFTCHECK_CLI_PLUGIN_UNWRITTEN,
                  "softmax_skips_last_f64",
                  "left_unwritten",
                  "poison pattern",
                  {},
                  "f64"},
        // Every shrink step of a hanging kernel waits for the timeout: one property is enough.
        BadPlugin{"infinite_loop",
                  SOFTCHECK_CLI_PLUGIN_INFINITE_LOOP,
                  "softmax_spins",
                  "timed_out",
                  "did not return within 200 ms",
                  {"--timeout", "0.2", "--property", "accuracy"}},
        // The worker (default isolation) places each input once against each guard page, so an
        // under-read of one element faults although the row fills no page.
        BadPlugin{"oob_reader_before_start", SOFTCHECK_CLI_PLUGIN_OUT_OF_BOUNDS,
                  "softmax_reads_before_start", "out_of_bounds",
                  "read before the start of input x: x[-1]"},
        BadPlugin{"oob_reader_before_start_fork",
                  SOFTCHECK_CLI_PLUGIN_OUT_OF_BOUNDS,
                  "softmax_reads_before_start",
                  "out_of_bounds",
                  "read before the start of input x: x[-1]",
                  {"--isolation", "fork", "--property", "accuracy"}},
        BadPlugin{"exit0_after_writing", SOFTCHECK_CLI_PLUGIN_PROCESSES, "softmax_then_exit0",
                  "crashed", "exit status 0 during the call"},
        BadPlugin{"exit0_after_writing_fork",
                  SOFTCHECK_CLI_PLUGIN_PROCESSES,
                  "softmax_then_exit0",
                  "crashed",
                  "exit status 0 during the call",
                  {"--isolation", "fork", "--property", "accuracy"}},
        BadPlugin{"leaves_child_process",
                  SOFTCHECK_CLI_PLUGIN_PROCESSES,
                  "softmax_leaves_child",
                  "left_process",
                  "left 1 process(es) running after the call",
                  {"--property", "accuracy"}},
        BadPlugin{"leaves_rounding_upward", SOFTCHECK_CLI_PLUGIN_FP_ENVIRONMENT,
                  "softmax_leaves_upward", "changed_fp_environment",
                  "rounding upward, was to nearest"}),
    [](const auto& info) { return info.param.label; });

// Defects a fork per call cannot see, because every call starts from the same state.
TEST(CliCheckPlugin, KernelWrongFromItsSecondCallFails) {
  const CliRun r = run_softcheck({"check", "--lib", SOFTCHECK_CLI_PLUGIN_STATEFUL, "--symbol",
                                  "softmax_wrong_after_first_call", "--property", "accuracy"});
  ASSERT_TRUE(r.exited && r.status == 1) << describe(r);
  EXPECT_EQ(verdict_lines(r.out, "FAILED"), 1) << r.out;
}

TEST(CliCheckPlugin, RandDependentKernelFailsDeterministic) {
  const CliRun r = run_softcheck({"check", "--lib", SOFTCHECK_CLI_PLUGIN_STATEFUL, "--symbol",
                                  "softmax_rand_ulp", "--property", "deterministic"});
  ASSERT_TRUE(r.exited && r.status == 1) << describe(r);
  EXPECT_THAT(r.out, HasSubstr("two calls on the same input differ"));
}

// Loading runs in the worker: a library that crashes or fails there is a usage error (exit 2) with
// a message, never a crash of softcheck.
TEST(CliCheckPlugin, PluginThatCrashesOrFailsWhileLoadingExitsTwoWithAMessage) {
  const struct {
    std::vector<std::string> args;
    std::string message;
  } cases[] = {
      {{"--lib", SOFTCHECK_CLI_PLUGIN_CONSTRUCTOR_CRASH, "--symbol", "softmax_never_reached"},
       "was killed by SIGSEGV"},
      {{"--lib", SOFTCHECK_CLI_PLUGIN_WILD_DESCRIPTOR}, "was killed by SIGSEGV"},
      {{"--lib", SOFTCHECK_CLI_PLUGIN_FAILING_INIT, "--symbol", "never_called_f32"},
       "softcheck_init() failed with 7"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"check"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const CliRun r = run_softcheck(args);
    ASSERT_TRUE(r.exited) << "softcheck itself crashed:\n" << describe(r);
    EXPECT_EQ(r.status, 2) << describe(r);
    EXPECT_THAT(r.err, HasSubstr(c.message)) << describe(r);
  }
}

// The library's constructor sets FTZ/DAZ and upward rounding: neither the plugin's calls nor the
// built-in kernel checked in the same invocation may be affected.
TEST(CliCheckPlugin, ConstructorChangingTheFpEnvironmentDoesNotAffectTheRun) {
  for (const char* isolation : {"worker", "fork"}) {
    const CliRun r = run_softcheck({"check", "--lib", SOFTCHECK_CLI_PLUGIN_FP_ENVIRONMENT,
                                    "--symbol", "softmax_clean", "--kernel",
                                    "f32_softmax_shifted__scalar", "--isolation", isolation,
                                    "--cases", "50", "-q"});
    ASSERT_TRUE(r.exited && r.status == 0) << isolation << "\n" << describe(r);
    EXPECT_EQ(verdict_lines(r.out, "FAILED"), 0) << r.out;
  }
}

// The template for CUDA/HIP plugins: a thread pool started in softcheck_init() serves every call.
TEST(CliCheckPlugin, ThreadPoolExamplePassesUnderTheWorker) {
  const CliRun r = run_softcheck({"check", "--lib", SOFTCHECK_THREADED_EXAMPLE_PLUGIN, "-q"});
  ASSERT_TRUE(r.exited && r.status == 0) << describe(r);
  EXPECT_GT(verdict_lines(r.out, "PASSED"), 0) << r.out;
  EXPECT_EQ(verdict_lines(r.out, "FAILED"), 0) << r.out;
}

}  // namespace
}  // namespace softcheck::cli_test

namespace softcheck::cli_test {
namespace {

// A plugin whose numbers are wrong gets the diagnosis of its defect, with its evidence, in the
// text output and as the stable JSON field (docs/check-json-schema.md, "diagnosis").
struct Diagnosed {
  std::string symbol, property, kind, param, evidence;
};

class CliDiagnosis : public ::testing::TestWithParam<Diagnosed> {};

TEST_P(CliDiagnosis, NamesTheDefectInTextAndJson) {
  const Diagnosed& p = GetParam();
  ScratchDir dir;
  const std::string json = (dir / "d.json").string();
  const CliRun r = run_softcheck({"check", "--lib", SOFTCHECK_CLI_PLUGIN_NUMERIC_DEFECTS, "--symbol",
                                  p.symbol, "--op", "softmax", "--dtype", "f32", "--property",
                                  p.property, "-q", "--json", json});
  ASSERT_TRUE(r.exited && r.status == 1) << describe(r);
  EXPECT_THAT(r.out, HasSubstr("\n  diagnosis: " + p.kind + " (")) << r.out;
  EXPECT_THAT(r.out, HasSubstr(p.evidence)) << r.out;
  const auto j = nlohmann::json::parse(read_file(json));
  const auto& prop = j["kernels"][0]["properties"][0];
  ASSERT_EQ(prop["verdict"], "FAILED") << prop.dump(2);
  ASSERT_TRUE(prop["diagnosis"].is_object()) << prop.dump(2);
  EXPECT_EQ(prop["diagnosis"]["kind"], p.kind);
  EXPECT_TRUE(prop["diagnosis"]["params"].contains(p.param)) << prop["diagnosis"].dump(2);
  EXPECT_FALSE(prop["diagnosis"]["summary"].get<std::string>().empty());
  EXPECT_FALSE(prop["diagnosis"]["evidence"].get<std::string>().empty());
}

INSTANTIATE_TEST_SUITE_P(
    NumericDefects, CliDiagnosis,
    ::testing::Values(Diagnosed{"softmax_flushes_f32", "accuracy", "flush_to_zero",
                                "smallest_nonzero", "bisection on t for rows [0, -t]"},
                      Diagnosed{"softmax_unshifted_f32", "unit_interval", "no_max_shift",
                                "threshold", "finite probabilities up to L = 0x1.62e42ep+6"}),
    [](const auto& info) { return info.param.symbol; });

TEST(CliDiagnosis, PassingPropertiesHaveANullDiagnosis) {
  ScratchDir dir;
  const std::string json = (dir / "p.json").string();
  const CliRun r = run_softcheck({"check", "--kernel", "f32_softmax_shifted__scalar", "--property",
                                  "accuracy", "--cases", "5", "-q", "--json", json});
  ASSERT_TRUE(r.exited && r.status == 0) << describe(r);
  EXPECT_THAT(r.out, Not(HasSubstr("diagnosis")));
  const auto j = nlohmann::json::parse(read_file(json));
  EXPECT_TRUE(j["kernels"][0]["properties"][0]["diagnosis"].is_null());
}

}  // namespace
}  // namespace softcheck::cli_test
