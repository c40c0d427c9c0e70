// report.json: the report model as JSON, schema softcheck-report/1 (docs/report-json-schema.md),
// and back (for baseline diffs and shard merges). Numbers are finite JSON numbers (nlohmann prints
// the shortest text that reads back to the same double, so a round trip is exact); values that can
// be NaN or infinite (outputs, exact values) are hex-float strings.
#pragma once

#include <nlohmann/json.hpp>

#include "reports/report.hpp"

namespace softcheck::reports {

nlohmann::json to_json(const Report& r);
nlohmann::json to_json(const CellResult& c);
nlohmann::json to_json(const Plan& p);

// Throws std::runtime_error with the offending field when the document is not a report of a schema
// this version reads. Worst-case inputs are not in the JSON (see read_report_dir).
Report report_from_json(const nlohmann::json& j);
CellResult cell_from_json(const nlohmann::json& j);

// report.json's text: one top-level field per line, each kernel's fields one per line and each cell
// on a line of its own (compact, and a baseline's diff in version control is a list of cells).
std::string format_report_json(const nlohmann::json& report);

// The part of a report that is its result: everything but "run" (timings, threads, shards merged),
// so that two runs, or a merge of shards and one run, compare equal.
nlohmann::json result_part(const nlohmann::json& report);

}  // namespace softcheck::reports
