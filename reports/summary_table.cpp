#include "reports/summary_table.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "reports/op_adapter.hpp"

namespace softcheck::reports {
namespace {

std::string g3(double v) { return fmt::format("{:.3g}", v); }

}  // namespace

std::size_t failed_kernels(const Report& r) {
  return static_cast<std::size_t>(
      std::count_if(r.kernels.begin(), r.kernels.end(),
                    [](const KernelReport& k) { return k.totals.verdict != "passed"; }));
}

std::string report_headline(const Report& r) {
  std::string s = fmt::format(
      "Plan `{}` (seed {:#x}, {} input families x {} row lengths from {} to {}, about {} outputs "
      "per "
      "cell): {} kernels swept, {} passed, {} failed; {} skipped.",
      r.plan.name, r.plan.seed, r.plan.families.size(), r.plan.cols.size(),
      r.plan.cols.empty() ? 0 : r.plan.cols.front(), r.plan.cols.empty() ? 0 : r.plan.cols.back(),
      r.plan.elements_per_cell, r.kernels.size(), r.kernels.size() - failed_kernels(r),
      failed_kernels(r), r.skipped.size());
  if (!r.shard.whole())
    s += fmt::format(" This is shard {}/{} only: merge the shards with `softcheck merge`.",
                     r.shard.index, r.shard.count);
  return s;
}

const char* const kVerdictRule =
    "A kernel passes when every measured cell is within its a-priori bound (tightness = observed / "
    "bound <= 1 for every output), masks and all-masked rows follow the contract, and no cell is "
    "biased (|z| > 5 and |mean signed error| >= 0.1 ulp over at least 32 rows, in families with "
    "random rounding, over normal-range outputs whose bound is at most 4 ulps; \"-\": no such "
    "cell). Ulp errors are in the kernel's storage format: "
    "\"exact\" against the exact value (Zimmermann), \"CR\" against the correctly rounded one "
    "(glibc). \"max error\" is in the measure the bound judges: ulps, or absolute error for ops "
    "whose bound is absolute (log-softmax, backward), whose ulp columns are then not a verdict.";

const std::vector<SummaryColumn>& summary_columns() {
  static const std::vector<SummaryColumn> columns = {
      {"kernel", "the kernel's name", true},
      {"op", "the operation", true},
      {"dtype", "storage format of inputs and outputs", true},
      {"verdict", "passed, or failed with the number of failed cells", true},
      {"cells", "cells measured (family x row length)", false},
      {"max error", "largest error in the measure the bound judges (ulp, or abs)", false},
      {"max ulp (exact)", "largest error in ulps of the exact value (Zimmermann)", false},
      {"max ulp (CR)", "largest error in ulps against the correctly rounded value (glibc)", false},
      {"max p99 ulp", "largest per-cell 99th percentile of the ulp error (exact)", false},
      {"max rel err", "largest relative error over normal-range outputs", false},
      {"bound K max (u)", "largest factor K of the a-priori bound, in units of u", false},
      {"tightness max", "largest observed error / bound: <= 1 passes", false},
      {"max |bias z|", "largest |z| of the mean signed error over judged cells", false},
      {"worst cell", "family/cols of the worst output relative to its bound", true},
      {"diagnosis", "what the experiments of properties/diagnosis found for a failed kernel "
                    "(docs/diagnosis.md); none: no experiment explains it", true},
  };
  return columns;
}

bool is_ulp_column(std::size_t column) { return column >= 6 && column <= 8; }

bool absolute_measure(Op op) {
  const OpAdapter* a = adapter_for(op);
  return a && a->bound_is_absolute();
}

const char* measure_unit(Op op) { return absolute_measure(op) ? "abs" : "ulp"; }

SummaryRow summary_row(const KernelReport& k) {
  const KernelTotals& t = k.totals;
  SummaryRow row;
  row.passed = t.verdict == "passed";
  row.ulps_not_judged = absolute_measure(k.op);
  const std::string max_error = row.ulps_not_judged ? fmt::format("{:.3g} abs", t.max_abs)
                                                    : fmt::format("{} ulp", g3(t.max_ulps_exact));
  row.values = {
      k.name,
      std::string(name_of(k.op)),
      std::string(name_of(k.dtype)),
      row.passed ? "passed" : fmt::format("FAILED ({} cells)", t.failed_cells.size()),
      t.cells_out_of_domain
          ? fmt::format("{} (+{} out of domain)", t.cells_measured, t.cells_out_of_domain)
          : fmt::format("{}", t.cells_measured),
      max_error,
      g3(t.max_ulps_exact),
      g3(t.max_ulps_rounded),
      g3(t.max_p99_ulps_exact),
      fmt::format("{:.2e}", t.max_rel),
      g3(t.max_bound_k),
      g3(t.max_tightness),
      t.cells_bias_judged ? g3(t.max_abs_bias_z) : "-",
      k.worst ? fmt::format("{}/{}", k.worst->family, k.worst->cols) : "-",
      row.passed ? "-" : k.diagnosis ? k.diagnosis->kind : "none",
  };
  return row;
}

std::string reproduce_command(const Plan& plan, const std::string& kernel,
                              const std::string& family, const std::string& cols) {
  std::string s = "softcheck report";
  if (plan.name == "quick") s += " --quick";
  if (plan.seed != kDefaultReportSeed) s += fmt::format(" --seed {}", plan.seed);
  return s + fmt::format(" --kernel {} --family {} --cols {}", kernel, family, cols);
}

std::string reproduce_command(const Plan& plan, const std::string& kernel,
                              const std::string& family, std::size_t cols) {
  return reproduce_command(plan, kernel, family, std::to_string(cols));
}

}  // namespace softcheck::reports
