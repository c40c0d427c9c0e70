// index.html (issue 7): self-contained (no scripts, no network), three plots per kernel with one
// series per input family; rendered by headless Chromium where it is installed.
#include <gtest/gtest.h>

#include <cstdlib>

#include "reports/render.hpp"
#include "reports/report_dir.hpp"
#include "reports/svg_plot.hpp"
#include "tests/reports/report_test_support.hpp"

namespace softcheck::reports {
namespace {

namespace fs = std::filesystem;

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

Report two_kernels() {
  return testing::sweep({testing::builtin("f32_softmax_shifted__scalar"),
                         testing::builtin("f32_log_softmax_shifted__scalar")});
}

TEST(Html, SelfContainedWithThreePlotsPerKernel) {
  const Report r = two_kernels();
  const std::string h = render_html(r);
  EXPECT_EQ(h.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(count(h, "<svg xmlns="), 3 * r.kernels.size());
  for (const char* title : {"max error vs cols", "max error vs logit spread", "observed vs bound"})
    EXPECT_EQ(count(h, std::string("<title>") + title), r.kernels.size()) << title;
  // Nothing fetched: no scripts, no external stylesheets, images or links.
  EXPECT_EQ(h.find("<script"), std::string::npos);
  EXPECT_EQ(h.find("<link"), std::string::npos);
  EXPECT_EQ(h.find("<img"), std::string::npos);
  EXPECT_EQ(h.find("src="), std::string::npos);
  EXPECT_EQ(h.find("url("), std::string::npos);
  for (const char* external : {"href=\"http:", "href=\"https:", "href=\"//"})
    EXPECT_EQ(h.find(external), std::string::npos) << external;
  // Every family that has measured cells draws points, in its own colour.
  for (std::size_t f = 0; f < r.plan.families.size(); ++f)
    EXPECT_GT(count(h, "fill=\"" + family_color(f) + "\""), 0u) << r.plan.families[f];
  for (const KernelReport& k : r.kernels)
    EXPECT_NE(h.find("id=\"" + k.name + "\""), std::string::npos);
}

TEST(Html, SvgPlotsPlaceAndEscape) {
  PlotSpec p;
  p.title = "a < b & c";
  p.x_label = "x";
  p.y_label = "y";
  p.diagonal = true;
  p.series.push_back({"s", "#123456", {{1, 0}, {10, 1}, {100, 10}}, true});
  const std::string svg = render_svg(p);
  EXPECT_NE(svg.find("a &lt; b &amp; c"), std::string::npos);
  EXPECT_EQ(svg.find("a < b"), std::string::npos);
  EXPECT_EQ(count(svg, "<circle"), 3u);  // the zero is drawn at the floor, not dropped
  EXPECT_EQ(count(svg, "<path"), 1u);
  EXPECT_NE(svg.find("stroke-dasharray"), std::string::npos);  // the diagonal
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf"), std::string::npos);
}

// Headless Chromium renders the page and its SVGs (issue 7: "open it in a headless browser in a
// test where one is installed"). Skipped, visibly, where no browser is installed.
TEST(Html, RendersInHeadlessChromium) {
  const char* candidates[] = {"/usr/bin/chromium", "/usr/bin/chromium-browser",
                              "/usr/bin/google-chrome"};
  std::string browser;
  for (const char* c : candidates)
    if (fs::exists(c)) browser = c;
  if (browser.empty())
    GTEST_SKIP() << "no headless browser installed (/usr/bin/chromium): HTML not rendered";
  const fs::path dir = testing::fresh_dir("html-chromium");
  write_report_dir(dir / "report", two_kernels());
  const fs::path dom = dir / "dom.html", png = dir / "shot.png";
  const std::string flags =
      "--headless --no-sandbox --disable-gpu --disable-dev-shm-usage "
      "--user-data-dir=" +
      (dir / "profile").string();
  const std::string url = "file://" + (dir / "report" / "index.html").string();
  ASSERT_EQ(std::system((browser + " " + flags + " --dump-dom " + url + " > " + dom.string() +
                         " 2>/dev/null")
                            .c_str()),
            0);
  const std::string rendered = testing::slurp(dom);
  // The DOM the browser built holds every plot and its drawn points.
  EXPECT_EQ(count(rendered, "<svg xmlns="), 6u);
  EXPECT_GT(count(rendered, "<circle"), 20u);
  ASSERT_EQ(std::system((browser + " " + flags + " --window-size=1300,1800 --screenshot=" +
                         png.string() + " " + url + " > /dev/null 2>&1")
                            .c_str()),
            0);
  EXPECT_GT(fs::file_size(png), 20000u);  // a page with plots, not a blank one
  fs::remove_all(dir);
}

}  // namespace
}  // namespace softcheck::reports
