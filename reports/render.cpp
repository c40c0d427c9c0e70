#include "reports/render.hpp"

#include <fmt/format.h>

#include "reports/summary_table.hpp"

namespace softcheck::reports {
namespace {

<<<<<<< HEAD
=======
std::string g3(double v) { return fmt::format("{:.3g}", v); }

std::size_t failed_count(const Report& r) {
  return static_cast<std::size_t>(
      std::count_if(r.kernels.begin(), r.kernels.end(),
                    [](const KernelReport& k) { return k.totals.verdict != "passed"; }));
}

std::string headline(const Report& r) {
  std::string s = fmt::format(
      "Plan `{}` (seed {:#x}, {} input families x {} row lengths from {} to {}, about {} outputs "
      "per "
      "cell): {} kernels swept, {} passed, {} failed; {} skipped.",
      r.plan.name, r.plan.seed, r.plan.families.size(), r.plan.cols.size(),
      r.plan.cols.empty() ? 0 : r.plan.cols.front(), r.plan.cols.empty() ? 0 : r.plan.cols.back(),
      r.plan.elements_per_cell, r.kernels.size(), r.kernels.size() - failed_count(r),
      failed_count(r), r.skipped.size());
  if (!r.shard.whole())
    s += fmt::format(" This is shard {}/{} only: merge the shards with `softcheck merge`.",
                     r.shard.index, r.shard.count);
  return s;
}

const char* kVerdictRule =
    "A kernel passes when every measured cell is within its a-priori bound (tightness = observed / "
    "bound <= 1 for every output), masks and all-masked rows follow the contract, and no cell is "
    "biased (|z| > 5 and |mean signed error| >= 0.1 ulp over at least 32 rows, in families with "
    "random rounding, over normal-range outputs whose bound is at most 4 ulps; \"-\": no such "
    "cell). Ulp errors are in the kernel's storage format: "
    "\"exact\" against the exact value (Zimmermann), \"CR\" against the correctly rounded one "
    "(glibc).";

struct Row {
  std::string kernel, op, dtype, verdict, cells, ulp_exact, ulp_cr, p99, rel, k, tight, z, worst,
      diagnosis;
};

Row row_of(const KernelReport& k) {
  const KernelTotals& t = k.totals;
  Row r;
  r.kernel = k.name;
  r.op = std::string(name_of(k.op));
  r.dtype = std::string(name_of(k.dtype));
  r.verdict =
      t.verdict == "passed" ? "passed" : fmt::format("FAILED ({} cells)", t.failed_cells.size());
  r.cells = t.cells_out_of_domain
                ? fmt::format("{} (+{} out of domain)", t.cells_measured, t.cells_out_of_domain)
                : fmt::format("{}", t.cells_measured);
  r.ulp_exact = g3(t.max_ulps_exact);
  r.ulp_cr = g3(t.max_ulps_rounded);
  r.p99 = g3(t.max_p99_ulps_exact);
  r.rel = fmt::format("{:.2e}", t.max_rel);
  r.k = g3(t.max_bound_k);
  r.tight = g3(t.max_tightness);
  r.z = t.cells_bias_judged ? g3(t.max_abs_bias_z) : "-";
  r.worst = k.worst ? fmt::format("{}/{}", k.worst->family, k.worst->cols) : "-";
  r.diagnosis = t.verdict == "passed" ? "-" : k.diagnosis ? k.diagnosis->kind : "none";
  return r;
}

const char* kColumns[] = {
    "kernel",          "op",           "dtype",       "verdict",     "cells",
    "max ulp (exact)", "max ulp (CR)", "max p99 ulp", "max rel err", "bound K max (u)",
    "tightness max",   "max |bias z|", "worst cell",  "diagnosis"};

>>>>>>> diag
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
<<<<<<< HEAD
  for (const SummaryColumn& c : columns) s += c.text ? "|---" : "|--:";
=======
  for (std::size_t i = 0; i < std::size(kColumns); ++i) s += i < 3 || i + 1 == std::size(kColumns) ? "|---" : "|--:";
>>>>>>> diag
  s += "|\n";
  bool any_not_judged = false;
  for (const KernelReport& k : r.kernels) {
<<<<<<< HEAD
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
=======
    const Row w = row_of(k);
    s += fmt::format("| `{}` | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                     w.kernel, w.op, w.dtype,
                     k.totals.verdict == "passed" ? w.verdict : "**" + w.verdict + "**", w.cells,
                     w.ulp_exact, w.ulp_cr, w.p99, w.rel, w.k, w.tight, w.z, w.worst,
                     w.diagnosis == "-" || w.diagnosis == "none" ? w.diagnosis
                                                                 : "`" + w.diagnosis + "`");
>>>>>>> diag
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
<<<<<<< HEAD
=======
    s += k.diagnosis ? fmt::format("  - diagnosis `{}` ({}): {}\n", k.diagnosis->kind,
                                   md_cell(format_params(*k.diagnosis)), k.diagnosis->summary)
                     : std::string("  - diagnosis: none (no experiment of properties/diagnosis "
                                   "explains the failure)\n");
    s += fmt::format(
        "  - reproduce a cell: `softcheck report --kernel {} --family FAMILY --cols COLS`\n",
        k.name);
>>>>>>> diag
  }
  if (!r.skipped.empty()) {
    s += "\n## Skipped kernels\n\n";
    for (const SkippedKernel& k : r.skipped)
      s += fmt::format("- `{}` ({} {}): SKIPPED: {}\n", k.name, k.op, k.dtype, k.reason);
  }
  if (diff) s += diff_md(*diff);
  return s;
}

<<<<<<< HEAD
=======
std::string render_html(const Report& r, const BaselineDiff* diff) {
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<title>softcheck accuracy report</title>\n<style>\n"
      "body{font-family:sans-serif;margin:1.5em;color:#222;max-width:1400px}\n"
      "table{border-collapse:collapse;font-size:13px;margin:0.5em 0}\n"
      "th,td{border:1px solid #ccc;padding:3px 6px;text-align:right}\n"
      "th{background:#f3f3f3}td.l,th.l{text-align:left}\n"
      "tr.failed td{background:#fde8e8}.fail{color:#b00;font-weight:bold}.pass{color:#070}\n"
      ".plots{display:flex;flex-wrap:wrap;gap:10px}.legend span{margin-right:1em;font-size:12px}\n"
      ".swatch{display:inline-block;width:10px;height:10px;margin-right:4px}\n"
      "code{font-size:12px}section{border-top:1px solid #ddd;margin-top:1.5em}\n"
      "</style></head><body>\n<h1>softcheck accuracy report</h1>\n";
  h += "<p>" + xml_escape(headline(r)) + "</p>\n<p>" + xml_escape(kVerdictRule) + "</p>\n";
  h += "<table><tr>";
  for (std::size_t i = 0; i < std::size(kColumns); ++i)
    h += fmt::format("<th{}>{}</th>", i < 3 ? " class=\"l\"" : "", xml_escape(kColumns[i]));
  h += "</tr>\n";
  for (const KernelReport& k : r.kernels) {
    const Row w = row_of(k);
    const bool ok = k.totals.verdict == "passed";
    h += fmt::format(
        "<tr{}><td class=\"l\"><a href=\"#{}\"><code>{}</code></a></td><td class=\"l\">{}</td>"
        "<td class=\"l\">{}</td><td class=\"{}\">{}</td>",
        ok ? "" : " class=\"failed\"", xml_escape(k.name), xml_escape(k.name), w.op, w.dtype,
        ok ? "pass" : "fail", xml_escape(w.verdict));
    for (const std::string* v :
         {&w.cells, &w.ulp_exact, &w.ulp_cr, &w.p99, &w.rel, &w.k, &w.tight, &w.z, &w.worst,
          &w.diagnosis})
      h += "<td>" + xml_escape(*v) + "</td>";
    h += "</tr>\n";
  }
  h += "</table>\n";
  if (!r.skipped.empty()) {
    h += "<h2>Skipped kernels</h2><ul>\n";
    for (const SkippedKernel& k : r.skipped)
      h += fmt::format("<li><code>{}</code> ({} {}): SKIPPED: {}</li>\n", xml_escape(k.name), k.op,
                       k.dtype, xml_escape(k.reason));
    h += "</ul>\n";
  }
  if (diff) {
    h += fmt::format(
        "<h2>Baseline diff against <code>{}</code></h2><p>{} cells compared. Margins: {}.</p>\n",
        xml_escape(diff->baseline), diff->cells_compared, xml_escape(diff->margins.describe()));
    h += fmt::format("<p class=\"{}\">{}</p>", diff->regressed() ? "fail" : "pass",
                     diff->regressed() ? "REGRESSED" : "no regression");
    if (!diff->entries.empty()) {
      h +=
          "<table><tr><th class=\"l\">kernel</th><th class=\"l\">cell</th><th class=\"l\">what</th>"
          "<th>before</th><th>after</th><th>regression</th></tr>\n";
      for (const DiffEntry& e : diff->entries)
        h += fmt::format(
            "<tr{}><td class=\"l\">{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td>"
            "<td>{}</td><td>{}</td><td>{}</td></tr>\n",
            e.regression ? " class=\"failed\"" : "", xml_escape(e.kernel), xml_escape(e.cell),
            xml_escape(e.what), xml_escape(e.before), xml_escape(e.after),
            e.regression ? "yes" : "no");
      h += "</table>\n";
    }
  }
  // Legend of the family colours, shared by every plot.
  h += "<h2>Per kernel</h2>\n<p class=\"legend\">";
  for (std::size_t f = 0; f < r.plan.families.size(); ++f) {
    const FamilyInfo* info = find_family(r.plan.families[f]);
    h += fmt::format(
        "<span title=\"{}\"><span class=\"swatch\" style=\"background:{}\"></span>{}</span>",
        xml_escape(info ? info->description : ""), family_color(f), xml_escape(r.plan.families[f]));
  }
  h += "</p>\n<p>Zero errors are drawn at 0.001 on the log axes. In the third plot each point is a "
       "cell's tightest output (cells without error are left out): below the dashed diagonal it is "
       "within its bound.</p>\n";

  for (const KernelReport& k : r.kernels) {
    h += fmt::format(
        "<section id=\"{0}\"><h3><code>{0}</code> <span class=\"{1}\">{2}</span></h3>\n",
        xml_escape(k.name), k.totals.verdict == "passed" ? "pass" : "fail",
        xml_escape(k.totals.verdict));
    h += fmt::format("<p>{} {}; bound: {}.</p>\n", name_of(k.op), name_of(k.dtype),
                     xml_escape(k.bound));
    PlotSpec by_cols = plot("max error vs cols", "cols", "max ulp error (vs exact)");
    PlotSpec by_spread =
        plot("max error vs logit spread", "mean row spread max - min", "max ulp error (vs exact)");
    PlotSpec vs_bound =
        plot("observed vs bound (tightest output)", "bound (ulp)", "observed (ulp)");
    vs_bound.diagonal = true;
    for (std::size_t f = 0; f < r.plan.families.size(); ++f) {
      const std::string& fam = r.plan.families[f];
      Series a{fam, family_color(f), {}, true}, b{fam, family_color(f), {}, false},
          c{fam, family_color(f), {}, false};
      for (const CellResult& cell : k.cells) {
        if (cell.family != fam || !cell.measured()) continue;
        a.points.emplace_back(static_cast<double>(cell.cols), cell.ulps_exact.max);
        b.points.emplace_back(cell.spread_mean, cell.ulps_exact.max);
        // A cell whose every output is exact has no tightest output worth a point (its "bound"
        // may be that of an exact zero, in denorm_min ulps).
        if (cell.tightness > 0)
          c.points.emplace_back(cell.tight_bound_ulps, cell.tight_observed_ulps);
      }
      by_cols.series.push_back(std::move(a));
      by_spread.series.push_back(std::move(b));
      vs_bound.series.push_back(std::move(c));
    }
    h += "<div class=\"plots\">\n" + render_svg(by_cols) + render_svg(by_spread) +
         render_svg(vs_bound) + "</div>\n";
    if (!k.totals.failed_cells.empty()) {
      h += "<p class=\"fail\">Failed cells:</p><ul>\n";
      for (const std::string& f : k.totals.failed_cells) h += "<li>" + xml_escape(f) + "</li>\n";
      h += "</ul>\n";
    }
    if (k.worst)
      h += fmt::format(
          "<p>Worst input ({}, tightness {}): <code>{}</code>, {}/{} row {} element {}.</p>\n",
          xml_escape(k.worst->kind), g3(k.worst->tightness), xml_escape(worst_case_path(k.name)),
          xml_escape(k.worst->family), k.worst->cols, k.worst->row, k.worst->index);
    h += "</section>\n";
  }
  h += "</body></html>\n";
  return h;
}

>>>>>>> diag
}  // namespace softcheck::reports
