// The half-precision catalogue (issue 3): the bias z-test. The softmax catalogue
// (softmax_properties.cpp) runs on half kernels as on every softmax kernel; what it cannot see is a
// systematic direction of the final rounding: a truncating f32 -> bf16 conversion is never more
// than one ulp off, so per-element bounds of 0.5 + small ulps only catch some of its outputs, while
// the mean of its signed errors is -0.5 ulp (error-model.md, "Bias").
//
// Why the test is sound for a correct kernel (f32 computation, one round-to-nearest-even at the
// end). Write y_j = RN(q_j) with q_j = p_j (1 + theta_j) the kernel's f32 result, p_j exact, and
// split the signed error in output ulps:
//   e_j = (RN(q_j) - q_j) / ulp + (q_j - p_j) / ulp = r_j + t_j.
// - r_j, the final rounding: p_j is transcendental (a softmax of exact inputs with distinct
//   logits), so where q_j falls inside its ulp is spread uniformly to an excellent approximation:
//   r_j has mean 0 and sd 1/sqrt(12) = 0.289 (error-model.md). Exact ties have probability 0, and
//   outputs that are representable (an error of exactly 0 for every kernel) are skipped. Only
//   normal results are counted: p is spread roughly log-uniformly, and within one ulp its density
//   varies by a factor of at most 1 + 2^(1-p_out) in the normal range (bf16 1 + 2^-7, shifting the
//   mean by ~2^-7/12 = 6.5e-4 ulp), but by up to 2 in the subnormal range, where rounding is
//   visibly biased towards 0 (and below half the smallest subnormal always rounds to 0).
// - t_j, the f32 part: |theta_j| <= gamma(K_j) u32 with the contract's factor K_j (BHH Thm 4.3,
//   error_bound.cpp), and p_j / ulp(p_j) < 2^p_out, so |t_j| < K_j u32 2^p_out: K_j 2^-16 ulp of
//   bf16 (~1e-3 ulp for the rows drawn here: n <= 64, spread <= 3, K ~ 100) and K_j 2^-13 ulp
//   of f16 (u32 / u16 = 2^-13, so ~1e-2 ulp: eight times more room than bf16, still a few
//   percent of the rounding's sd). Even if every t_j had the same sign the mean moves by at most
//   accum_shift_bound (computed per batch from the contract and printed); the test fails only when
//   |mean| exceeds that by more than 5 standard errors, i.e. |z| > 5 + accum_shift_bound / se.
// - Independence: outputs of one row share the kernel's sum, so their errors can be correlated;
//   the standard error is the larger of sd / sqrt(N) and the one with rows as clusters, and tied
//   logits of a row (equal outputs, one observation) are counted once.
// For a correct kernel the rounding term alone then has to reach 5 sigma: about 6e-7 per case
// (N >= 1000 bounded terms: the normal approximation holds well). Measured over 1500 batches: sd(z)
// 0.97-1.01 and max |z| 3.5 for f16_softmax_shifted, bf16_softmax_online, f16_softmax_naive.
// A truncating conversion has r_j uniform in (-1, 0]: mean -0.5, z = -0.5 / (0.289 / sqrt(N)),
// about -60 at N = 1200 (measured: mean z -58.5, sd 3.1). Kernels whose exponentials are
// themselves rounded to the output format (f16_softmax_naive__scalar: accum f16) have no wider
// accumulation to bound; their extra errors are RNE roundings of exp values, symmetric as r_j, so
// the same test applies with the larger sd the sample shows (accum_shift_bound is 0 for them).
#include "properties/half_properties.hpp"

#include <fmt/format.h>
#include <rapidcheck.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <random>
#include <utility>
#include <vector>

#include "properties/error_bound.hpp"
#include "properties/failure.hpp"
#include "properties/property.hpp"
#include "properties/reference.hpp"
#include "properties/softmax_support.hpp"

namespace softcheck {
namespace {

constexpr std::size_t kTargetOutputs = 1200;  // counted outputs per batch, estimated in double
constexpr std::size_t kMaxOutputs = 8192;     // hard cap on rows * cols

class Stream {
 public:
  explicit Stream(uint64_t seed) : rng_(seed) {}
  double uniform() { return static_cast<double>(rng_() >> 11) * 0x1p-53; }
  double uniform(double a, double b) { return a + (b - a) * uniform(); }
  double log_uniform(double lo, double hi) { return std::exp(uniform(std::log(lo), std::log(hi))); }
  double normal() {  // Box-Muller, spelled out so the batch is the same on every standard library
    const double u1 = 1.0 - uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
  }
  std::size_t index(std::size_t n) { return static_cast<std::size_t>(rng_() % n); }

 private:
  std::mt19937_64 rng_;
};

// x rounded to the format, at most the domain's largest logit.
double fit(const Contract& c, double v) {
  const double hi = std::min(c.domain.max_logit, max_finite(c.dtype));
  double r = round_to(c.dtype, std::clamp(v, -max_finite(c.dtype), hi));
  while (r > hi) r = next_down(c.dtype, r);
  return r;
}

// Whether x[j] repeats an earlier logit of its row. Tied logits have the same exact output and,
// in a correct kernel, the same rounded one (the order property checks that), so their errors are
// one observation, not several: counting each would inflate N and the z of a correct kernel.
bool repeats_earlier(std::span<const double> x, std::size_t j) {
  return std::find(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(j), x[j]) !=
         x.begin() + static_cast<std::ptrdiff_t>(j);
}

// Outputs of a row that will (most likely) be counted: distinct, normal, below 1; estimated in
// double.
std::size_t countable(std::span<const double> x, DType t) {
  const double m = *std::max_element(x.begin(), x.end());
  double s = 0;
  for (double v : x) s += std::exp(v - m);
  std::size_t k = 0;
  for (std::size_t j = 0; j < x.size(); ++j) {
    const double p = std::exp(x[j] - m) / s;
    k += p >= 1.01 * min_normal(t) && p < 1 && !repeats_earlier(x, j);
  }
  return k;
}

bool is_half_softmax(const Contract& c) {
  return c.op == Op::softmax && (c.dtype == DType::f16 || c.dtype == DType::bf16);
}

void check_bias(const PropertyContext& ctx) {
  const Contract& c = ctx.kernel.contract;
  // The statistic is about many outputs at once, so a shrunk batch would say nothing more: the
  // batch is drawn from one seed, without shrinking, and the failure names the seed.
  // (inRange, not arbitrary: arbitrary's integers grow with RapidCheck's size, starting at 0.)
  const auto seed =
      *rc::gen::noShrink(rc::gen::inRange<uint64_t>(0, std::numeric_limits<uint64_t>::max()));
  RC_PRE(ctx.max_cols >= 2);  // rows of one logit give exactly 1: nothing to measure
  const Batch b = bias_batch(c, seed, ctx.max_cols);
  const Buffer y = call_rowwise(ctx, b);
  const BiasStats s = bias_stats(c, b, y);
  RC_PRE(s.counted >= kBiasMinOutputs);
  const double se = std::max(s.se_iid, s.se_rows);
  const double z_allowed = kBiasZLimit + (se > 0 ? s.accum_shift_bound / se : 0.0);
  const double az = std::fabs(s.z);
  RC_TAG(az < 1 ? "|z| < 1" : az < 2 ? "1 <= |z| < 2" : az < 3 ? "2 <= |z| < 3" : "|z| >= 3");
  if (!(az <= z_allowed)) {
    std::string rows;
    for (std::size_t r = 0; r < std::min<std::size_t>(b.rows, 3); ++r)
      rows += fmt::format("\n    x[{}] = {}", r, hex_list(b.row(r), 16));
    fail_case(fmt::format(
        "outputs are biased: {}\n  input: {} batch rows={} cols={} (bias batch, seed {}){}{}",
        describe(s, c.dtype), name_of(b.dtype), b.rows, b.cols, seed, rows,
        b.rows > 3 ? fmt::format("\n    ... ({} more rows)", b.rows - 3) : std::string()));
  }
}

const Property kHalfProperties[] = {
    {"bias",
     "mean signed ulp error over >= 1000 outputs is statistically 0 (|z| <= 5): round to nearest "
     "even, not truncation",
     is_half_softmax, check_bias},
};

}  // namespace

Batch bias_batch(const Contract& c, uint64_t seed, std::size_t max_cols) {
  Stream d(seed);
  Batch b;
  b.dtype = c.dtype;
  b.family = "bias";
  b.cols = 2 + d.index(std::clamp<std::size_t>(max_cols, 2, 64) - 1);
  b.rows = 0;
  std::size_t expected = 0;
  std::vector<double> row(b.cols);
  while (expected < kTargetOutputs && (b.rows + 1) * b.cols <= kMaxOutputs) {
    bool ok = false;
    for (int attempt = 0; attempt < 100 && !ok; ++attempt) {
      // spread >= 0.25 keeps bf16 rows (ulp 2^-5 at 6) mostly free of tied logits.
      const double mu = d.uniform(-6, 6), spread = d.log_uniform(0.25, 3);
      for (double& v : row) v = fit(c, mu + spread * d.normal());
      ok = in_domain(c, row);
    }
    if (!ok) break;  // a domain this generator cannot reach: the property discards the case
    b.x.insert(b.x.end(), row.begin(), row.end());
    ++b.rows;
    expected += countable(row, c.dtype);
  }
  return b;
}

BiasStats bias_stats(const Contract& c, const Batch& b, const Buffer& y) {
  BiasStats s;
  const DType out = c.dtype;
  const bool wider_accum = format_of(c.accum).precision > format_of(out).precision;
  double sum = 0, sum_sq = 0, shift = 0;
  std::vector<std::pair<double, double>> row_sums;  // (sum of the row's errors, count)
  s.min = INFINITY;
  s.max = -INFINITY;
  for (std::size_t r = 0; r < b.rows; ++r) {
    const auto x = b.row(r);
    if (std::any_of(x.begin(), x.end(), [](double v) { return !std::isfinite(v); })) {
      s.skipped_nonfinite += b.cols;
      continue;
    }
    const RowReference ref = softmax_reference(x, out);
    const RowBound bound = softmax_row_bound(c, x, ref.exact_d);
    double row_sum = 0, row_count = 0;
    for (std::size_t j = 0; j < b.cols; ++j) {
      const double got = y.get(r * b.cols + j);
      // Which outputs count depends on the exact value only, not on the kernel's output (but for
      // non-finite outputs, the accuracy property's failures), so the selection cannot bias the
      // mean. The correctly rounded value's own signed error: 0 when the exact value is
      // representable, +-0.5 on a midpoint; exact_d carries 2^-53 relative error, so this is good
      // to ~2^-45 ulp, and anything that close to a midpoint is skipped with it.
      const double own = (ref.rounded[j] - ref.exact_d[j]) / ulp(out, ref.exact_d[j]);
      if (repeats_earlier(x, j)) {
        ++s.skipped_repeat;
      } else if (!std::isfinite(got)) {
        ++s.skipped_nonfinite;
      } else if (own == 0 && mpfr_cmp_d(ref.exact()[j].backend().data(), ref.rounded[j]) == 0) {
        ++s.skipped_exact;
      } else if (std::fabs(std::fabs(own) - 0.5) < 0x1p-40) {
        ++s.skipped_tie;
      } else if (ref.exact_d[j] < min_normal(out)) {
        ++s.skipped_small;
      } else {
        const double e = oracle::compare(got, ref.exact()[j], out).signed_ulps;
        ++s.counted;
        row_sum += e;
        ++row_count;
        sum += e;
        sum_sq += e * e;
        s.min = std::min(s.min, e);
        s.max = std::max(s.max, e);
        const double bin = std::floor((e + 1.5) / 0.25);
        s.histogram[static_cast<std::size_t>(std::clamp(bin + 1, 0.0, 13.0))]++;
        if (wider_accum)
          shift += gamma_bound(bound.factor[j], unit_roundoff(c.accum)) * ref.exact_d[j] /
                   ulp(out, ref.exact_d[j]);
      }
    }
    if (row_count > 0) row_sums.emplace_back(row_sum, row_count);
  }
  if (s.counted == 0) {
    s.min = s.max = 0;
    return s;
  }
  const double n = static_cast<double>(s.counted);
  s.mean = sum / n;
  s.sd = s.counted > 1 ? std::sqrt(std::max(0.0, (sum_sq - n * s.mean * s.mean) / (n - 1))) : 0;
  s.se_iid = s.sd / std::sqrt(n);
  // Rows as clusters (the cluster-robust variance of a mean): outputs of one row share the
  // kernel's sum, so their errors may be correlated; then sd / sqrt(N) understates the spread of
  // the mean. f16_softmax_naive__scalar, whose exps are rounded to f16 and enter every output of
  // the row through the sum, showed sd(z) = 1.23 over 1500 batches with the iid error alone,
  // against 1.00 for the kernels that round once.
  s.rows = row_sums.size();
  const double rows = static_cast<double>(s.rows);
  double ss = 0;
  for (const auto& [rs, rc] : row_sums) ss += (rs - rc * s.mean) * (rs - rc * s.mean);
  s.se_rows = rows > 1 ? std::sqrt(rows / (rows - 1) * ss) / n : 0;
  const double se = std::max(s.se_iid, s.se_rows);
  s.z = se > 0 ? s.mean / se : (s.mean == 0 ? 0 : std::copysign(INFINITY, s.mean));
  s.accum_shift_bound = shift / n;
  return s;
}

std::string describe(const BiasStats& s, DType out) {
  const double se = std::max(s.se_iid, s.se_rows);
  std::string hist;
  for (std::size_t i = 0; i < s.histogram.size(); ++i)
    hist += fmt::format("{}{}", i ? " " : "", s.histogram[i]);
  return fmt::format(
      "mean signed error {:+.4f} ulp_{}, sd {:.4f}, N = {}, z = mean / se = {:+.2f} (|z| > {} "
      "fails; round to nearest even: mean 0, sd 0.289; truncation: mean -0.5)\n"
      "  se = max(sd / sqrt N = {:.4f}, over {} rows as clusters {:.4f})\n"
      "  signed errors in [{:+.3f}, {:+.3f}]; counts per 0.25 ulp from -1.5 to +1.5 (tails at the "
      "ends): [{}]\n"
      "  skipped: {} repeated logits, {} exactly representable, {} ties, {} below the smallest "
      "normal, {} non-finite\n"
      "  the computation before the final rounding can shift the mean by at most {:.3g} ulp "
      "({:.2f} in z)",
      s.mean, name_of(out), s.sd, s.counted, s.z, kBiasZLimit, s.se_iid, s.rows, s.se_rows, s.min,
      s.max, hist, s.skipped_repeat, s.skipped_exact, s.skipped_tie, s.skipped_small,
      s.skipped_nonfinite, s.accum_shift_bound, se > 0 ? s.accum_shift_bound / se : 0.0);
}

std::span<const Property> half_catalogue() { return kHalfProperties; }

}  // namespace softcheck
