// The files index.html is made of, compiled into the binary (reports/html/embed_assets.cmake):
// the mustache template, its style sheet and chart script (reports/html/), and the charting library
// with its licence (Vega and Vega-Lite, installed by scripts/install-deps.sh; docs/report-html.md
// says why this library).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace softcheck::reports::html_assets {

inline std::string join(std::initializer_list<std::string_view> pieces) {
  std::string s;
  for (std::string_view p : pieces) s += p;
  return s;
}

const std::string& index_template();
const std::string& report_css();
const std::string& charts_js();
const std::string& vega_js();
const std::string& vega_lite_js();
const std::string& vega_license();
const std::string& vega_lite_license();

}  // namespace softcheck::reports::html_assets
