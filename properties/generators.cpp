#include "properties/generators.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <optional>

#include <fmt/format.h>

namespace softcheck {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// A small deterministic stream over one rc::Random, so one generated case is one seed.
class Draw {
 public:
  explicit Draw(const rc::Random& r) : rng_(r) {}
  double uniform() { return static_cast<double>(rng_.next() >> 11) * 0x1p-53; }
  double uniform(double a, double b) { return a + (b - a) * uniform(); }
  std::size_t index(std::size_t n) { return static_cast<std::size_t>(rng_.next() % n); }
  bool chance(double p) { return uniform() < p; }
  double log_uniform(double lo, double hi) {
    return std::exp(uniform(std::log(lo), std::log(hi)));
  }
  double normal() {  // Box-Muller
    const double u1 = 1.0 - uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
  }
  template <typename T>
  const T& pick(const std::vector<T>& v) { return v[index(v.size())]; }

 private:
  rc::Random rng_;
};

// Largest argument whose exp is finite, per format (error-model.md thresholds table).
double exp_overflow_threshold(DType t) {
  switch (t) {
    case DType::f16: return 11.09011;
    case DType::bf16: return 88.72088;
    case DType::f32: return 88.72284;
    case DType::f64: return 709.78271;
  }
  return 88.72284;
}

// Lengths: single columns (an exact case, y = 1, and the usual fast path), mostly around SIMD
// tile edges 1..2T+1 for T = 4..64 (where bodies and tails meet), then short, medium and
// occasionally long rows (summation error grows with n; f16 sums stick at 2048).
std::size_t draw_cols(Draw& d, std::size_t max_cols, double long_share) {
  static const std::vector<std::size_t> tiles{4, 8, 16, 32, 64};
  // Long rows reach 1e5, or max_cols when it asks for more (index overflow and accumulation bugs
  // live in long rows); the default stream of cases (max_cols <= 1e5) is unchanged.
  const double longest = std::max(100000.0, static_cast<double>(max_cols));
  // Properties without an oracle (cheap per element) ask for more long rows than the default 3%:
  // an extra mixture component drawn first, so the default stream of cases stays the same.
  if (long_share > kDefaultLongShare &&
      d.chance((long_share - kDefaultLongShare) / (1 - kDefaultLongShare)))
    return std::clamp<std::size_t>(d.chance(0.5) ? 65537 : static_cast<std::size_t>(d.log_uniform(4096, longest)),
                                   1, std::max<std::size_t>(1, max_cols));
  const double u = d.uniform();
  std::size_t n;
  if (u < 0.05) {
    n = 1;  // tests/mutants single_column_shortcut: NaN/inf/-inf in a one-column row
  } else if (u < 0.55) {
    const std::size_t t = d.pick(tiles);
    n = 1 + d.index(2 * t + 1);  // 1 .. 2T+1
  } else if (u < 0.80) {
    n = 1 + d.index(300);
  } else if (u < 0.97) {
    n = 300 + d.index(3797);  // up to 4096
  } else if (d.chance(0.5)) {
    n = static_cast<std::size_t>(d.log_uniform(4096, longest));
  } else {
    // One past a 16-bit index: the first length a 16-bit offset cannot address (a 32-bit offset
    // fails the same way past 2^31 elements, beyond any test; tests/mutants offset16).
    n = 65537;
  }
  return std::clamp<std::size_t>(n, 1, std::max<std::size_t>(1, max_cols));
}

struct Family {
  const char* name;
  double weight;
};

// The value families, each with the bug class it aims at.
const std::vector<Family> kFamilies{
    {"normal", 3},         // N(0, s), s in 1e-3..1e4: the ordinary case at every scale
    {"near-overflow", 3},  // max near/past exp's overflow threshold: catches a missing max shift
    {"large-offset", 2},   // +-offsets to 1e4..1e7 with small spread: cancellation, |lse| growth
    {"wide-range", 2},     // spread up to 1e4: exp underflow to subnormal/0 of small entries
    {"ties", 1},           // few distinct values: equal outputs, 1/k shares
    {"dominant", 1},       // one logit far above the rest: outputs 1 and ~0
    {"near-ties", 1},      // values a few ulps apart: order preservation, monotone exp
    // The whole format (error-model.md, "Coverage of the whole format"): finite running-max
    // sentinels (-1e4, -1e9, -1e30, -FLT_MAX / 2) and masks written as a large negative number
    // fail only on rows below them, which the families above (offsets to 1e7) never reach.
    {"whole-range", 2},      // offset and spread log-uniform over every binade up to max_finite
    {"near-lowest", 1},      // every logit within a few ulps or a tiny fraction of lowest()
    {"mixed-magnitude", 1},  // one logit near lowest() and the rest near 0, or the reverse
};

// Families whose rows span the format's binades carry the binade of their largest |logit| in
// their name, so the coverage tables show which binades the cases reached.
bool tags_binade(const std::string& family) {
  return family == "whole-range" || family == "near-lowest" || family == "mixed-magnitude";
}

// A magnitude in a binade drawn uniformly from those of the format (subnormal to max_finite):
// log-uniform over the format's whole range, every binade equally likely.
double any_binade(Draw& d, DType t) {
  const Format f = format_of(t);
  const int lo = f.emin - f.precision + 1, hi = f.emax;
  const int e = lo + static_cast<int>(d.index(static_cast<std::size_t>(hi - lo + 1)));
  return std::min(std::ldexp(d.uniform(1, 2), e), max_finite(t));
}

// lowest() + a few ulps of the format, or lowest() * (1 - a tiny fraction).
double near_lowest(Draw& d, DType t) {
  if (d.chance(0.5)) return -max_finite(t) * (1 - d.log_uniform(1e-12, 1e-2));
  double v = -max_finite(t);
  for (std::size_t k = d.index(9); k > 0; --k) v = next_up(t, v);
  return v;
}

std::vector<double> draw_row(Draw& d, const std::string& family, const GenSpec& s, std::size_t n) {
  const double thr = exp_overflow_threshold(s.dtype);
  const double big = std::min(max_finite(s.dtype) / 4, 1e7);
  std::vector<double> x(n);
  if (family == "normal") {
    const double scale = d.log_uniform(1e-3, 1e4);
    for (auto& v : x) v = scale * d.normal();
  } else if (family == "near-overflow") {
    // The max lands just below, at, or past the overflow threshold of the storage format and of
    // f32/f64 (a half kernel computing in f32 overflows at 88.72, an f16 one at 11.09).
    std::vector<double> targets{thr, 88.72284, 709.78271, thr * 1.5, 2 * thr + 1, 1e3, 1e4};
    // f16's whole range is within reach: rows at its largest finite value 65504 (issue 3).
    const bool f16 = s.dtype == DType::f16;
    if (f16) targets.push_back(max_finite(s.dtype));
    const double target = std::min(d.pick(targets), f16 ? max_finite(s.dtype) : big);
    const double top = target * (1 + d.uniform(-0.02, 0.02));
    const double spread = d.log_uniform(1e-2, 50);
    for (auto& v : x) v = top - spread * std::fabs(d.normal());
  } else if (family == "large-offset") {
    const double off = (d.chance(0.5) ? 1 : -1) * std::min(d.log_uniform(1e2, 1e7), big);
    const double spread = d.log_uniform(1e-3, 30);
    for (auto& v : x) v = off + spread * d.normal();
  } else if (family == "wide-range") {
    const double range = d.log_uniform(10, 1e4);
    const double top = d.uniform(-50, 50);
    for (auto& v : x) v = top - d.uniform(0, range);
  } else if (family == "ties") {
    const std::size_t k = 1 + d.index(4);
    std::vector<double> levels(k);
    const double scale = d.log_uniform(1e-2, 100);
    for (auto& l : levels) l = scale * d.normal();
    for (auto& v : x) v = d.pick(levels);
  } else if (family == "dominant") {
    const double gap = d.log_uniform(1, 200);  // past 103.97 every other f32 exp is 0
    const double top = d.uniform(-20, 20);
    for (auto& v : x) v = top - gap - d.uniform(0, 10);
    x[d.index(n)] = top;
  } else if (family == "whole-range") {
    const double off = (d.chance(0.5) ? 1 : -1) * any_binade(d, s.dtype);
    const double spread = any_binade(d, s.dtype);
    for (auto& v : x) v = off + spread * d.normal();
  } else if (family == "near-lowest") {
    for (auto& v : x) v = near_lowest(d, s.dtype);
  } else if (family == "mixed-magnitude") {
    // One logit apart from the rest by up to the whole range: exp of the difference underflows
    // (or the difference itself overflows the format) while the shifted rest stays exact.
    const bool one_low = d.chance(0.5);
    const double low_scale = d.chance(0.5) ? max_finite(s.dtype) : any_binade(d, s.dtype);
    for (auto& v : x) v = one_low ? d.normal() : -low_scale * (1 - 1e-3 * d.uniform());
    x[d.index(n)] = one_low ? near_lowest(d, s.dtype) : d.normal();
  } else {  // near-ties: a few ulps apart
    const double c = d.log_uniform(1e-3, 100) * (d.chance(0.5) ? 1 : -1);
    for (auto& v : x) v = c;
    for (auto& v : x) {
      const int steps = static_cast<int>(d.index(9)) - 4;
      for (int i = 0; i < std::abs(steps); ++i) v = steps > 0 ? next_up(s.dtype, round_to(s.dtype, v))
                                                            : next_down(s.dtype, round_to(s.dtype, v));
    }
  }
  return x;
}

// Brings a value into the format and the contract's domain (largest logit the kernel is specified
// for); -inf and NaN pass through.
double fit(const GenSpec& s, double v) {
  if (std::isnan(v) || v == -kInf) return v;
  const double hi = std::min(s.domain.max_logit, max_finite(s.dtype));
  v = std::clamp(v, -max_finite(s.dtype), hi);
  double r = round_to(s.dtype, v);
  while (r > hi) r = next_down(s.dtype, r);
  return r;
}

// Shifts a row down so that its log-sum-exp stays below the domain's max_lse (kernels without a
// max shift); the spread, which is what the other families aim at, is kept.
void fit_lse(const GenSpec& s, std::vector<double>& x) {
  if (!std::isfinite(s.domain.max_lse)) return;
  double m = -kInf;
  for (double v : x) if (std::isfinite(v)) m = std::max(m, v);
  if (!std::isfinite(m)) return;
  double sum = 0;
  for (double v : x) if (std::isfinite(v)) sum += std::exp(v - m);
  const double excess = m + std::log(sum) - s.domain.max_lse;
  if (excess < 0) return;
  const double down = excess + 1e-3 * std::max(1.0, std::fabs(s.domain.max_lse));
  for (double& v : x) if (std::isfinite(v)) v -= down;
}

void apply_masks(Draw& d, std::vector<double>& x) {
  // Attention-style masks: a fraction of entries at -inf, sometimes whole leading/trailing runs
  // (causal masks), sometimes the entire row (a fully masked row).
  const double u = d.uniform();
  if (u < 0.7) {
    const double q = d.pick(std::vector<double>{0.1, 0.5, 0.9});
    for (auto& v : x) if (d.chance(q)) v = -kInf;
  } else if (u < 0.9) {
    const std::size_t k = d.index(x.size() + 1);
    for (std::size_t i = k; i < x.size(); ++i) x[i] = -kInf;
  } else {
    for (auto& v : x) v = -kInf;
    return;
  }
  if (std::all_of(x.begin(), x.end(), [](double v) { return v == -kInf; }) && d.chance(0.8))
    x[d.index(x.size())] = 0.0;  // keep most masked rows partially live
}

void inject_special(Draw& d, std::vector<double>& x) {
  const double special = d.chance(0.5) ? std::numeric_limits<double>::quiet_NaN() : kInf;
  x[d.index(x.size())] = special;
}

Batch make_batch(Draw& d, const GenSpec& s) {
  Batch b;
  b.dtype = s.dtype;
  b.rows = s.min_rows + d.index(s.max_rows - s.min_rows + 1);
  const std::size_t cap = b.rows > 1 ? std::min<std::size_t>(s.max_cols, 300) : s.max_cols;
  b.cols = draw_cols(d, cap, s.long_rows);
  double total = 0;
  for (auto& f : kFamilies) total += f.weight;
  double pick = d.uniform(0, total);
  const Family* fam = &kFamilies.back();
  for (auto& f : kFamilies) {
    if (pick < f.weight) { fam = &f; break; }
    pick -= f.weight;
  }
  b.family = fam->name;
  b.x.reserve(b.rows * b.cols);
  for (std::size_t r = 0; r < b.rows; ++r) {
    std::vector<double> row = draw_row(d, b.family, s, b.cols);
    // Rows near lowest() are masked more often: a mask written as a large negative number
    // (-1e9, -FLT_MAX) differs from -inf only when the live logits lie below it.
    const double mask_share = b.family == "near-lowest" ? 0.5 : 0.15;
    if (s.masks && s.domain.accepts_neg_inf && d.chance(mask_share)) apply_masks(d, row);
    if (s.specials && d.chance(0.3)) inject_special(d, row);
    fit_lse(s, row);
    for (double v : row) b.x.push_back(fit(s, v));
  }
  if (tags_binade(b.family)) {
    // Two appends, not `" " + temporary`: GCC 12's -Wrestrict misreads the inlined insert.
    b.family += ' ';
    b.family += binade_class(b.x, b.dtype);
  }
  return b;
}

Batch with_rows(const Batch& b, std::size_t first, std::size_t count) {
  Batch c = b;
  c.rows = count;
  c.x.assign(b.x.begin() + static_cast<std::ptrdiff_t>(first * b.cols),
             b.x.begin() + static_cast<std::ptrdiff_t>((first + count) * b.cols));
  return c;
}

Batch with_cols(const Batch& b, std::size_t first, std::size_t count) {
  Batch c = b;
  c.cols = count;
  c.x.clear();
  for (std::size_t r = 0; r < b.rows; ++r)
    for (std::size_t j = first; j < first + count; ++j) c.x.push_back(b.x[r * b.cols + j]);
  return c;
}

Batch without_col(const Batch& b, std::size_t j) {
  Batch c = b;
  c.cols = b.cols - 1;
  c.x.clear();
  for (std::size_t r = 0; r < b.rows; ++r)
    for (std::size_t k = 0; k < b.cols; ++k)
      if (k != j) c.x.push_back(b.x[r * b.cols + k]);
  return c;
}

// Replaces the two largest logits of every row by one logit carrying their combined weight,
// log(e^a + e^b) rounded up in the format: one column fewer, the row's normaliser kept. A failure
// caused by the size of the sum (overflow of sum exp(x) in an unshifted kernel) survives it and
// shrinks on to a single logit on the threshold instead of stopping at several logits below it.
std::optional<Batch> merge_largest(const Batch& b) {
  if (b.cols < 2) return std::nullopt;
  Batch c = b;
  c.cols = b.cols - 1;
  c.x.clear();
  for (std::size_t r = 0; r < b.rows; ++r) {
    std::vector<double> row(b.row(r).begin(), b.row(r).end());
    std::size_t i = 0, j = 1;
    if (row[j] > row[i]) std::swap(i, j);
    for (std::size_t k = 2; k < row.size(); ++k) {
      if (row[k] > row[i]) { j = i; i = k; }
      else if (row[k] > row[j]) j = k;
    }
    if (!std::isfinite(row[i]) || !std::isfinite(row[j])) return std::nullopt;
    const double lse = row[i] + std::log1p(std::exp(row[j] - row[i]));
    double merged = round_to(b.dtype, lse);
    if (merged < lse) merged = next_up(b.dtype, merged);
    row[i] = merged;
    row.erase(row.begin() + static_cast<std::ptrdiff_t>(j));
    c.x.insert(c.x.end(), row.begin(), row.end());
  }
  return c;
}

// Shrinks: fewer rows, then fewer columns (halves, then chunks, then single columns once rows are
// short), then each value along its format towards 0. Each candidate costs a kernel call and an
// oracle evaluation of O(cols), so long rows are cut by halves and chunks first; single-column
// removal and per-value shrinking start only below kFineShrinkCols, which keeps shrinking linear.
constexpr std::size_t kFineShrinkCols = 256;

rc::Seq<Batch> shrink_batch(const Batch& b, std::size_t min_rows) {
  using rc::Seq;
  Seq<Batch> rows = b.rows > min_rows
                        ? rc::seq::just(with_rows(b, 0, std::max(min_rows, b.rows / 2)),
                                        with_rows(b, 0, b.rows - 1), with_rows(b, 1, b.rows - 1))
                        : Seq<Batch>();
  std::vector<Batch> chunks;
  for (std::size_t parts = 2; parts <= 8 && b.cols >= parts; parts *= 2) {
    const std::size_t len = b.cols / parts;
    for (std::size_t p = 0; p < parts; ++p) {
      // Remove chunk p (keep the rest), largest chunks first.
      Batch c = with_cols(b, 0, p * len);
      const Batch rest = with_cols(b, (p + 1) * len, b.cols - (p + 1) * len);
      if (c.cols == 0) c = rest;
      else if (rest.cols > 0) {
        Batch joined = b;
        joined.cols = c.cols + rest.cols;
        joined.x.clear();
        for (std::size_t r = 0; r < b.rows; ++r) {
          joined.x.insert(joined.x.end(), c.row(r).begin(), c.row(r).end());
          joined.x.insert(joined.x.end(), rest.row(r).begin(), rest.row(r).end());
        }
        c = std::move(joined);
      }
      if (c.cols > 0) chunks.push_back(std::move(c));
    }
  }
  if (auto merged = merge_largest(b)) chunks.push_back(std::move(*merged));
  Seq<Batch> chunk_seq = rc::seq::fromContainer(std::move(chunks));
  if (b.cols > kFineShrinkCols) return rc::seq::concat(std::move(rows), std::move(chunk_seq));
  Seq<Batch> single = b.cols > 1 ? rc::seq::map(rc::seq::range<std::size_t>(0, b.cols),
                                                [b](std::size_t j) { return without_col(b, j); })
                                 : Seq<Batch>();
  Seq<Batch> values = rc::seq::mapcat(rc::seq::range<std::size_t>(0, b.x.size()), [b](std::size_t i) {
    return rc::seq::map(shrink_logit(b.dtype, b.x[i]), [b, i](double v) {
      Batch c = b;
      c.x[i] = v;
      return c;
    });
  });
  return rc::seq::concat(std::move(rows), std::move(chunk_seq), std::move(single), std::move(values));
}

}  // namespace

GenSpec gen_spec_for(const Contract& c, std::size_t max_cols) {
  GenSpec s;
  s.dtype = c.dtype;
  s.domain = c.domain;
  s.max_cols = max_cols;
  return s;
}

rc::Seq<double> shrink_logit(DType t, double x) {
  if (std::isnan(x) || std::isinf(x)) return rc::seq::just(0.0);
  if (x == 0) return rc::Seq<double>();
  return rc::seq::map(rc::shrink::towards<int64_t>(ordered_index(t, x), 0),
                      [t](int64_t i) { return from_ordered_index(t, i); });
}

rc::Gen<Batch> gen_batch(const GenSpec& spec) {
  return rc::Gen<Batch>([spec](const rc::Random& random, int) {
    Draw d(random);
    const std::size_t min_rows = spec.min_rows;
    return rc::shrinkable::shrinkRecur(make_batch(d, spec), [min_rows](const Batch& b) {
      return shrink_batch(b, min_rows);
    });
  });
}

std::string length_class(std::size_t cols) {
  if (cols == 1) return "cols=1";
  for (std::size_t t : {4, 8, 16, 32, 64})
    if (cols % t == 0 || cols % t == 1 || cols % t == t - 1) {
      if (cols <= 2 * t + 1) return "tile-edge";
    }
  if (cols <= 300) return "short";
  if (cols <= 4096) return "medium";
  if (cols <= 100000) return "long";
  return "very long";  // past the default --max-cols
}

std::string binade_class(std::span<const double> x, DType t) {
  double top = 0;
  for (double v : x)
    if (std::isfinite(v)) top = std::max(top, std::fabs(v));
  if (top == 0) return "|x|max=0";
  const Format f = format_of(t);
  // Eight exponent ranges from the smallest subnormal to emax; coarser than a binade each, so the
  // tables stay readable, fine enough that "reaches every binade" shows as "every range".
  const int lo = f.emin - f.precision + 1, width = (f.emax - lo + 8) / 8;
  const int e = std::ilogb(top), k = std::clamp((e - lo) / width, 0, 7);
  return fmt::format("|x|max 2^[{},{})", lo + k * width, std::min(lo + (k + 1) * width, f.emax + 1));
}

bool has_neg_inf(std::span<const double> row) {
  return std::any_of(row.begin(), row.end(), [](double v) { return v == -kInf; });
}
bool all_neg_inf(std::span<const double> row) {
  return std::all_of(row.begin(), row.end(), [](double v) { return v == -kInf; });
}
bool has_nan_or_pos_inf(std::span<const double> row) {
  return std::any_of(row.begin(), row.end(), [](double v) { return std::isnan(v) || v == kInf; });
}

void showValue(const Batch& b, std::ostream& os) {
  os << fmt::format("{} batch {}x{} ({}):", name_of(b.dtype), b.rows, b.cols, b.family);
  for (std::size_t r = 0; r < b.rows; ++r) os << "\n  row " << r << ": " << hex_list(b.row(r));
}

}  // namespace softcheck
