// The errors of a cell's elements, summarised as max, mean and 99th percentile (report.hpp's
// ErrorSummary). Max and mean are accumulated exactly as the samples arrive; the percentile needs
// the samples. Compact samples (cells of long rows, reports/sweep.hpp) are kept as floats, 4 bytes
// instead of 8 per element: rounding is monotone, so the percentile of the rounded samples is the
// exact percentile rounded to float (2^-24 relative; the report keeps 7 significant digits), and a
// sample beyond FLT_MAX ulps is kept as FLT_MAX.
#pragma once

#include <cstddef>
#include <vector>

#include "reports/report.hpp"

namespace softcheck::reports {

class ErrorSamples {
 public:
  explicit ErrorSamples(bool compact = false) : compact_(compact) {}
  void add(double e);
  std::size_t size() const { return n_; }
  // Reorders the kept samples (the percentile's selection).
  ErrorSummary summary();
  // Frees the samples; size() and summary()'s max and mean stay.
  void release();

 private:
  bool compact_;
  std::size_t n_ = 0;
  double max_ = 0, sum_ = 0;
  std::vector<double> samples_;
  std::vector<float> compact_samples_;
};

}  // namespace softcheck::reports
