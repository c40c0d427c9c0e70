// index.html: the verdict table, the failures with their reproduce commands, one section per
// kernel, and the charts (reports/html/charts.js draws them with Vega-Lite from chart_data()).
// The page is rendered from reports/html/index.html.mustache: the code fills in values, the
// template holds the markup (and escapes every value it is given with {{ }}).
#include <fmt/format.h>

#include <kainjow/mustache.hpp>
#include <stdexcept>

#include "reports/chart_data.hpp"
#include "reports/families.hpp"
#include "reports/html_assets.hpp"
#include "reports/render.hpp"
#include "reports/summary_table.hpp"

namespace softcheck::reports {
namespace {

namespace mu = kainjow::mustache;

std::string g3(double v) { return fmt::format("{:.3g}", v); }

// JSON inside <script type="application/json">: the HTML parser ends the element at "</", so
// it is written "<\/" (the same string to a JSON parser).
std::string script_json(const nlohmann::json& j) {
  const std::string s = j.dump();
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    out += s[i];
    if (s[i] == '<' && i + 1 < s.size() && s[i + 1] == '/') out += '\\';
  }
  return out;
}

std::string cell_anchor(const KernelReport& k, const CellResult& c) {
  return kernel_anchor(k.name) + "-" + kernel_anchor(c.key()).substr(2);
}

mu::data summary_rows(const Report& r) {
  const std::vector<SummaryColumn>& columns = summary_columns();
  mu::data rows{mu::data::type::list};
  for (const KernelReport& k : r.kernels) {
    const SummaryRow row = summary_row(k);
    mu::data values{mu::data::type::list};
    for (std::size_t i = 1; i < row.values.size(); ++i) {
      mu::data v;
      v.set("value", row.values[i]);
      std::string cls = columns[i].text ? "l" : "";
      if (i == 3) cls += row.passed ? " pass" : " fail";
      if (row.ulps_not_judged && is_ulp_column(i)) {
        cls += " unjudged";
        v.set("tip", "not a verdict: this op's bound is on the absolute error");
      }
      v.set("cls", cls);
      if (i == 3 && !row.passed) v.set("link", fmt::format("#{}-failures", kernel_anchor(k.name)));
      values.push_back(v);
    }
    mu::data d;
    d.set("name", k.name);
    d.set("anchor", kernel_anchor(k.name));
    d.set("failed", !row.passed);
    d.set("values", values);
    rows.push_back(d);
  }
  return rows;
}

mu::data failed_cells(const Report& r, const KernelReport& k) {
  mu::data list{mu::data::type::list};
  for (const CellResult& c : k.cells) {
    const std::vector<std::string> why = c.failures();
    if (why.empty()) continue;
    std::string reasons;
    for (const std::string& w : why) reasons += (reasons.empty() ? "" : "; ") + w;
    mu::data d;
    d.set("id", cell_anchor(k, c));
    d.set("key", c.key());
    d.set("reasons", reasons);
    d.set("reproduce", reproduce_command(r.plan, k.name, c.family, c.cols));
    const bool worst_here = k.worst && k.worst->family == c.family && k.worst->cols == c.cols;
    d.set("worst_here", worst_here);
    list.push_back(d);
  }
  return list;
}

mu::data kernel_sections(const Report& r) {
  mu::data list{mu::data::type::list};
  for (const KernelReport& k : r.kernels) {
    const bool passed = k.totals.verdict == "passed";
    mu::data d;
    d.set("name", k.name);
    d.set("anchor", kernel_anchor(k.name));
    d.set("op", std::string(name_of(k.op)));
    d.set("dtype", std::string(name_of(k.dtype)));
    d.set("passed", passed);
    d.set("verdict", summary_row(k).values[3]);
    d.set("bound", k.bound);
    d.set("measure", absolute_measure(k.op)
                         ? "absolute error (the bound is absolute; ulps of outputs near 0 are "
                           "tiny against it)"
                         : "ulps of the exact value");
    if (k.totals.vacuous_bound)
      d.set("vacuous", fmt::format("{} outputs have a vacuous first-order bound (K u >= 1) and are "
                                   "not judged.",
                                   k.totals.vacuous_bound));
    d.set("failed_cells", failed_cells(r, k));
    d.set("any_failed", !k.totals.failed_cells.empty());
    if (k.worst) {
      mu::data w;
      w.set("path", worst_case_path(k.name));
      w.set("kind", k.worst->kind);
      w.set("tightness", g3(k.worst->tightness));
      w.set("family", k.worst->family);
      w.set("cols", std::to_string(k.worst->cols));
      w.set("row", std::to_string(k.worst->row));
      w.set("index", std::to_string(k.worst->index));
      w.set("reproduce", reproduce_command(r.plan, k.name, k.worst->family, k.worst->cols));
      d.set("worst", w);
    }
    list.push_back(d);
  }
  return list;
}

mu::data failures_overview(const Report& r) {
  mu::data list{mu::data::type::list};
  for (const KernelReport& k : r.kernels) {
    if (k.totals.failed_cells.empty()) continue;
    mu::data d;
    d.set("name", k.name);
    d.set("anchor", kernel_anchor(k.name));
    d.set("failed_cells", failed_cells(r, k));
    if (k.worst) d.set("worst_path", worst_case_path(k.name));
    list.push_back(d);
  }
  return list;
}

mu::data baseline(const BaselineDiff& diff) {
  mu::data d;
  d.set("baseline", diff.baseline);
  d.set("cells_compared", std::to_string(diff.cells_compared));
  d.set("margins", diff.margins.describe());
  d.set("regressed", diff.regressed());
  mu::data entries{mu::data::type::list};
  for (const DiffEntry& e : diff.entries) {
    mu::data x;
    x.set("kernel", e.kernel);
    x.set("cell", e.cell.empty() ? "-" : e.cell);
    x.set("what", e.what);
    x.set("before", e.before);
    x.set("after", e.after);
    x.set("regression", e.regression);
    entries.push_back(x);
  }
  d.set("entries", entries);
  d.set("any_entries", !diff.entries.empty());
  return d;
}

}  // namespace

std::string render_html(const Report& r, const BaselineDiff* diff) {
  mu::mustache tmpl{html_assets::index_template()};  // render() is not const
  if (!tmpl.is_valid())  // the template is compiled in: an error here is a bug of softcheck
    throw std::logic_error("reports/html/index.html.mustache: " + tmpl.error_message());
  mu::data d;
  d.set("headline", report_headline(r));
  d.set("verdict_rule", kVerdictRule);
  d.set("passed", r.passed());
  mu::data columns{mu::data::type::list};
  for (const SummaryColumn& c : summary_columns()) {
    mu::data col;
    col.set("title", c.title);
    col.set("help", c.help);
    col.set("cls", c.text ? "l" : "");
    columns.push_back(col);
  }
  d.set("columns", columns);
  d.set("rows", summary_rows(r));
  d.set("failures", failures_overview(r));
  d.set("any_failures", failed_kernels(r) > 0);
  mu::data skipped{mu::data::type::list};
  for (const SkippedKernel& k : r.skipped) {
    mu::data s;
    s.set("name", k.name);
    s.set("op", k.op);
    s.set("dtype", k.dtype);
    s.set("reason", k.reason);
    skipped.push_back(s);
  }
  d.set("skipped", skipped);
  d.set("any_skipped", !r.skipped.empty());
  if (diff) d.set("diff", baseline(*diff));
  mu::data families{mu::data::type::list};
  for (std::size_t f = 0; f < r.plan.families.size(); ++f) {
    const FamilyInfo* info = find_family(r.plan.families[f]);
    mu::data fam;
    fam.set("name", r.plan.families[f]);
    fam.set("color", family_color(f));
    fam.set("description", info ? info->description : "");
    families.push_back(fam);
  }
  d.set("families", families);
  d.set("kernels", kernel_sections(r));
  d.set("css", html_assets::report_css());
  d.set("vega_js", html_assets::vega_js());
  d.set("vega_lite_js", html_assets::vega_lite_js());
  d.set("vega_license", html_assets::vega_license());
  d.set("vega_lite_license", html_assets::vega_lite_license());
  d.set("charts_js", html_assets::charts_js());
  d.set("chart_data", script_json(chart_data(r)));
  return tmpl.render(d);
}

}  // namespace softcheck::reports
