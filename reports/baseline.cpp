#include "reports/baseline.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace softcheck::reports {
namespace {

std::string g(double v) { return fmt::format("{:.4g}", v); }

bool significant(const CellResult& c) {
  return c.bias_judged() && std::fabs(*c.bias.z) > kBiasZLimit;
}

}  // namespace

std::string Margins::describe() const {
  return fmt::format(
      "max ulp error may grow to before x {:.3g} + {:.3g} ulp; |mean signed ulp| may "
      "grow by {:.3g} ulp where the cell's bias is judged and significant (|z| > {:.3g}); any "
      "verdict "
      "change fails",
      1 + ulps_rel, ulps_abs, bias_ulps, kBiasZLimit);
}

bool BaselineDiff::regressed() const {
  return std::any_of(entries.begin(), entries.end(),
                     [](const DiffEntry& e) { return e.regression; });
}

BaselineDiff diff_reports(const Report& baseline, const Report& current, const Margins& m) {
  if (inputs_fingerprint(baseline.plan) != inputs_fingerprint(current.plan))
    throw BaselineMismatch(fmt::format(
        "the baseline was swept with another plan ({}, this run {}): its cells have other inputs; "
        "make the baseline with the same options (--quick or not, --seed)",
        inputs_fingerprint(baseline.plan), inputs_fingerprint(current.plan)));
  BaselineDiff d;
  d.margins = m;
  std::vector<DiffEntry> notes;
  std::map<std::string, const KernelReport*> before;
  for (const KernelReport& k : baseline.kernels) before[k.name] = &k;
  for (const KernelReport& k : current.kernels) {
    auto it = before.find(k.name);
    if (it == before.end()) {
      notes.push_back({k.name, "", "new kernel", "-", k.totals.verdict, false});
      continue;
    }
    const KernelReport& b = *it->second;
    before.erase(it);
    if (b.totals.verdict != k.totals.verdict)
      d.entries.push_back({k.name, "", "verdict", b.totals.verdict, k.totals.verdict, true});
    std::map<std::string, const CellResult*> cells;
    for (const CellResult& c : b.cells) cells[c.key()] = &c;
    for (const CellResult& c : k.cells) {
      auto ct = cells.find(c.key());
      if (ct == cells.end()) continue;  // another shard or a filtered plan: not comparable
      const CellResult& cb = *ct->second;
      if (!cb.measured() || !c.measured()) {
        if (cb.measured() != c.measured())
          notes.push_back({k.name, c.key(), "measured",
                           cb.measured() ? "yes" : "no (out of domain)",
                           c.measured() ? "yes" : "no (out of domain)", false});
        continue;
      }
      ++d.cells_compared;
      const double limit = cb.ulps_exact.max * (1 + m.ulps_rel) + m.ulps_abs;
      if (c.ulps_exact.max > limit)
        d.entries.push_back({k.name, c.key(), "max ulp error", g(cb.ulps_exact.max),
                             fmt::format("{} (limit {})", g(c.ulps_exact.max), g(limit)), true});
      const double bias_limit = std::fabs(cb.bias.mean_signed_ulps) + m.bias_ulps;
      if (significant(c) && std::fabs(c.bias.mean_signed_ulps) > bias_limit)
        d.entries.push_back({k.name, c.key(), "bias",
                             fmt::format("{:+.3g} ulp", cb.bias.mean_signed_ulps),
                             fmt::format("{:+.3g} ulp, z = {:.3g} (limit |mean| {})",
                                         c.bias.mean_signed_ulps, *c.bias.z, g(bias_limit)),
                             true});
    }
  }
  for (const auto& [name, k] : before)
    notes.push_back({name, "", "kernel missing from this report", k->totals.verdict, "-", false});
  d.entries.insert(d.entries.end(), notes.begin(), notes.end());
  return d;
}

}  // namespace softcheck::reports
