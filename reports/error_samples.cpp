#include "reports/error_samples.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "reports/cell_stats.hpp"

namespace softcheck::reports {

void ErrorSamples::add(double e) {
  ++n_;
  sum_ += e;
  max_ = std::max(max_, e);
  if (!compact_) {
    samples_.push_back(e);
    return;
  }
  compact_samples_.push_back(
      static_cast<float>(std::min(e, static_cast<double>(std::numeric_limits<float>::max()))));
}

ErrorSummary ErrorSamples::summary() {
  ErrorSummary s;
  if (n_ == 0) return s;
  s.max = max_;
  s.mean = sum_ / static_cast<double>(n_);
  if (!compact_) {
    s.p99 = percentile(samples_, 0.99);
  } else if (!compact_samples_.empty()) {
    // percentile() on floats: the same nearest rank.
    const auto rank = static_cast<std::size_t>(std::ceil(0.99 * static_cast<double>(n_)));
    const auto k = std::clamp<std::size_t>(rank, 1, n_) - 1;
    std::nth_element(compact_samples_.begin(), compact_samples_.begin() + static_cast<std::ptrdiff_t>(k),
                     compact_samples_.end());
    s.p99 = compact_samples_[k];
  }
  return s;
}

void ErrorSamples::release() {
  std::vector<double>().swap(samples_);
  std::vector<float>().swap(compact_samples_);
}

}  // namespace softcheck::reports
