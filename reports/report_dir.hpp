// A report directory: summary.md, report.json, index.html and worst/<kernel>.txt, written
// atomically (StagedDir), and read back for merges and baselines.
#pragma once

#include <filesystem>

#include "reports/baseline.hpp"
#include "reports/report.hpp"

namespace softcheck::reports {

// The file every report directory holds; a directory with it is a report softcheck may replace.
inline constexpr const char* kReportMarker = ".softcheck-report";

// Throws std::runtime_error, naming the entry that blocks it, unless `dir` may be replaced by a
// report: it does not exist (its parent can be created and written), or it is a directory that is
// empty or a previous report (it holds kReportMarker, or only the files a report writes). Anything
// else holds a user's files, which a replacement would delete. A symbolic link is judged by (and
// replaced at) its target.
void require_replaceable_report_dir(const std::filesystem::path& dir);

// Writes the report (with kReportMarker) to `dir` atomically; require_replaceable_report_dir
// first.
void write_report_dir(const std::filesystem::path& dir, const Report& r,
                      const BaselineDiff* diff = nullptr);

// Reads DIR/report.json and the worst-case files it names; throws std::runtime_error.
Report read_report_dir(const std::filesystem::path& dir);

// A --baseline argument: a report.json file, or a report directory holding one.
Report read_report_json(const std::filesystem::path& path_or_dir);

}  // namespace softcheck::reports
