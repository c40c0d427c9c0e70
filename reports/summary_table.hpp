// The pieces summary.md and index.html share: the headline, the verdict rule, the verdict table's
// columns and rows (each value formatted once, so both pages show the same numbers), and the
// command that measures one cell again.
#pragma once

#include <string>
#include <vector>

#include "reports/report.hpp"

namespace softcheck::reports {

std::string report_headline(const Report& r);
extern const char* const kVerdictRule;

struct SummaryColumn {
  const char* title;
  const char* help;  // what the column means (the HTML table's header tooltip)
  bool text;         // left-aligned text, not a number
};
const std::vector<SummaryColumn>& summary_columns();

struct SummaryRow {
  std::vector<std::string> values;  // one per summary_columns() entry
  bool passed = true;
  // The op's bound is absolute (OpAdapter::bound_is_absolute): the ulp columns are shown but do not
  // judge it (outputs near 0 have tiny ulps against an absolute bound).
  bool ulps_not_judged = false;
};
SummaryRow summary_row(const KernelReport& k);
// Indices of the ulp columns in summary_columns() (greyed where ulps_not_judged).
bool is_ulp_column(std::size_t column);

// Whether the op's bound is on the absolute error, and the unit the report shows its error in.
bool absolute_measure(Op op);
const char* measure_unit(Op op);  // "ulp" or "abs"

// `softcheck report` measuring one cell alone, with the options of the run the report came from.
std::string reproduce_command(const Plan& plan, const std::string& kernel,
                              const std::string& family, std::size_t cols);
// The same with COLS left for the reader (or index.html's script) to fill in.
std::string reproduce_command(const Plan& plan, const std::string& kernel,
                              const std::string& family, const std::string& cols);

std::size_t failed_kernels(const Report& r);

}  // namespace softcheck::reports
