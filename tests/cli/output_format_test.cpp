// What CI systems read: `--json` (docs/check-json-schema.md, schema softcheck-check/2), `--junit`
// (well-formed XML with one testcase per property and a failure element per failed one), and
// `softcheck list` / `list --json`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "tests/cli/cli_process.hpp"
#include "tests/cli/xml_tree.hpp"

namespace softcheck::cli_test {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;

// The contract object, as docs/check-json-schema.md and `list --json` document it.
void expect_contract_fields(const json& c) {
  for (const char* key :
       {"name", "op", "dtype", "accum", "algorithm", "summation", "isa", "all_masked", "summary"})
    EXPECT_TRUE(c.contains(key) && c[key].is_string()) << key << " in " << c.dump();
  EXPECT_TRUE(c.contains("lanes") && c["lanes"].is_number_integer());
  for (const char* key : {"exp_ulps", "log_ulps"})
    EXPECT_TRUE(c.contains(key) && c[key].is_number()) << key;
  for (const char* key : {"flushes_subnormals", "monotone_exp"})
    EXPECT_TRUE(c.contains(key) && c[key].is_boolean()) << key;
  ASSERT_TRUE(c.contains("domain") && c["domain"].is_object()) << c.dump();
  const json& d = c["domain"];
  for (const char* key : {"max_logit", "min_row_max"})
    EXPECT_TRUE(d.contains(key) && (d[key].is_null() || d[key].is_number())) << key;
  for (const char* key : {"accepts_neg_inf", "propagates_nan"})
    EXPECT_TRUE(d.contains(key) && d[key].is_boolean()) << key;
}

// Checks the documented fields and that the summary counts the verdicts; returns the verdicts.
std::multiset<std::string> expect_check_json(const json& j, int cases) {
  std::multiset<std::string> verdicts;
  EXPECT_EQ(j.at("schema"), "softcheck-check/2");
  EXPECT_TRUE(j.at("seed").is_number_unsigned());
  EXPECT_EQ(j.at("cases"), cases);
  EXPECT_TRUE(j.at("max_cols").is_number_unsigned());
  EXPECT_FALSE(j.at("kernels").empty());
  for (const json& k : j.at("kernels")) {
    expect_contract_fields(k.at("contract"));
    for (const json& p : k.at("properties")) {
      EXPECT_TRUE(p.at("name").is_string());
      const std::string v = p.at("verdict");
      EXPECT_TRUE(v == "PASSED" || v == "FAILED" || v == "SKIPPED" || v == "GAVE_UP") << v;
      verdicts.insert(v);
      EXPECT_TRUE(p.at("cases").is_number_integer());
      EXPECT_TRUE(p.at("seconds").is_number());
      EXPECT_EQ(p.at("seed"), j.at("seed"));
      EXPECT_TRUE(p.at("message").is_string());
      EXPECT_THAT(p.at("repro").get<std::string>(),
                  HasSubstr("--property " + p.at("name").get<std::string>()));
      EXPECT_TRUE(p.at("coverage").is_object());
      // The oracle's tiers account for every element it computed.
      EXPECT_EQ(p.at("elements").get<uint64_t>(),
                p.at("oracle").at("fast").get<uint64_t>() + p.at("oracle").at("mpfr").get<uint64_t>());
      if (v == "PASSED") {
        EXPECT_EQ(p.at("cases"), cases);
      }
      if (v == "FAILED") {
        EXPECT_FALSE(p.at("message").get<std::string>().empty());
      }
    }
  }
  const json& s = j.at("summary");
  EXPECT_EQ(s.at("passed"), verdicts.count("PASSED"));
  EXPECT_EQ(s.at("failed"), verdicts.count("FAILED"));
  EXPECT_EQ(s.at("skipped"), verdicts.count("SKIPPED"));
  EXPECT_EQ(s.at("gave_up"), verdicts.count("GAVE_UP"));
  return verdicts;
}

// Checks the JUnit structure and its counts; returns the number of failed properties: <failure>
// elements, plus the <error> elements of `failed_calls` failures whose kernel call did not complete.
int expect_junit(const std::string& text, const std::multiset<std::string>& verdicts,
                 int failed_calls = 0) {
  std::unique_ptr<XmlElement> root;
  try {
    root = parse_xml(text);
  } catch (const XmlError& e) {
    ADD_FAILURE() << "malformed JUnit XML: " << e.what() << "\n" << text;
    return -1;
  }
  EXPECT_EQ(root->name, "testsuites");
  int testcases = 0, failures = 0, errors = 0;
  for (const XmlElement* suite : root->find_all("testsuite")) {
    const auto cases = suite->find_all("testcase");
    const auto fails = suite->find_all("failure");
    const auto errs = suite->find_all("error");
    EXPECT_EQ(std::stoul(suite->attribute("errors")), errs.size());
    EXPECT_EQ(std::stoul(suite->attribute("tests")), cases.size());
    EXPECT_EQ(std::stoul(suite->attribute("failures")), fails.size());
    EXPECT_FALSE(suite->attribute("name").empty());
    for (const XmlElement* c : cases) {
      EXPECT_FALSE(c->attribute("name").empty());
      EXPECT_THAT(c->attribute("classname"), HasSubstr(suite->attribute("name")));
      std::stod(c->attribute("time"));
    }
    for (const XmlElement* f : fails) {
      EXPECT_FALSE(f->attribute("message").empty());
      EXPECT_FALSE(f->attribute("type").empty());
      EXPECT_THAT(f->text, HasSubstr("reproduce: "));
    }
    testcases += static_cast<int>(cases.size());
    failures += static_cast<int>(fails.size());
    errors += static_cast<int>(errs.size());
  }
  EXPECT_EQ(testcases, static_cast<int>(verdicts.size()));
  EXPECT_EQ(failures + failed_calls,
            static_cast<int>(verdicts.count("FAILED") + verdicts.count("GAVE_UP")));
  EXPECT_EQ(errors, static_cast<int>(verdicts.count("ERROR")) + failed_calls);
  // The root carries the totals CI dashboards read first, and every suite when and where it ran.
  EXPECT_EQ(std::stoi(root->attribute("tests")), testcases);
  EXPECT_EQ(std::stoi(root->attribute("failures")), failures);
  EXPECT_EQ(std::stoi(root->attribute("errors")), errors);
  EXPECT_EQ(std::stoul(root->attribute("skipped")), verdicts.count("SKIPPED"));
  EXPECT_THAT(root->attribute("timestamp"),
              ::testing::MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"));
  for (const XmlElement* suite : root->find_all("testsuite")) {
    EXPECT_EQ(suite->attribute("timestamp"), root->attribute("timestamp"));
    EXPECT_FALSE(suite->attribute("hostname").empty());
  }
  return failures + failed_calls;
}

TEST(CliOutputFormats, PassingCheckWritesDocumentedJsonAndJunitWithoutFailures) {
  ScratchDir dir;
  const std::string json_path = (dir / "r.json").string(), xml_path = (dir / "r.xml").string();
  const CliRun r = run_softcheck({"check", "--lib", SOFTCHECK_EXAMPLE_PLUGIN, "--cases", "10", "-q",
                                  "--json", json_path, "--junit", xml_path});
  ASSERT_TRUE(r.exited && r.status == 0) << describe(r);
  const auto verdicts = expect_check_json(json::parse(read_file(json_path)), 10);
  EXPECT_EQ(verdicts.count("FAILED") + verdicts.count("GAVE_UP"), 0u);
  EXPECT_EQ(expect_junit(read_file(xml_path), verdicts), 0);
}

TEST(CliOutputFormats, FailingCheckRecordsTheFailureInJsonAndJunit) {
  ScratchDir dir;
  const std::string json_path = (dir / "r.json").string(), xml_path = (dir / "r.xml").string();
  const CliRun r = run_softcheck({"check", "--lib", SOFTCHECK_CLI_PLUGIN_OUT_OF_BOUNDS, "--symbol",
                                  "softmax_writes_past_end", "--op", "softmax", "--dtype", "f32",
                                  "--cases", "10", "-q", "--json", json_path, "--junit", xml_path});
  ASSERT_TRUE(r.exited && r.status == 1) << describe(r);
  const json j = json::parse(read_file(json_path));
  const auto verdicts = expect_check_json(j, 10);
  ASSERT_GT(verdicts.count("FAILED"), 0u);
  int failed_calls = 0;
  for (const json& p : j["kernels"][0]["properties"])
    if (p["verdict"] == "FAILED") {
      EXPECT_THAT(p["message"].get<std::string>(), HasSubstr("out_of_bounds"));
      EXPECT_THAT(p["repro"].get<std::string>(), HasSubstr("--symbol softmax_writes_past_end"));
      // A guard-page fault is a call that did not complete: JUnit's <error>, its status the type.
      EXPECT_EQ(p["failed_call"], "out_of_bounds");
      ++failed_calls;
    } else {
      EXPECT_TRUE(p["failed_call"].is_null());
    }
  EXPECT_GT(expect_junit(read_file(xml_path), verdicts, failed_calls), 0);
  EXPECT_THAT(read_file(xml_path), HasSubstr("type=\"out_of_bounds\""));
}

TEST(CliOutputFormats, ListPrintsEveryBuiltInKernelAndListJsonParses) {
  const CliRun text = run_softcheck({"list"});
  ASSERT_TRUE(text.exited && text.status == 0) << describe(text);
  const CliRun js = run_softcheck({"list", "--json"});
  ASSERT_TRUE(js.exited && js.status == 0) << describe(js);
  const json all = json::parse(js.out);
  ASSERT_TRUE(all.is_array());
  ASSERT_FALSE(all.empty());
  std::set<std::string> names;
  for (const json& c : all) {
    expect_contract_fields(c);
    const std::string name = c["name"];
    EXPECT_TRUE(names.insert(name).second) << "duplicate kernel " << name;
    EXPECT_THAT(text.out, HasSubstr("\n" + name + " ")) << "list lacks " << name;
  }
  EXPECT_TRUE(names.count("f32_softmax_shifted__scalar"));
}

TEST(CliOutputFormats, ListPropertiesNamesEveryPropertyWithTheOpsItAppliesTo) {
  const CliRun js = run_softcheck({"list", "--properties", "--json"});
  ASSERT_TRUE(js.exited && js.status == 0) << describe(js);
  const json all = json::parse(js.out);
  ASSERT_TRUE(all.is_array());
  std::set<std::string> names, ops;
  for (const json& p : all) {
    EXPECT_TRUE(names.insert(p.at("name").get<std::string>()).second) << p;
    EXPECT_FALSE(p.at("summary").get<std::string>().empty()) << p;
    for (const std::string op : p.at("ops")) ops.insert(op);
  }
  for (const char* name : {"accuracy", "sum_to_one", "shift_invariance"})
    EXPECT_TRUE(names.count(name)) << name;
  for (const char* op : {"softmax", "log_softmax", "softmax_backward", "cross_entropy"})
    EXPECT_TRUE(ops.count(op)) << op;
  const CliRun text = run_softcheck({"list", "--properties"});
  ASSERT_TRUE(text.exited && text.status == 0) << describe(text);
  for (const std::string& name : names) EXPECT_THAT(text.out, HasSubstr("\n" + name + " "));
}

TEST(CliOutputFormats, HelpShowsTheExitCodesAndAnExamplePerCommand) {
  const CliRun top = run_softcheck({"--help"});
  ASSERT_TRUE(top.exited && top.status == 0) << describe(top);
  EXPECT_THAT(top.out, HasSubstr("Exit codes: 0 all passed, 1 a kernel failed"));
  for (const char* command : {"list", "check", "report", "merge", "bench"}) {
    // bench exists only in builds with Google Benchmark (SOFTCHECK_BUILD_BENCH).
    if (top.out.find(std::string("\n  ") + command + " ") == std::string::npos) {
      EXPECT_STREQ(command, "bench");
      continue;
    }
    const CliRun r = run_softcheck({command, "--help"});
    ASSERT_TRUE(r.exited && r.status == 0) << describe(r);
    EXPECT_THAT(r.out, HasSubstr(std::string("\n  softcheck ") + command + " ")) << command;
  }
}

}  // namespace
}  // namespace softcheck::cli_test
