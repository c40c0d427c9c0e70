// A failure diagnosis (properties/diagnosis) as JSON, the same in `softcheck check --json`
// (docs/check-json-schema.md) and report.json (docs/report-json-schema.md): {kind, params,
// summary, evidence}, or null for no diagnosis.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "properties/diagnosis/diagnosis.hpp"

namespace softcheck::reports {

nlohmann::json diagnosis_to_json(const std::optional<Diagnosis>& d);
// Throws nlohmann::json::exception on a malformed object; null gives nullopt.
std::optional<Diagnosis> diagnosis_from_json(const nlohmann::json& j);

}  // namespace softcheck::reports
