#include "reports/report_dir.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "reports/render.hpp"
#include "reports/report_json.hpp"
#include "reports/staged_dir.hpp"

namespace softcheck::reports {
namespace fs = std::filesystem;

namespace {

nlohmann::json diff_json(const BaselineDiff& d) {
  nlohmann::json entries = nlohmann::json::array();
  for (const DiffEntry& e : d.entries)
    entries.push_back({{"kernel", e.kernel},
                       {"cell", e.cell},
                       {"what", e.what},
                       {"before", e.before},
                       {"after", e.after},
                       {"regression", e.regression}});
  return {{"baseline", d.baseline},
          {"margins",
           {{"ulps_rel", d.margins.ulps_rel},
            {"ulps_abs", d.margins.ulps_abs},
            {"bias_ulps", d.margins.bias_ulps}}},
          {"cells_compared", d.cells_compared},
          {"regressed", d.regressed()},
          {"entries", entries}};
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

void write_report_dir(const fs::path& dir, const Report& r, const BaselineDiff* diff) {
  StagedDir out(dir);
  nlohmann::json j = to_json(r);
  if (diff) j["baseline_diff"] = diff_json(*diff);
  out.write("report.json", format_report_json(j));
  out.write("summary.md", render_summary_md(r, diff));
  out.write("index.html", render_html(r, diff));
  for (const KernelReport& k : r.kernels)
    if (k.worst) out.write(worst_case_path(k.name), format_worst_case(*k.worst));
  out.commit();
}

Report read_report_json(const fs::path& path_or_dir) {
  const fs::path p = fs::is_directory(path_or_dir) ? path_or_dir / "report.json" : path_or_dir;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_text(p));
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(fmt::format("{}: {}", p.string(), e.what()));
  }
  try {
    return report_from_json(j);
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("{}: {}", p.string(), e.what()));
  }
}

Report read_report_dir(const fs::path& dir) {
  Report r = read_report_json(dir / "report.json");
  const nlohmann::json j = nlohmann::json::parse(read_text(dir / "report.json"));
  for (std::size_t i = 0; i < r.kernels.size(); ++i) {
    const nlohmann::json& w = j.at("kernels").at(i).at("worst_case");
    if (w.is_null()) continue;
    r.kernels[i].worst = read_worst_case_file((dir / w.at("file").get<std::string>()).string());
  }
  return r;
}

}  // namespace softcheck::reports
