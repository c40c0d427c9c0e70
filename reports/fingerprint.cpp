// The fingerprint of a report: what its verdicts depend on besides the cells' data (report.hpp).
#include <fmt/format.h>

#include "reports/report.hpp"

namespace softcheck::reports {
namespace {

std::string text_of(const nlohmann::json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

uint64_t fnv1a(uint64_t h, std::string_view s) {
  for (char ch : s) h = (h ^ static_cast<unsigned char>(ch)) * 0x100000001b3ull;
  return h;
}

}  // namespace

std::vector<VerdictInput> verdict_inputs(const Report& r) {
  std::vector<VerdictInput> v;
  v.push_back({"softcheck version", r.generator});
  v.push_back({"plan name", r.plan.name});
  v.push_back({"plan seed", fmt::format("{:#x}", r.plan.seed)});
  v.push_back({"plan elements_per_cell", std::to_string(r.plan.elements_per_cell)});
  v.push_back({"plan max_rows", std::to_string(r.plan.max_rows)});
  v.push_back({"plan families", fmt::format("{}", fmt::join(r.plan.families, ","))});
  v.push_back({"plan cols", fmt::format("{}", fmt::join(r.plan.cols, ","))});
  std::vector<std::string> names;
  for (const KernelReport& k : r.kernels) names.push_back(k.name);
  v.push_back({"kernels", fmt::format("{}", fmt::join(names, ","))});
  for (const KernelReport& k : r.kernels) {
    // Field by field, so a mismatch names the field (e.g. /exp_ulps). The summary is a
    // description (a plugin's path differs between CI machines), not a factor of the bound.
    const nlohmann::json fields = k.contract.flatten();
    for (const auto& [pointer, value] : fields.items())
      if (pointer != "/summary")
        v.push_back({"kernel " + k.name + " contract " + pointer, text_of(value)});
    v.push_back({"kernel " + k.name + " bound", k.bound});
  }
  std::vector<std::string> skipped;
  for (const SkippedKernel& s : r.skipped) skipped.push_back(s.name + ": " + s.reason);
  v.push_back({"skipped kernels", fmt::format("{}", fmt::join(skipped, "; "))});
  return v;
}

std::string fingerprint(const Report& r) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (const VerdictInput& f : verdict_inputs(r)) {
    // Lengths first, so that no two different lists of fields hash the same text.
    h = fnv1a(h, fmt::format("{}:{}={}:{};", f.field.size(), f.field, f.value.size(), f.value));
  }
  return fmt::format("{:016x}", h);
}

}  // namespace softcheck::reports
