// Machine-readable results of `softcheck check`: JSON (schema in docs/check-json-schema.md) and
// JUnit XML for CI systems.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "properties/runner.hpp"

namespace softcheck::cli {

struct KernelResult {
  Contract contract;
  std::vector<PropertyOutcome> outcomes;
};

inline constexpr const char* kCheckSchema = "softcheck-check/2";

nlohmann::json check_to_json(const std::vector<KernelResult>& results, const RunConfig& config);
// Where and when the check ran, as JUnit's timestamp and hostname attributes carry it.
struct JunitRun {
  std::string timestamp;  // ISO 8601 without time zone, UTC (the schema's xs:dateTime)
  std::string hostname;
};
JunitRun this_run();
std::string check_to_junit(const std::vector<KernelResult>& results, const JunitRun& run);

}  // namespace softcheck::cli
