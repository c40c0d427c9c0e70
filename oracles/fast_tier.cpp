// The fast tier (docs/error-model.md, "The fast tier"): TwoSum for the shifted logits, the proven
// exponential of fast_exp.hpp, a blocked sum with a known rounding depth, one division or one
// subtraction per element, and the bound of each step added up as the document derives it.
#include "oracles/fast_tier.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

#include "oracles/fast_exp.hpp"
#include "oracles/mpfr_ops.hpp"

namespace softcheck::oracle::fast {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kU = 0x1p-53;
// Bounds are evaluated in double; a few roundings of at most u each are covered by this factor.
constexpr double kInflate = 1 + 0x1p-40;
// Absolute error of one computed exponential after the TwoSum correction (fast_exp.hpp's kExpAbs
// plus two subnormal roundings of at most 2^-1075 each; exactly 0 results of arguments below
// kExpUnderflow have an error below 2^-1075).
constexpr double kTermAbs = 3 * kExpAbs;
// Terms are added in order within blocks, blocks pairwise: each term passes through at most
// kBlock - 1 + ceil(log2(blocks)) roundings.
constexpr std::size_t kBlock = 256;

double gamma(double h) { return h * kU / (1 - h * kU); }

struct Shape {
  double max = -kInf;
  std::size_t argmax = 0;
  bool finite = false;  // at least one finite entry, no NaN, no +inf
};

Shape classify(std::span<const double> x) {
  Shape s;
  bool any_finite = false;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double v = x[i];
    if (v != v || v == kInf) return s;
    if (v > s.max) s.max = v, s.argmax = i;
    any_finite = any_finite || v != -kInf;
  }
  s.finite = any_finite;
  return s;
}

// The depth h of the blocked sum of n terms (error <= gamma(h) * sum of the terms).
double sum_depth(std::size_t n) {
  if (n <= 1) return 0;
  if (n <= kBlock) return static_cast<double>(n - 1);
  const std::size_t blocks = (n + kBlock - 1) / kBlock;
  return static_cast<double>(kBlock - 1) + std::ceil(std::log2(static_cast<double>(blocks)));
}

double pairwise(std::vector<double>& v) {
  for (std::size_t width = 1; width < v.size(); width *= 2)
    for (std::size_t i = 0; i + width < v.size(); i += 2 * width) v[i] += v[i + width];
  return v.empty() ? 0.0 : v[0];
}

// e_i = exp(x_i - max) (0 for -inf entries), relative error <= eps_e and absolute <= kTermAbs
// each: x_i - max = dh + dl exactly (TwoSum), exp(dh) from fast_exp.hpp,
// exp(dh + dl) = exp(dh) (1 + dl + t), |t| <= dl^2, |dl| <= 2^-43 wherever exp(dh) > 0.
template <int Terms>
double shifted_exp(double a, double max) {
  const double b = -max;
  const double dh = a + b;
  const double bb = dh - a;
  const double dl = (a - (dh - bb)) + (b - bb);
  const double f = exp_nonpositive<Terms>(dh);
  return a == -kInf ? 0.0 : f + f * dl;
}

// Sum of e_i for i != skip, blocked as sum_depth describes; the terms are computed as the sum
// goes, so the memory is one double per block.
template <int Terms>
double blocked_sum(std::span<const double> x, double max, std::size_t skip) {
  std::vector<double> blocks;
  blocks.reserve(x.size() / kBlock + 1);
  for (std::size_t b = 0; b < x.size(); b += kBlock) {
    double s = 0;
    const std::size_t end = std::min(x.size(), b + kBlock);
    for (std::size_t i = b; i < end; ++i) s += i == skip ? 0.0 : shifted_exp<Terms>(x[i], max);
    blocks.push_back(s);
  }
  return pairwise(blocks);
}

// Relative error bound of each e_i: the exponential, dl^2 (< 2^-86), the product f * dl and the
// sum f + f * dl (u each, relative to a value within 1 + 2^-43 of e_i).
constexpr double kTermRel = kExpRel + 2.01 * kU;

// The softmax row's bounds (rel, abs, range) and its total.
template <int Terms>
double softmax_shape(std::span<const double> x, const Shape& s, std::size_t live, Row& row) {
  const double n = static_cast<double>(x.size());
  const double gh = gamma(sum_depth(x.size()));
  const double total = blocked_sum<Terms>(x, s.max, x.size());  // >= 1: e_argmax = exp(0) = 1
  // S_hat = S (1 + theta), |theta| <= delta_s (S >= 1 turns the absolute errors into relative).
  const double delta_s = ((1 + gh) * (1 + kTermRel) - 1 + (1 + gh) * n * kTermAbs) * kInflate;
  // p_hat - p <= rho p + a (division u; a subnormal quotient rounds by <= 2^-1075 absolute).
  const double rho = ((kTermRel + delta_s) / (1 - delta_s) * (1 + kU) + kU) * kInflate;
  const double a = (kTermAbs * (1 + kU) / (1 - delta_s) + kExpAbs) * kInflate;  // the quotient's subnormal rounding <= 2^-1075
  row.rel = rho / (1 - rho) * kInflate;
  row.abs = a / (1 - rho) * kInflate;
  row.lower = 0;
  row.upper = 1;
  row.upper_strict = live > 1;
  return total;
}

// log1p of a double, correctly rounded to double (MPFR; once per row).
double log1p_rounded(double v) {
  Real r = mp::with_precision(53);
  mpfr_set_d(mp::ptr(r), v, MPFR_RNDN);
  mpfr_log1p(mp::ptr(r), mp::ptr(r), MPFR_RNDN);
  return mpfr_get_d(mp::ptr(r), MPFR_RNDN);
}

// The log-softmax row's bounds and L = log1p(s'_hat); false when a shifted logit overflows
// double (MPFR decides such rows).
template <int Terms>
bool log_softmax_shape(std::span<const double> x, const Shape& s, std::size_t live, Row& row,
                       double& big_l) {
  for (double v : x)
    if (v != -kInf && std::isinf(v - s.max)) return false;
  const double others = blocked_sum<Terms>(x, s.max, s.argmax);  // s' = sum_{i != argmax} e_i
  // Only finite entries other than the max carry an absolute error; none: s' = 0 exactly, and
  // every result is exact (0 at the max, -inf at masks).
  const double n = static_cast<double>(live - 1);
  const double gh = gamma(sum_depth(x.size()));  // the skipped term adds an exact 0
  // s'_hat = s' (1 + theta) + sigma-bounded, |theta| <= delta_s.
  const double delta_s = ((1 + gh) * (1 + kTermRel) - 1) * kInflate;
  const double sigma = (1 + gh) * n * kTermAbs * kInflate;
  // |log1p(s'_hat) - log1p(s')| <= kappa L + sigma (derivative <= 1; L >= s' ln 2 for s' <= 1,
  // L >= ln 2 beyond), then the correctly rounded log1p adds u L_hat.
  constexpr double kLn2Below = 0.693;
  const double kappa = (delta_s / (1 - delta_s) + sigma) / kLn2Below * kInflate;
  const double lambda = (kU + kappa + kU * kappa) * kInflate;
  const double mu = std::max(kU * (1 + kU), lambda);
  const double sigma1 = sigma * (1 + kU) * kInflate;
  big_l = log1p_rounded(others);
  // Every exact result is <= 0, and < 0 wherever another entry is finite (s' > 0): the sign of a
  // zero the fast value cannot show (s'_hat underflowed to 0) is known.
  row.lower = -kInf;
  row.upper = live > 1 ? -0.0 : 0.0;
  row.rel = (kU + mu) / (1 - mu) * kInflate;
  row.abs = sigma1 / (1 - mu) * kInflate;
  return true;
}

// Log-softmax element: l_i = dh + dl - L, computed as dh - L; below is set where the exact value
// is strictly below it (dl <= 0 and L > 0 with another live entry: a strict upper bound).
double log_softmax_element(double a, double max, double big_l, std::size_t live, bool& below) {
  below = false;
  if (a == -kInf) return -kInf;
  const double b = -max;  // TwoSum: dh + dl = x_i - max exactly
  const double dh = a + b;
  const double bb = dh - a;
  const double dl = (a - (dh - bb)) + (b - bb);
  const double l = dh - big_l;
  below = live > 1 && dl <= 0 && l == dh;
  return l;
}

}  // namespace

RowScan::RowScan(std::span<const double> x, Kind kind, ExpQuality q) : x_(x), kind_(kind), q_(q) {
  const Shape s = classify(x);
  if (!s.finite) return;
  max_ = s.max;
  for (double v : x) live_ += v != -kInf;
  const bool proven = q == ExpQuality::proven;
  if (kind == Kind::softmax) {
    total_ = proven ? softmax_shape<kExpTerms>(x, s, live_, shape_)
                    : softmax_shape<7>(x, s, live_, shape_);
    usable_ = true;
  } else {
    usable_ = proven ? log_softmax_shape<kExpTerms>(x, s, live_, shape_, big_l_)
                     : log_softmax_shape<7>(x, s, live_, shape_, big_l_);
  }
}

Row RowScan::range(std::size_t begin, std::size_t end) const {
  Row row;
  if (!usable_) return row;
  row = shape_;
  row.usable = true;
  row.value.resize(end - begin);
  const bool proven = q_ == ExpQuality::proven;
  if (kind_ == Kind::softmax) {
    for (std::size_t i = begin; i < end; ++i)
      row.value[i - begin] = (proven ? shifted_exp<kExpTerms>(x_[i], max_)
                                     : shifted_exp<7>(x_[i], max_)) / total_;
    return row;
  }
  row.below_value.assign(end - begin, false);
  for (std::size_t i = begin; i < end; ++i) {
    bool below = false;
    row.value[i - begin] = log_softmax_element(x_[i], max_, big_l_, live_, below);
    row.below_value[i - begin] = below;
  }
  return row;
}

Row softmax(std::span<const double> x, ExpQuality q) {
  return RowScan(x, RowScan::Kind::softmax, q).range(0, x.size());
}

Row log_softmax(std::span<const double> x, ExpQuality q) {
  return RowScan(x, RowScan::Kind::log_softmax, q).range(0, x.size());
}

}  // namespace softcheck::oracle::fast
