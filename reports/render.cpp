#include "reports/render.hpp"

#include <fmt/format.h>

#include "reports/summary_table.hpp"

namespace softcheck::reports {
namespace {

std::string md_cell(std::string s) {
  std::string out;
  for (char ch : s) out += ch == '|' ? std::string("\\|") : std::string(1, ch);
  return out;
}

std::string diff_md(const BaselineDiff& d) {
  std::string s = fmt::format("\n## Baseline diff against `{}`\n\n", d.baseline);
  s += fmt::format("{} cells compared. Margins: {}.\n\n", d.cells_compared, d.margins.describe());
  if (d.entries.empty()) return s + "No differences beyond the margins.\n";
  s += fmt::format("**{}**\n\n", d.regressed() ? "REGRESSED" : "No regression (notes only).");
  s += "| kernel | cell | what | before | after | regression |\n|---|---|---|---|---|---|\n";
  for (const DiffEntry& e : d.entries)
    s += fmt::format("| `{}` | {} | {} | {} | {} | {} |\n", e.kernel, e.cell.empty() ? "-" : e.cell,
                     e.what, md_cell(e.before), md_cell(e.after), e.regression ? "**yes**" : "no");
  return s;
}

}  // namespace

std::string family_color(std::size_t index) {
  static const char* kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                   "#9467bd", "#8c564b", "#e377c2", "#17becf"};
  return kPalette[index % std::size(kPalette)];
}

std::string render_summary_md(const Report& r, const BaselineDiff* diff) {
  std::string s = "# softcheck accuracy report\n\n" + report_headline(r) + "\n\n";
  const std::vector<SummaryColumn>& columns = summary_columns();
  for (const SummaryColumn& c : columns) s += "| " + md_cell(c.title) + " ";
  s += "|\n";
  for (const SummaryColumn& c : columns) s += c.text ? "|---" : "|--:";
  s += "|\n";
  bool any_not_judged = false;
  for (const KernelReport& k : r.kernels) {
    const SummaryRow row = summary_row(k);
    any_not_judged = any_not_judged || row.ulps_not_judged;
    for (std::size_t i = 0; i < row.values.size(); ++i) {
      std::string v = md_cell(row.values[i]);
      if (i == 0) v = "`" + v + "`";
      if (i == 3 && !row.passed) v = "**" + v + "**";
      if (row.ulps_not_judged && is_ulp_column(i)) v += " \\*";
      s += "| " + v + " ";
    }
    s += "|\n";
  }
  if (any_not_judged)
    s += "\n\\* not judged in ulps: the op's bound is on the absolute error (its max error column "
         "is absolute).\n";
  s += fmt::format("\n{}\n", kVerdictRule);
  for (const KernelReport& k : r.kernels)
    if (k.totals.vacuous_bound)
      s += fmt::format(
          "\n`{}`: {} outputs have a vacuous first-order bound (K u >= 1) and are not "
          "judged.\n",
          k.name, k.totals.vacuous_bound);
  bool any_failed = false;
  for (const KernelReport& k : r.kernels) {
    if (k.totals.failed_cells.empty()) continue;
    if (!any_failed) s += "\n## Failed cells\n\n";
    any_failed = true;
    s += fmt::format("- `{}`:\n", k.name);
    for (const CellResult& c : k.cells) {
      const std::vector<std::string> why = c.failures();
      if (why.empty()) continue;
      std::string reasons;
      for (const std::string& w : why) reasons += (reasons.empty() ? "" : "; ") + w;
      s += fmt::format("  - {}: {} (reproduce: `{}`)\n", c.key(), reasons,
                       reproduce_command(r.plan, k.name, c.family, c.cols));
    }
    if (k.worst) s += fmt::format("  - worst input: `{}`\n", worst_case_path(k.name));
    s += k.diagnosis ? fmt::format("  - diagnosis `{}` ({}): {}\n", k.diagnosis->kind,
                                   md_cell(format_params(*k.diagnosis)), k.diagnosis->summary)
                     : std::string("  - diagnosis: none (no experiment of properties/diagnosis "
                                   "explains the failure)\n");
    s += fmt::format(
        "  - reproduce a cell: `softcheck report --kernel {} --family FAMILY --cols COLS`\n",
        k.name);
  }
  if (!r.skipped.empty()) {
    s += "\n## Skipped kernels\n\n";
    for (const SkippedKernel& k : r.skipped)
      s += fmt::format("- `{}` ({} {}): SKIPPED: {}\n", k.name, k.op, k.dtype, k.reason);
  }
  if (diff) s += diff_md(*diff);
  return s;
}

}  // namespace softcheck::reports
