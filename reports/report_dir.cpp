#include "reports/report_dir.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <optional>
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

// The first entry of `dir` that is not a file a report writes (softcheck 0.1.0 wrote reports
// without a marker file): replacing a directory of only these loses nothing of the user's.
std::optional<fs::path> foreign_entry(const fs::path& dir) {
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if ((name == "report.json" || name == "summary.md" || name == "index.html") &&
        e.is_regular_file())
      continue;
    if (name == "worst" && e.is_directory() && !e.is_symlink()) {
      for (const auto& w : fs::directory_iterator(e.path()))
        if (!w.is_regular_file() || w.is_symlink() || w.path().extension() != ".txt")
          return w.path();
      continue;
    }
    return e.path();
  }
  return std::nullopt;
}

void require_writable_directory(const fs::path& dir, const fs::path& shown) {
  fs::path p = dir;
  std::error_code ec;
  while (!p.empty() && !fs::exists(p, ec) && p != p.parent_path()) p = p.parent_path();
  if (!fs::is_directory(p, ec))
    throw std::runtime_error(fmt::format("cannot create {}: {} is not a directory", shown.string(),
                                         p.string()));
  if (::access(p.c_str(), W_OK | X_OK) != 0)
    throw std::runtime_error(
        fmt::format("cannot write {}: directory {} is not writable", shown.string(), p.string()));
}

// `relative` resolved inside `dir`: a report names its own files, so an absolute path, a ".." or
// a symbolic link that leads out of the directory (a crafted or corrupt report.json) is refused
// rather than read.
fs::path inside(const fs::path& dir, const std::string& relative) {
  const fs::path rel(relative);
  std::error_code ec;
  const fs::path root = fs::weakly_canonical(fs::absolute(dir), ec);
  const fs::path p = fs::weakly_canonical(root / rel, ec);
  const auto [end, _] = std::mismatch(root.begin(), root.end(), p.begin(), p.end());
  if (rel.is_absolute() || relative.empty() || ec || end != root.end() || p == root)
    throw std::runtime_error(fmt::format(
        "{}: worst-case file '{}' lies outside the report directory; refused", dir.string(),
        relative));
  return p;
}

}  // namespace

void require_replaceable_report_dir(const fs::path& dir) {
  std::error_code ec;
  fs::path target = fs::weakly_canonical(fs::absolute(dir), ec);
  if (ec) throw std::runtime_error(fmt::format("{}: {}", dir.string(), ec.message()));
  if (target.filename().empty()) target = target.parent_path();  // "dir/" -> "dir"
  const fs::file_status st = fs::status(target, ec);
  if (fs::exists(st)) {
    if (!fs::is_directory(st))
      throw std::runtime_error(fmt::format("{} exists and is not a directory", dir.string()));
    if (!fs::exists(target / kReportMarker, ec))
      if (const auto foreign = foreign_entry(target))
        throw std::runtime_error(fmt::format(
            "{} is not empty and not a softcheck report (it has no {} file): writing the report "
            "there would delete {}; choose another directory or empty it",
            dir.string(), kReportMarker, foreign->string()));
  }
  // The staging directory is created next to the target (reports/staged_dir.hpp).
  require_writable_directory(target.parent_path(), dir);
}

void write_report_dir(const fs::path& dir, const Report& r, const BaselineDiff* diff) {
  require_replaceable_report_dir(dir);
  StagedDir out(dir);
  out.write(kReportMarker,
            "This directory is a softcheck report: `softcheck report --out` and `softcheck merge "
            "--out` replace it as a whole.\n");
  nlohmann::json j = to_json(r);
  if (diff) j["baseline_diff"] = diff_json(*diff);
  out.write("report.json", format_report_json(j));
  out.write("summary.md", render_summary_md(r, diff));
  out.write("index.html", render_html(r, diff));
  for (const KernelReport& k : r.kernels)
    if (k.worst)
      out.write(worst_case_path(k.name),
                [&](std::ostream& os) { write_worst_case(os, *k.worst); });
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
    r.kernels[i].worst = read_worst_case_file(inside(dir, w.at("file").get<std::string>()).string());
  }
  return r;
}

}  // namespace softcheck::reports
