#include "cli/check_output.hpp"

#include <unistd.h>

#include <chrono>
#include <climits>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "reports/contract_json.hpp"
#include "reports/diagnosis_json.hpp"

namespace softcheck::cli {
namespace {

std::string xml_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 forbids most control characters; keep tab and newline.
        if (static_cast<unsigned char>(ch) < 0x20 && ch != '\n' && ch != '\t') out += ' ';
        else out += ch;
    }
  }
  return out;
}

}  // namespace

nlohmann::json check_to_json(const std::vector<KernelResult>& results, const RunConfig& config) {
  nlohmann::json kernels = nlohmann::json::array();
  int counts[kVerdictCount] = {};
  for (const KernelResult& r : results) {
    nlohmann::json props = nlohmann::json::array();
    for (const PropertyOutcome& o : r.outcomes) {
      ++counts[static_cast<int>(o.verdict)];
      props.push_back({{"name", o.property},
                       {"verdict", name_of(o.verdict)},
                       {"cases", o.cases},
                       {"seconds", o.seconds},
                       {"seed", o.seed},
                       {"message", o.message},
                       {"repro", o.repro},
                       {"coverage", o.coverage},
                       {"elements", o.elements()},
                       {"oracle", {{"fast", o.oracle_fast}, {"mpfr", o.oracle_mpfr}}},
                       {"diagnosis", reports::diagnosis_to_json(o.diagnosis)},
                       {"failed_call", o.failed_call.empty() ? nlohmann::json()
                                                             : nlohmann::json(o.failed_call)}});
    }
    kernels.push_back({{"contract", contract_to_json(r.contract)}, {"properties", props}});
  }
  return {{"schema", kCheckSchema},
          {"seed", config.seed},
          {"cases", config.cases},
          {"max_cols", config.max_cols},
          {"kernels", kernels},
          {"summary",
           {{"passed", counts[0]}, {"failed", counts[1]}, {"skipped", counts[2]}, {"gave_up", counts[3]},
            {"errors", counts[4]}}}};
}

JunitRun this_run() {
  JunitRun run;
  run.timestamp = fmt::format("{:%Y-%m-%dT%H:%M:%S}", std::chrono::time_point_cast<std::chrono::seconds>(
                                                           std::chrono::system_clock::now()));
  char host[HOST_NAME_MAX + 1] = {};
  run.hostname = gethostname(host, sizeof host - 1) == 0 ? host : "localhost";
  return run;
}

std::string check_to_junit(const std::vector<KernelResult>& results, const JunitRun& run) {
  struct Totals {
    std::size_t tests = 0;
    int failures = 0, errors = 0, skipped = 0;
    double seconds = 0;
  };
  const auto totals_of = [](const std::vector<PropertyOutcome>& outcomes) {
    Totals t;
    t.tests = outcomes.size();
    for (const PropertyOutcome& o : outcomes) {
      // A call that did not complete is JUnit's <error> (the test did not run to its assertion),
      // though the kernel failed: its verdict and the exit status stay FAILED.
      const bool call = !o.failed_call.empty();
      t.failures += (o.verdict == Verdict::failed && !call) || o.verdict == Verdict::gave_up;
      t.errors += o.verdict == Verdict::error || (o.verdict == Verdict::failed && call);
      t.skipped += o.verdict == Verdict::skipped;
      t.seconds += o.seconds;
    }
    return t;
  };
  Totals all;
  for (const KernelResult& r : results) {
    const Totals t = totals_of(r.outcomes);
    all.tests += t.tests, all.failures += t.failures, all.errors += t.errors;
    all.skipped += t.skipped, all.seconds += t.seconds;
  }
  std::string xml = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"softcheck\" tests=\"{}\" "
      "failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3f}\" timestamp=\"{}\">\n",
      all.tests, all.failures, all.errors, all.skipped, all.seconds, xml_escape(run.timestamp));
  for (const KernelResult& r : results) {
    const Totals t = totals_of(r.outcomes);
    xml += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3f}\" timestamp=\"{}\" hostname=\"{}\">\n",
                       xml_escape(r.contract.name), t.tests, t.failures, t.errors, t.skipped, t.seconds,
                       xml_escape(run.timestamp), xml_escape(run.hostname));
    for (const PropertyOutcome& o : r.outcomes) {
      xml += fmt::format("    <testcase classname=\"softcheck.{}\" name=\"{}\" time=\"{:.3f}\"",
                         xml_escape(r.contract.name), xml_escape(o.property), o.seconds);
      if (o.verdict == Verdict::passed) {
        xml += "/>\n";
        continue;
      }
      xml += ">\n";
      if (o.verdict == Verdict::skipped)
        xml += fmt::format("      <skipped message=\"{}\"/>\n", xml_escape(o.message));
      else if (o.verdict == Verdict::error)  // JUnit's <error>: the test could not run, not failed
        xml += fmt::format("      <error message=\"softcheck error after {} cases\" type=\"ERROR\">{}\nseed: {}\nreproduce: {}</error>\n",
                           o.cases, xml_escape(o.message), o.seed, xml_escape(o.repro));
      else {
        // A call that did not complete is an <error> of its status, a violation a <failure>.
        const bool call = !o.failed_call.empty();
        const std::string tag = call ? "error" : "failure";
        const std::string type = call ? o.failed_call : std::string(name_of(o.verdict));
        const std::string head =
            call ? fmt::format("kernel call failed: {}", o.failed_call) : type;
        // The newline as an argument of its own, not `"\n" + temporary`: GCC 12's -Wrestrict
        // misreads the inlined insert.
        xml += fmt::format("      <{} message=\"{} after {} cases\" type=\"{}\">{}{}{}\nseed: {}\nreproduce: {}</{}>\n",
                           tag, head, o.cases, type, xml_escape(o.message), o.diagnosed ? "\n" : "",
                           o.diagnosed ? xml_escape(format_diagnosis(o.diagnosis)) : std::string(),
                           o.seed, xml_escape(o.repro), tag);
      }
      xml += "    </testcase>\n";
    }
    xml += "  </testsuite>\n";
  }
  return xml + "</testsuites>\n";
}

}  // namespace softcheck::cli
