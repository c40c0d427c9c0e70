#include "reports/diagnosis_json.hpp"

#include <limits>

namespace softcheck::reports {

nlohmann::json diagnosis_to_json(const std::optional<Diagnosis>& d) {
  if (!d) return nullptr;
  nlohmann::json params = nlohmann::json::object();
  for (const DiagnosisParam& p : d->params) {
    if (const auto* text = std::get_if<std::string>(&p.value))
      params[p.name] = *text;
    else
      params[p.name] = std::get<double>(p.value);  // non-finite values become null
  }
  return {{"kind", d->kind}, {"params", params}, {"summary", d->summary}, {"evidence", d->evidence}};
}

std::optional<Diagnosis> diagnosis_from_json(const nlohmann::json& j) {
  if (j.is_null()) return std::nullopt;
  Diagnosis d;
  d.kind = j.at("kind").get<std::string>();
  d.summary = j.at("summary").get<std::string>();
  d.evidence = j.at("evidence").get<std::string>();
  for (const auto& [name, v] : j.at("params").items()) {
    if (v.is_string())
      d.params.push_back({name, v.get<std::string>()});
    else
      d.params.push_back(
          {name, v.is_null() ? std::numeric_limits<double>::quiet_NaN() : v.get<double>()});
  }
  return d;
}

}  // namespace softcheck::reports
