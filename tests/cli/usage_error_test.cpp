// Usage errors exit 2 with a clear message on stderr, before anything is checked, and never crash
// (issue 6: "bad flags and missing files exit 2 with a clear message").
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "tests/cli/cli_process.hpp"

namespace softcheck::cli_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct UsageCase {
  std::string label;
  std::vector<std::string> args;
  std::string message;  // expected on stderr
};

void PrintTo(const UsageCase& c, std::ostream* os) { *os << c.label; }

std::vector<std::string> example(const std::vector<std::string>& more) {
  std::vector<std::string> a = {"check", "--lib", SOFTCHECK_EXAMPLE_PLUGIN};
  a.insert(a.end(), more.begin(), more.end());
  return a;
}

std::vector<std::string> example_symbol(const std::vector<std::string>& more) {
  std::vector<std::string> a = {"--symbol", "my_softmax_f32", "--op", "softmax", "--dtype", "f32"};
  a.insert(a.end(), more.begin(), more.end());
  return example(a);
}

class CliUsageError : public ::testing::TestWithParam<UsageCase> {};

TEST_P(CliUsageError, ExitsTwoWithAClearMessageAndChecksNothing) {
  const UsageCase& c = GetParam();
  const CliRun r = run_softcheck(c.args);
  ASSERT_TRUE(r.exited) << "softcheck itself crashed:\n" << describe(r);
  EXPECT_EQ(r.status, 2) << describe(r);
  EXPECT_THAT(r.err, HasSubstr(c.message)) << describe(r);
  EXPECT_THAT(r.err, Not(HasSubstr("checking "))) << "checked before rejecting the flags";
  EXPECT_THAT(r.out, Not(HasSubstr("PASSED")));
  EXPECT_THAT(r.out, Not(HasSubstr("FAILED")));
}

INSTANTIATE_TEST_SUITE_P(
    Flags, CliUsageError,
    ::testing::Values(
        UsageCase{"unknown_flag", example_symbol({"--bogus"}), "--bogus"},
        UsageCase{"bad_dtype",
                  example({"--symbol", "my_softmax_f32", "--op", "softmax", "--dtype", "f17"}),
                  "--dtype: f17 not in"},
        UsageCase{"bad_op",
                  example({"--symbol", "my_softmax_f32", "--op", "softmaxx", "--dtype", "f32"}),
                  "--op: softmaxx not in"},
        UsageCase{"zero_cases", example_symbol({"--cases", "0"}), "--cases"},
        UsageCase{"non_numeric_cases", example_symbol({"--cases", "many"}), "--cases"},
        UsageCase{"zero_timeout", example_symbol({"--timeout", "0"}), "--timeout"},
        UsageCase{"k_lane_without_lanes", example_symbol({"--summation", "k_lane"}), "--lanes"},
        UsageCase{"missing_lib_file",
                  {"check", "--lib", "/nonexistent/libnothing.so", "--symbol", "f", "--op",
                   "softmax", "--dtype", "f32"},
                  "cannot load plugin '/nonexistent/libnothing.so'"},
        UsageCase{"missing_symbol",
                  example({"--symbol", "no_such_kernel", "--op", "softmax", "--dtype", "f32"}),
                  "has no symbol 'no_such_kernel'"},
        UsageCase{"bad_abi_version",
                  {"check", "--lib", SOFTCHECK_CLI_PLUGIN_BAD_ABI_VERSION},
                  "abi_version 999"},
        UsageCase{"bad_descriptor",
                  {"check", "--lib", SOFTCHECK_CLI_PLUGIN_BAD_DESCRIPTOR},
                  "unknown op 'softmaxx'"},
        UsageCase{"no_descriptor_and_no_symbol",
                  {"check", "--lib", SOFTCHECK_CLI_PLUGIN_CRASHING},
                  "softcheck_kernels()"},
        UsageCase{"only_names_no_listed_kernel", example({"--only", "nope"}),
                  "lists no kernel named 'nope'"},
        UsageCase{"contract_flag_without_symbol", example({"--dtype", "f16"}),
                  "--dtype describes the kernel named by --symbol"},
        UsageCase{"only_with_symbol", example_symbol({"--only", "f32_softmax_shifted__scalar"}),
                  "--only"},
        UsageCase{"symbol_without_lib", {"check", "--symbol", "my_softmax_f32"}, "--lib"},
        UsageCase{"unknown_property", example({"--property", "no_such_property"}),
                  "property 'no_such_property'"},
        UsageCase{"unknown_kernel",
                  {"check", "--kernel", "no_such_kernel"},
                  "unknown kernel 'no_such_kernel'"},
        UsageCase{"nothing_to_check", {"check"}, "nothing to check"},
        UsageCase{"json_into_missing_directory", example({"--json", "/nonexistent/dir/r.json"}),
                  "/nonexistent/dir"},
        UsageCase{"junit_into_missing_directory", example({"--junit", "/nonexistent/dir/r.xml"}),
                  "/nonexistent/dir"},
        UsageCase{"no_command", {}, "subcommand is required"},
        UsageCase{"unknown_command", {"chekc"}, "unknown command 'chekc'"}),
    [](const auto& info) { return info.param.label; });

TEST(CliUsageError, LibraryThatIsNotASharedObjectIsAUsageError) {
  ScratchDir dir;
  const std::string fake = (dir / "libfake.so").string();
  std::ofstream(fake) << "not an ELF file\n";
  const CliRun r =
      run_softcheck({"check", "--lib", fake, "--symbol", "f", "--op", "softmax", "--dtype", "f32"});
  ASSERT_TRUE(r.exited) << describe(r);
  EXPECT_EQ(r.status, 2) << describe(r);
  EXPECT_THAT(r.err, HasSubstr(fake));
}

TEST(CliUsageError, HelpAndVersionExitZero) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--help"}, {"--version"}, {"check", "--help"}}) {
    const CliRun r = run_softcheck(args);
    ASSERT_TRUE(r.exited) << describe(r);
    EXPECT_EQ(r.status, 0) << describe(r);
    EXPECT_FALSE(r.out.empty());
  }
}

}  // namespace
}  // namespace softcheck::cli_test
