// `softcheck report --baseline old.json`: the differences that matter between a previous report and
// this one, cell by cell, with stated margins (issue 7). A regression (non-zero exit) is a kernel
// whose verdict changed, or a cell whose max ulp error or bias grew beyond its margin.
#pragma once

#include <string>
#include <vector>

#include "reports/report.hpp"

namespace softcheck::reports {

struct Margins {
  // Max ulp error (vs exact) of a cell may grow to before * (1 + ulps_rel) + ulps_abs.
  double ulps_rel = 0.25;
  double ulps_abs = 0.5;
  // |mean signed ulp| of a cell may grow by bias_ulps, or any amount while |z| stays <= 5.
  double bias_ulps = 0.1;
  std::string describe() const;
};

struct DiffEntry {
  std::string kernel;
  std::string cell;  // "family/cols", empty for kernel-level entries
  std::string what;  // "verdict", "max ulp error", "bias", ...
  std::string before, after;
  bool regression = false;
};

struct BaselineDiff {
  std::string baseline;  // the path it was read from
  Margins margins;
  std::vector<DiffEntry> entries;  // regressions first, then notes
  std::size_t cells_compared = 0;
  bool regressed() const;
};

// Thrown when the reports cannot be compared cell by cell (different seed or rows per cell).
struct BaselineMismatch : std::runtime_error {
  using std::runtime_error::runtime_error;
};

BaselineDiff diff_reports(const Report& baseline, const Report& current, const Margins& margins);

}  // namespace softcheck::reports
