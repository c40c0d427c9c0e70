// A report directory: summary.md, report.json, index.html and worst/<kernel>.txt, written
// atomically (StagedDir), and read back for merges and baselines.
#pragma once

#include <filesystem>

#include "reports/baseline.hpp"
#include "reports/report.hpp"

namespace softcheck::reports {

void write_report_dir(const std::filesystem::path& dir, const Report& r,
                      const BaselineDiff* diff = nullptr);

// Reads DIR/report.json and the worst-case files it names; throws std::runtime_error.
Report read_report_dir(const std::filesystem::path& dir);

// A --baseline argument: a report.json file, or a report directory holding one.
Report read_report_json(const std::filesystem::path& path_or_dir);

}  // namespace softcheck::reports
