// The fast tier of the oracle: softmax and log-softmax of a row in double, each element with a
// rigorous enclosure of its exact value (docs/error-model.md, "The fast tier"). The caller decides
// per element whether the enclosure settles what it needs (the rounding to the output format, the
// error in ulps to within the stated uncertainty) and otherwise escalates to the MPFR references
// of softmax.hpp (Ziv's strategy). Same mathematical definitions as softmax.hpp.
#pragma once

#include <span>
#include <vector>

namespace softcheck::oracle::fast {

// value[j] approximates the exact result y_j with |y_j - value[j]| <= rel * |value[j]| + abs.
// usable = false: the row is outside what the fast tier handles (a NaN or +inf entry, every entry
// -inf, an empty row, a log-softmax whose shifted logits overflow double); use MPFR.
// -inf entries hold their exact value (softmax 0, log-softmax -inf; an infinite value is exact).
struct Row {
  bool usable = false;
  std::vector<double> value;
  double rel = 0, abs = 0;
  // Every exact result lies in [lower, upper] (softmax [0, 1]; log-softmax [-inf, -0] when
  // another entry is finite, so a zero's sign is known), which the enclosure may be cut to.
  double lower = 0, upper = 0;
  // upper is a strict bound (softmax of a row with two live entries: every p_j < 1).
  bool upper_strict = false;
  // Log-softmax: exact_j < value[j] strictly where set (value[j] is the exact shifted logit
  // x_j - max and log sum exp > 0 is subtracted from it); empty for softmax.
  std::vector<bool> below_value;
};

// weakened: a test-only tier whose exponential has 7 Taylor terms instead of 14 (an error near
// 2^-23) while it claims the bound of the proven one; the equivalence test must catch it.
enum class ExpQuality { proven, weakened };

Row softmax(std::span<const double> x, ExpQuality q = ExpQuality::proven);
Row log_softmax(std::span<const double> x, ExpQuality q = ExpQuality::proven);

// The same rows in memory independent of the row's length: the row-wide quantities (max, the
// blocked sum, the bounds) are computed once by the constructor, elements in ranges on demand,
// with exactly the values softmax() and log_softmax() give (those two are a scan of [0, n)).
// Holds a view of x, which must outlive it.
class RowScan {
 public:
  enum class Kind { softmax, log_softmax };
  RowScan(std::span<const double> x, Kind kind, ExpQuality q = ExpQuality::proven);
  bool usable() const { return usable_; }
  // Elements [begin, end) as a Row of end - begin values (indices relative to begin), carrying
  // the row's rel, abs, lower, upper and upper_strict; an unusable Row when the scan is unusable.
  Row range(std::size_t begin, std::size_t end) const;

 private:
  std::span<const double> x_;
  Kind kind_;
  ExpQuality q_;
  bool usable_ = false;
  double max_ = 0, total_ = 0, big_l_ = 0;  // softmax: total; log-softmax: log1p(others)
  std::size_t live_ = 0;
  Row shape_;  // rel, abs, lower, upper, upper_strict (no values)
};

}  // namespace softcheck::oracle::fast
