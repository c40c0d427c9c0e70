// Error statistics of one sweep cell, accumulated row by row: ulps in both conventions, relative
// and absolute error, the bound and its tightness, the bias z-score, special-value outcomes, and
// the worst element with the row it came from.
#pragma once

#include <span>
#include <vector>

#include "oracles/metrics.hpp"
#include "reports/error_samples.hpp"
#include "reports/op_adapter.hpp"
#include "reports/report.hpp"

namespace softcheck::reports {

class CellAccumulator {
 public:
  // compact: keep the error samples as floats (cells of long rows; reports/error_samples.hpp).
  CellAccumulator(const Contract& c, const OpAdapter& adapter, bool compact = false);

  // One row of logits x (inside the contract's domain), its other inputs and the kernel's outputs
  // for it (adapter.outputs_per_row values). `row` is the row's number in the cell (for the worst
  // case and its replay).
  void add_row(std::size_t row, std::span<const double> x, const RowCase& rc,
               std::span<const double> got);
  // The same for a long row, judged in ranges of `range` outputs (OpAdapter::range_judge, which
  // must not be nullptr for this op): memory independent of the row's length. Its outputs are row
  // `output_row` of `outputs`. x is kept as a view, not copied, if it holds the worst element: it
  // must outlive the use of worst_row().
  void add_row_in_ranges(std::size_t row, std::span<const double> x, const RowCase& rc,
                         const RowOutputs& outputs, std::size_t output_row, std::size_t range);

  // Fills the statistics fields of `cell` (its key, rows and domain counts are the caller's).
  void finish(CellResult& cell);
  // Frees the per-element samples (after finish: 16 bytes per element).
  void release_samples();
  // The worst element's row and measurements (x empty when no row was measured).
  std::span<const double> worst_row() const;
  const RowCase& worst_case_inputs() const { return worst_case_; }
  const WorstElement& worst() const { return worst_; }

 private:
  // A row's statistics before, during (per range of outputs) and after its elements: begin_row
  // judges an all -inf row whole (returns false then) and otherwise opens the row's bias cluster.
  bool begin_row(std::size_t row, std::span<const double> x, const RowCase& rc,
                 std::span<const double> got);
  void add_range(std::size_t row, std::span<const double> x, const RowCase& rc,
                 std::size_t offset, std::span<const double> got, const RowReference& ref,
                 const RowBound& bound);
  void end_row(std::span<const double> x, const RowCase& rc, bool view);
  void consider(const WorstElement& e, bool& row_changed);
  void add_to_histogram(double error);
  void keep_worst_row(std::span<const double> x, const RowCase& rc);

  const Contract& c_;
  const OpAdapter& adapter_;
  std::size_t vacuous_ = 0;
  ErrorSamples ulps_exact_, ulps_rounded_;
  double rel_max_ = 0, abs_max_ = 0, k_max_ = 0, tight_ = -1, tight_obs_ = 0, tight_bound_ = 0;
  std::size_t over_bound_ = 0;
  double spread_sum_ = 0, magnitude_sum_ = 0;
  ErrorHistogram histogram_;
  std::size_t spread_rows_ = 0;
  // Bias: per-row sums of signed ulps and counts (rows are the clusters of the z-score).
  std::vector<double> row_sums_;
  std::vector<std::size_t> row_counts_;
  double signed_sum_ = 0, signed_sq_ = 0;
  std::size_t signed_n_ = 0;
  SpecialCounts specials_;
  WorstElement worst_;
  bool have_worst_ = false;
  std::vector<double> worst_x_;
  std::span<const double> worst_view_;
  double row_sum_ = 0;
  std::size_t row_count_ = 0;
  bool row_changed_ = false;
  RowCase worst_case_;
};

// oracle::compare (both ulp conventions, relative and absolute error, classes) for output j of a
// reference, with a fast path for finite values, which halves a report's time (compare() costs
// about as much as the reference itself): for outputs of at most 24 bits of precision the
// difference is taken in double from the exact value rounded to double, within 2^-29 ulp of the
// output format of the MPFR result (the exact value's double is 2^-53 relative); for f64 outputs
// it is got - exact rounded once at 64 bits, as compare() does; the ulp ratios follow from it.
// Non-finite values go through oracle::compare (classes).
oracle::ErrorMetrics measure(double got, const RowReference& ref, std::size_t j, DType out);

// The bound of one output as the sweep applies it: +inf where the first-order bound is vacuous
// (K u >= 1: properties' gamma_bound is +inf there) or not a number.
double usable_bound(double bound_abs);

// Nearest-rank percentile (q in (0, 1]) of v; 0 for an empty v. Reorders v.
double percentile(std::vector<double>& v, double q);

// v to 7 significant digits: the statistics a report keeps (JSON stays small; values read back
// from report.json are the ones a run holds, so merges and one run agree to the bit).
double significant7(double v);

// Rank of a worst-element kind: class_mismatch 3, policy 2, over_bound 1, within 0.
int kind_rank(const std::string& kind);

}  // namespace softcheck::reports
