#include "reports/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "reports/cell_stats.hpp"
#include "reports/families.hpp"

namespace softcheck::reports {

bool CellResult::bias_judged() const {
  const FamilyInfo* f = find_family(family);
  return f && f->random_rounding && bias.z && bias.rows >= kMinBiasRows;
}

bool CellResult::biased() const {
  return bias_judged() && std::fabs(*bias.z) > kBiasZLimit &&
         std::fabs(bias.mean_signed_ulps) >= kBiasMinUlps;
}

std::vector<std::string> CellResult::failures() const {
  std::vector<std::string> f;
  if (!call_error.empty()) f.push_back("call failed: " + call_error);
  if (over_bound)
    f.push_back(fmt::format("{} of {} outputs over the bound (tightness {:.3g})", over_bound,
                            elements, tightness));
  if (specials.class_mismatch)
    f.push_back(fmt::format("{} NaN/inf outputs where the exact value is finite, or the reverse",
                            specials.class_mismatch));
  if (specials.masked_wrong)
    f.push_back(fmt::format("{} of {} -inf inputs without the exact masked output",
                            specials.masked_wrong, specials.masked));
  if (specials.all_masked_wrong)
    f.push_back(fmt::format("{} of {} all -inf rows against the contract's policy",
                            specials.all_masked_wrong, specials.all_masked_rows));
  if (biased())
    f.push_back(fmt::format("biased: mean {:+.3g} ulp, z = {:.3g} over {} rows",
                            bias.mean_signed_ulps, *bias.z, bias.rows));
  return f;
}

std::string CellResult::key() const { return fmt::format("{}/{}", family, cols); }

bool Report::passed() const {
  return std::all_of(kernels.begin(), kernels.end(),
                     [](const KernelReport& k) { return k.totals.verdict == "passed"; });
}

void compute_totals(KernelReport& k) {
  KernelTotals t;
  for (const CellResult& c : k.cells) {
    if (!c.measured() && c.call_error.empty()) {
      ++t.cells_out_of_domain;
      continue;
    }
    ++t.cells_measured;
    const std::vector<std::string> f = c.failures();
    if (!f.empty()) {
      std::string line = c.key() + ": ";
      for (std::size_t i = 0; i < f.size(); ++i) line += (i ? "; " : "") + f[i];
      t.failed_cells.push_back(std::move(line));
    }
    t.max_ulps_exact = std::max(t.max_ulps_exact, c.ulps_exact.max);
    t.max_ulps_rounded = std::max(t.max_ulps_rounded, c.ulps_rounded.max);
    t.max_p99_ulps_exact = std::max(t.max_p99_ulps_exact, c.ulps_exact.p99);
    t.max_rel = std::max(t.max_rel, c.rel_max);
    t.max_abs = std::max(t.max_abs, c.abs_max);
    t.max_tightness = std::max(t.max_tightness, c.tightness);
    t.max_bound_k = std::max(t.max_bound_k, c.bound_k_max);
    if (c.bias_judged()) {
      ++t.cells_bias_judged;
      t.max_abs_bias_z = std::max(t.max_abs_bias_z, std::fabs(*c.bias.z));
    }
    t.elements += c.elements;
    t.vacuous_bound += c.vacuous_bound;
  }
  t.verdict = t.failed_cells.empty() ? "passed" : "failed";
  k.totals = std::move(t);
}

bool worse_than(const WorstCase& a, const WorstCase& b) {
  const int ra = kind_rank(a.kind), rb = kind_rank(b.kind);
  if (ra != rb) return ra > rb;
  if (a.tightness != b.tightness) return a.tightness > b.tightness;
  if (a.plan_position != b.plan_position) return a.plan_position < b.plan_position;
  if (a.row != b.row) return a.row < b.row;
  return a.index < b.index;
}

std::string worst_case_path(const std::string& kernel) {
  // Plugin kernels name themselves: keep the file inside worst/ whatever the name holds.
  std::string file;
  for (char ch : kernel)
    file += (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' || ch == '.')
                ? ch
                : '_';
  if (file.empty() || file[0] == '.') file = "_" + file;
  return "worst/" + file + ".txt";
}

}  // namespace softcheck::reports
