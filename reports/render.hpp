// The human-readable outputs of a report: summary.md (one table to paste into a pull request, the
// failed cells with their reproduce commands, the skipped kernels, the baseline diff) and
// index.html (one offline file: the same tables, one section per kernel, and interactive charts
// drawn by the inlined Vega-Lite; docs/report-html.md).
#pragma once

#include <string>

#include "reports/baseline.hpp"
#include "reports/report.hpp"

namespace softcheck::reports {

std::string render_summary_md(const Report& r, const BaselineDiff* diff = nullptr);
std::string render_html(const Report& r, const BaselineDiff* diff = nullptr);

// The colour of an input family in every plot (index in the plan's families).
std::string family_color(std::size_t index);

}  // namespace softcheck::reports
