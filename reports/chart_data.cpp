#include "reports/chart_data.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <map>

#include "reports/families.hpp"
#include "reports/render.hpp"
#include "reports/summary_table.hpp"

namespace softcheck::reports {
namespace {

using nlohmann::json;

// 4 significant digits; non-finite values (a class mismatch's ratio) as null, which charts skip.
json num(double v) {
  if (!std::isfinite(v)) return nullptr;
  if (v == 0) return 0;
  // strtod, not stod: stod throws on subnormal results (ERANGE), which errors can be.
  return std::strtod(fmt::format("{:.4g}", v).c_str(), nullptr);
}

// The error of the tightest output and its bound, in the op's measure; null where no output has
// an error (then tightness is 0) or, for an absolute bound, where the worst output is not a
// rounding error (a class mismatch, a broken mask) and has no bound.
std::pair<json, json> tightest(const KernelReport& k, const CellResult& c) {
  if (!(c.tightness > 0)) return {nullptr, nullptr};
  if (!absolute_measure(k.op)) return {num(c.tight_observed_ulps), num(c.tight_bound_ulps)};
  const WorstElement& w = c.worst;
  if (w.kind != "within" && w.kind != "over_bound") return {nullptr, nullptr};
  return {num(w.abs), num(w.bound_abs)};
}

}  // namespace

std::string kernel_anchor(const std::string& kernel) {
  std::string s = "k-";
  for (char ch : kernel) {
    const bool keep = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.';
    s += keep ? ch : '_';
  }
  return s;
}

json chart_data(const Report& r) {
  json families = json::array();
  for (std::size_t f = 0; f < r.plan.families.size(); ++f) {
    const FamilyInfo* info = find_family(r.plan.families[f]);
    families.push_back({{"name", r.plan.families[f]},
                        {"color", family_color(f)},
                        {"description", info ? info->description : ""}});
  }
  json kernels = json::array(), cells = json::array(), histogram = json::array();
  for (const KernelReport& k : r.kernels) {
    const bool absolute = absolute_measure(k.op);
    std::size_t exact_outputs = 0;
    // Per family: exact outputs and the power-of-two bins, dense from the lowest bin drawn.
    std::map<std::string, std::pair<std::size_t, std::map<int, std::size_t>>> by_family;
    for (const CellResult& c : k.cells) {
      if (!c.measured()) continue;
      const auto [observed, bound] = tightest(k, c);
      json cell = {{"kernel", k.name},
                   {"family", c.family},
                   {"cols", c.cols},
                   {"error", num(absolute ? c.abs_max : c.ulps_exact.max)},
                   {"observed", observed},
                   {"bound", bound},
                   {"tightness", num(c.tightness)},
                   {"ulp_max", num(c.ulps_exact.max)},
                   {"ulp_p99", num(c.ulps_exact.p99)},
                   {"abs_max", num(c.abs_max)},
                   {"spread", num(c.spread_mean)},
                   {"magnitude", num(c.magnitude_mean)},
                   {"passed", c.passed()}};
      const std::vector<std::string> why = c.failures();
      if (!why.empty()) {
        std::string reasons;
        for (const std::string& w : why) reasons += (reasons.empty() ? "" : "; ") + w;
        cell["failures"] = reasons;
      }
      cells.push_back(std::move(cell));
      exact_outputs += c.histogram.exact;
      auto& [exact, bins] = by_family[c.family];
      exact += c.histogram.exact;
      for (auto [e, n] : c.histogram.log2) bins[e] += n;
    }
    for (const auto& [family, counts] : by_family) {
      const auto& [exact, bins] = counts;
      json dense = json::array();
      const int lo = bins.empty() ? 0 : bins.begin()->first;
      if (!bins.empty())
        for (int e = lo; e <= bins.rbegin()->first; ++e) {
          const auto it = bins.find(e);
          dense.push_back(it == bins.end() ? 0 : it->second);
        }
      histogram.push_back({{"kernel", k.name},
                           {"family", family},
                           {"exact", exact},
                           {"min_log2", lo},
                           {"counts", dense}});
    }
    kernels.push_back({{"name", k.name},
                       {"anchor", kernel_anchor(k.name)},
                       {"op", name_of(k.op)},
                       {"dtype", name_of(k.dtype)},
                       {"unit", measure_unit(k.op)},
                       {"passed", k.totals.verdict == "passed"},
                       {"exact_outputs", exact_outputs},
                       {"elements", k.totals.elements},
                       // The cell's reproduce command: {family} and {cols} filled in per cell.
                       {"reproduce", reproduce_command(r.plan, k.name, "{family}", "{cols}")}});
  }
  return {{"families", families},
          {"kernels", kernels},
          {"cells", cells},
          {"histogram", histogram}};
}

}  // namespace softcheck::reports
