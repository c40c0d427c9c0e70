#include "cli/check_output.hpp"

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
                       {"diagnosis", reports::diagnosis_to_json(o.diagnosis)}});
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

std::string check_to_junit(const std::vector<KernelResult>& results) {
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"softcheck\">\n";
  for (const KernelResult& r : results) {
    int failures = 0, errors = 0, skipped = 0;
    double seconds = 0;
    for (const PropertyOutcome& o : r.outcomes) {
      failures += o.verdict == Verdict::failed || o.verdict == Verdict::gave_up;
      errors += o.verdict == Verdict::error;
      skipped += o.verdict == Verdict::skipped;
      seconds += o.seconds;
    }
    xml += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3f}\">\n",
                       xml_escape(r.contract.name), r.outcomes.size(), failures, errors, skipped, seconds);
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
      else
        // The newline as an argument of its own, not `"\n" + temporary`: GCC 12's -Wrestrict
        // misreads the inlined insert.
        xml += fmt::format("      <failure message=\"{} after {} cases\" type=\"{}\">{}{}{}\nseed: {}\nreproduce: {}</failure>\n",
                           name_of(o.verdict), o.cases, name_of(o.verdict), xml_escape(o.message),
                           o.diagnosed ? "\n" : "",
                           o.diagnosed ? xml_escape(format_diagnosis(o.diagnosis)) : std::string(),
                           o.seed, xml_escape(o.repro));
      xml += "    </testcase>\n";
    }
    xml += "  </testsuite>\n";
  }
  return xml + "</testsuites>\n";
}

}  // namespace softcheck::cli
