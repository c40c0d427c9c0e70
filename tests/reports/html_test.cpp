// index.html (docs/report-html.md): one offline file from the mustache template, the charts'
// data in each op's own measure, links from failures to their reproduce commands and worst case,
// and, in headless Chromium, every chart drawn with data and no script error (a screenshot is kept
// as a CI artefact).
#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>
#include <sstream>

#include "reports/chart_data.hpp"
#include "reports/render.hpp"
#include "reports/report_dir.hpp"
#include "reports/summary_table.hpp"
#include "tests/reports/report_test_support.hpp"
#include "tests/reports/wrong_report_kernels.hpp"

namespace softcheck::reports {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

// A passing softmax (bound in ulps), a passing log-softmax (absolute bound) and a biased bf16
// softmax that fails.
const Report& report() {
  static const Report r = testing::sweep({testing::builtin("f32_softmax_shifted__scalar"),
                                          testing::builtin("f32_log_softmax_shifted__scalar"),
                                          testing::truncating_bf16_softmax()});
  return r;
}
const KernelReport& kernel(const Report& r, const std::string& name) {
  for (const KernelReport& k : r.kernels)
    if (k.name == name) return k;
  throw std::runtime_error("no kernel " + name);
}
constexpr const char* kSoftmax = "f32_softmax_shifted__scalar";
constexpr const char* kLogSoftmax = "f32_log_softmax_shifted__scalar";
constexpr const char* kBiased = "bf16_softmax_shifted__scalar";
constexpr std::size_t kSummaryCharts = 2, kChartsPerKernel = 4;  // charts.js's PLOTS

TEST(Html, OneOfflineFileFromTheTemplate) {
  const std::string h = render_html(report());
  EXPECT_EQ(h.rfind("<!DOCTYPE html>", 0), 0u);
  // The charting library is inlined; nothing is fetched.
  EXPECT_NE(h.find("vegaLite"), std::string::npos);
  EXPECT_EQ(h.find("<script src"), std::string::npos);
  EXPECT_EQ(h.find("<link"), std::string::npos);
  EXPECT_EQ(h.find("<img"), std::string::npos);
  for (const char* external : {"href=\"http:", "href=\"https:", "href=\"//", "src=\"http"})
    EXPECT_EQ(h.find(external), std::string::npos) << external;
  // Every tag of the template was filled in.
  for (const char* tag : {"{{#kernels", "{{/kernels", "{{headline", "{{{chart_data", "{{name"})
    EXPECT_EQ(h.find(tag), std::string::npos) << tag;
  // One section per kernel, a chart container per kernel, a row per kernel in the verdict table.
  for (const KernelReport& k : report().kernels) {
    EXPECT_EQ(count(h, "id=\"" + kernel_anchor(k.name) + "\""), 1u) << k.name;
    EXPECT_EQ(count(h, "data-scope=\"kernel\" data-kernel=\"" + k.name + "\""), 1u) << k.name;
    EXPECT_NE(h.find("<a href=\"#" + kernel_anchor(k.name) + "\"><code>" + k.name), std::string::npos);
  }
  // The family legend stays visible (sticky header), one toggle per family.
  EXPECT_NE(h.find("class=\"topbar\""), std::string::npos);
  for (const std::string& f : report().plan.families)
    EXPECT_EQ(count(h, "data-family=\"" + f + "\""), 1u) << f;
}

TEST(Html, EveryFailureLinksToItsReproduceCommandAndWorstCase) {
  const Report& r = report();
  const KernelReport& bad = kernel(r, kBiased);
  ASSERT_EQ(bad.totals.verdict, "failed");
  const std::string h = render_html(r);
  // The verdict cell links to the kernel's failures; each failed cell is listed with its command.
  EXPECT_NE(h.find("href=\"#" + kernel_anchor(kBiased) + "-failures\""), std::string::npos);
  EXPECT_NE(h.find("id=\"" + kernel_anchor(kBiased) + "-failures\""), std::string::npos);
  std::size_t failing = 0;
  for (const CellResult& c : bad.cells) {
    if (c.passed()) continue;
    ++failing;
    const std::string cmd = reproduce_command(r.plan, bad.name, c.family, c.cols);
    // The failures overview and the kernel's section; the worst case's line names it once more.
    const bool worst = bad.worst->family == c.family && bad.worst->cols == c.cols;
    EXPECT_EQ(count(h, cmd), worst ? 3u : 2u) << cmd;
    EXPECT_NE(h.find("href=\"#" + kernel_anchor(bad.name) + "-" + c.family), std::string::npos);
  }
  EXPECT_GT(failing, 0u);
  EXPECT_NE(h.find("href=\"" + worst_case_path(bad.name) + "\""), std::string::npos);
  // Commands carry the options of the run they came from.
  Plan p = r.plan;
  p.name = "quick";
  p.seed = 7;
  EXPECT_EQ(reproduce_command(p, "k", "normal-s1", 33),
            "softcheck report --quick --seed 7 --kernel k --family normal-s1 --cols 33");
  // Passing kernels have no failure list.
  EXPECT_EQ(h.find("id=\"" + kernel_anchor(kSoftmax) + "-failures\""), std::string::npos);
}

TEST(Html, ValuesAreEscaped) {
  Report r = report();
  r.kernels[0].name = "x</script><b>\"&";
  const std::string h = render_html(r);
  EXPECT_EQ(h.find("x</script><b>"), std::string::npos);
  EXPECT_NE(h.find("x&lt;/script&gt;&lt;b&gt;&quot;&amp;"), std::string::npos);  // in the markup
  EXPECT_NE(h.find("x<\\/script><b>"), std::string::npos);  // in the charts' JSON
}

// The charts show each op's error in the measure its bound judges, so a passing f32 log-softmax is
// plotted in absolute error (~1e-7), not as millions of ulps of outputs near 0.
TEST(Html, ChartDataIsInTheOpsOwnMeasure) {
  const Report& r = report();
  const json d = chart_data(r);
  ASSERT_EQ(d.at("kernels").size(), r.kernels.size());
  std::map<std::string, std::string> unit;
  for (const json& k : d.at("kernels")) unit[k.at("name")] = k.at("unit");
  EXPECT_EQ(unit.at(kSoftmax), "ulp");
  EXPECT_EQ(unit.at(kLogSoftmax), "abs");
  EXPECT_TRUE(absolute_measure(Op::log_softmax));
  EXPECT_FALSE(absolute_measure(Op::softmax));

  const KernelReport& log_softmax = kernel(r, kLogSoftmax);
  ASSERT_EQ(log_softmax.totals.verdict, "passed");
  EXPECT_GT(log_softmax.totals.max_ulps_exact, 100.0);  // what the ulp columns would show
  std::size_t drawn = 0, exact = 0;
  for (const json& c : d.at("cells")) {
    const std::string name = c.at("kernel");
    const KernelReport& k = kernel(r, name);
    // (No fixed ceiling on a log-softmax cell's absolute error: its bound grows with |log p|,
    // docs/error-model.md, and the whole-format families reach |x| near FLT_MAX. Judged below
    // against the bound drawn.)
    if (c.at("observed").is_null()) {  // an exact cell: no point on a log axis
      ++exact;
      EXPECT_EQ(c.at("tightness").get<double>(), 0.0) << c.dump();
      continue;
    }
    ++drawn;
    const double observed = c.at("observed"), bound = c.at("bound"), t = c.at("tightness");
    EXPECT_GT(observed, 0.0);
    EXPECT_GT(bound, 0.0);
    // The bound drawn is the tightest output's: observed / bound is the cell's tightness (to the
    // 4 digits the page keeps), so a passing kernel's points lie below its bound curve.
    EXPECT_NEAR(observed / bound, t, 2e-3 * t) << name << " " << c.dump();
    if (k.totals.verdict == "passed") {
      EXPECT_LE(t, 1.0) << c.dump();
    }
  }
  EXPECT_GT(drawn, 10u);
  EXPECT_GT(exact, 0u);  // cols = 1: softmax of one element is exactly 1
  // The histogram counts every measured output of a kernel once.
  std::map<std::string, std::size_t> outputs, exact_outputs;
  for (const json& h : d.at("histogram")) {
    exact_outputs[h.at("kernel")] += h.at("exact").get<std::size_t>();
    outputs[h.at("kernel")] += h.at("exact").get<std::size_t>();
    for (const json& n : h.at("counts")) outputs[h.at("kernel")] += n.get<std::size_t>();
  }
  for (const json& k : d.at("kernels")) {
    EXPECT_EQ(exact_outputs[k.at("name")], k.at("exact_outputs").get<std::size_t>()) << k.dump();
    EXPECT_EQ(outputs[k.at("name")], k.at("elements").get<std::size_t>()) << k.dump();
  }
  for (const json& k : d.at("kernels")) {
    const std::string cmd = k.at("reproduce");
    EXPECT_NE(cmd.find("{family}"), std::string::npos);
    EXPECT_NE(cmd.find("{cols}"), std::string::npos);
  }
}

TEST(Html, SummaryTableShowsTheJudgedMeasure) {
  const SummaryRow row = summary_row(kernel(report(), kLogSoftmax));
  EXPECT_TRUE(row.ulps_not_judged);
  const std::string& max_error = row.values.at(5);
  EXPECT_EQ(std::string(summary_columns().at(5).title), "max error");
  EXPECT_NE(max_error.find(" abs"), std::string::npos) << max_error;
  EXPECT_GT(std::stod(max_error), 0.0) << max_error;  // a number, in the absolute measure
  const SummaryRow softmax = summary_row(kernel(report(), kSoftmax));
  EXPECT_FALSE(softmax.ulps_not_judged);
  EXPECT_NE(softmax.values.at(5).find(" ulp"), std::string::npos);
  const std::string md = render_summary_md(report());
  EXPECT_NE(md.find("\\* not judged in ulps"), std::string::npos);
  // Every line of the markdown table has one cell per column ("max |bias z|" escaped).
  auto cells = [](const std::string& line) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < line.size(); ++i) n += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
    return n;
  };
  std::istringstream lines(md);
  std::size_t table_lines = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("| ", 0) != 0 && line.rfind("|--", 0) != 0) continue;
    if (line.find("before") != std::string::npos) break;  // the baseline diff's table
    ++table_lines;
    EXPECT_EQ(cells(line), summary_columns().size() + 1) << line;
  }
  EXPECT_EQ(table_lines, 2 + report().kernels.size());
}

std::string browser() {
  for (const char* c : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"})
    if (fs::exists(c)) return c;
  return "";
}

// The page in a real browser: every chart of charts.js drawn with data, no script error (the page
// records them on <body data-errors> and the browser logs console errors), and a screenshot kept
// in SOFTCHECK_ARTIFACT_DIR for CI to publish.
TEST(Html, RendersEveryChartInHeadlessChromium) {
  const std::string chromium = browser();
  ASSERT_FALSE(chromium.empty())
      << "no headless browser (/usr/bin/chromium): scripts/install-deps.sh installs chromium";
  const fs::path dir = testing::fresh_dir("html-chromium");
  write_report_dir(dir / "report", report());
  const fs::path dom = dir / "dom.html", log = dir / "console.log";
  const fs::path artefacts = SOFTCHECK_ARTIFACT_DIR;
  fs::create_directories(artefacts);
  const fs::path png = artefacts / "report-screenshot.png";
  fs::remove(png);
  // Virtual time lets the charts finish drawing before the DOM is dumped and the page shot.
  const std::string flags =
      "--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run "
      "--virtual-time-budget=60000 --enable-logging=stderr --v=0 --user-data-dir=" +
      (dir / "profile").string();
  const std::string url = "file://" + (dir / "report" / "index.html").string();
  ASSERT_EQ(std::system((chromium + " " + flags + " --dump-dom " + url + " > " + dom.string() +
                         " 2> " + log.string())
                            .c_str()),
            0)
      << testing::slurp(log);
  const std::string page = testing::slurp(dom);
  const std::string console = testing::slurp(log);
  EXPECT_NE(page.find("data-charts=\"done\""), std::string::npos) << "charts did not finish";
  EXPECT_EQ(page.find("data-errors="), std::string::npos) << "script errors on the page";
  // The browser logs every console message (errors, Vega's warnings) as CONSOLE: the page logs none.
  EXPECT_EQ(console.find("CONSOLE"), std::string::npos) << "the browser log:\n" << console;
  // Each chart: drawn (an SVG), with the number of values it drew.
  const std::regex chart("<div class=\"chart\" data-plot=\"([a-z]+)\" data-points=\"([0-9]+)\" "
                         "data-state=\"([a-z]+)\">");
  std::size_t charts = 0;
  for (auto it = std::sregex_iterator(page.begin(), page.end(), chart); it != std::sregex_iterator();
       ++it) {
    ++charts;
    const std::string plot = (*it)[1], points = (*it)[2], state = (*it)[3];
    EXPECT_EQ(state, "rendered") << plot;
    EXPECT_GT(std::stoul(points), 0u) << plot;
    const std::size_t end = page.find("</div></div>", it->position());
    EXPECT_NE(page.substr(it->position(), end - it->position()).find("<svg"), std::string::npos)
        << plot;
  }
  EXPECT_EQ(charts, kSummaryCharts + kChartsPerKernel * report().kernels.size());

  ASSERT_EQ(std::system((chromium + " " + flags + " --hide-scrollbars --window-size=1400,2400 "
                         "--screenshot=" + png.string() + " " + url + " > /dev/null 2>&1")
                            .c_str()),
            0);
  ASSERT_TRUE(fs::exists(png));
  EXPECT_GT(fs::file_size(png), 60000u);  // a page with charts, not a blank one
  fs::remove_all(dir);
}

}  // namespace
}  // namespace softcheck::reports
