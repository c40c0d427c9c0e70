// The temperature softmax property catalogue (issue 4): softmax_temp(x, tau) agrees with the MPFR
// softmax(x / tau) within the derived bound over a tau range of 2^-40 .. 2^40 plus extremes; the
// limits (tau -> inf: uniform 1/n; tau -> 0: one-hot on a unique argmax, equal shares on tied
// maxima), exactly one-hot once every (xmax - x_j) / tau passes the exp underflow threshold (103.97
// in f32), and sharpening: the entropy of the output falls as tau falls.
#include <fmt/format.h>
#include <rapidcheck.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <random>

#include "properties/error_bound_ops.hpp"
#include "properties/property.hpp"
#include "properties/reference.hpp"
#include "properties/softmax_support.hpp"

namespace softcheck {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

bool is_temp(const Contract& c) { return c.op == Op::softmax_temp; }
bool has_bound(const Contract& c) { return is_temp(c) && !op_bound_unsupported(c); }

constexpr std::size_t kOracleCols = 4096;

template <class T>
rc::Gen<T> uniform(T lo, T hi) {  // [lo, hi), whatever RapidCheck's size ramp is at
  return rc::gen::resize(100, rc::gen::inRange<T>(lo, hi));
}

// A value log-uniform in [2^lo, 2^hi) with 20 random mantissa bits.
double draw_log_uniform(int lo, int hi) {
  const int e = *uniform(lo, hi);
  const int m = *uniform(0, 1 << 20);
  return std::ldexp(1.0 + std::ldexp(m, -20), e);
}

// tau: log-uniform over 2^-40 .. 2^40, and the extremes where (x - max) / tau overflows to -inf
// (denorm_min, 1e-300), where every argument rounds to 0 (1e300, DBL_MAX, +inf), and tau = 1.
double draw_tau() {
  const bool extreme = *uniform(0, 8) == 0;
  if (!extreme) return draw_log_uniform(-40, 40);
  return *rc::gen::element(std::numeric_limits<double>::denorm_min(), 1e-300, 0x1p-126, 1.0, 1e300,
                           std::numeric_limits<double>::max(), kInf);
}

std::string tau_class(double tau) {
  if (tau == kInf) return "tau = inf";
  if (tau < 1e-6) return "tau < 1e-6";
  if (tau < 1) return "tau in [1e-6, 1)";
  if (tau < 1e6) return "tau in [1, 1e6)";
  return "tau >= 1e6";
}

Batch draw_batch(const PropertyContext& ctx, std::size_t max_cols, std::size_t max_rows,
                 bool masks) {
  GenSpec spec = gen_spec_for(ctx.kernel.contract, std::min(ctx.max_cols, max_cols));
  spec.max_rows = max_rows;
  spec.masks = masks;
  const Batch b = *gen_batch(spec);
  for (std::size_t r = 0; r < b.rows; ++r) RC_PRE(in_domain(ctx.kernel.contract, b.row(r)));
  RC_TAG(b.family, length_class(b.cols));
  return b;
}

std::vector<double> row_of(const Buffer& y, std::size_t r, std::size_t cols) {
  std::vector<double> v(cols);
  for (std::size_t j = 0; j < cols; ++j) v[j] = y.get(r * cols + j);
  return v;
}

RowReference temp_reference(std::span<const double> x, double tau, DType out) {
  return make_reference(oracle::softmax_temp(x, tau, oracle::working_bits(out, x.size())), out);
}

// exp(t) rounds to 0 in `t` for every t < -ln(2 / denorm_min): f32 103.97208, f64 745.13322
// (error-model.md, thresholds table; below half the smallest subnormal, round-to-nearest gives 0).
double exp_zero_threshold(DType t) {
  return (1 - std::ilogb(denorm_min(t))) * std::numbers::ln2;  // 2 / denorm_min overflows in f64
}

void check_agrees(const PropertyContext& ctx) {
  const Contract& c = ctx.kernel.contract;
  const Batch b = draw_batch(ctx, ctx.max_cols, 2, true);
  const double tau = draw_tau();
  RC_TAG(tau_class(tau));
  const Buffer y = call_rowwise(ctx, b, tau);
  for (std::size_t r = 0; r < b.rows; ++r) {
    const auto x = b.row(r);
    if (all_neg_inf(x)) continue;
    // tau = +inf with a -inf logit is a special value ((-inf) / inf is NaN), judged by the
    // contract's InfiniteTauPolicy in temp_infinite_tau, not an accuracy question.
    if (tau == kInf && has_neg_inf(x)) continue;
    const RowReference ref = temp_reference(x, tau, c.dtype);
    const RowBound bound = softmax_temp_row_bound(c, x, tau, ref.exact_d);
    require_within_bounds(b, r, row_of(y, r, b.cols), ref, bound.abs, c.dtype, bound.derivation);
  }
}

// tau -> inf: with t_j = (x_j - max) / tau in [-Delta / tau, 0], every p_j lies within
// expm1(Delta / tau) / n of 1/n; the kernel within its bound of p_j. tau = Delta 2^k, k in
// [20, 60], or +inf (Delta / tau = 0).
void check_high_limit(const PropertyContext& ctx) {
  const Contract& c = ctx.kernel.contract;
  const Batch b = draw_batch(ctx, kOracleCols, 1, false);
  const auto x = b.row(0);
  const double delta = finite_max(x) - finite_min(x);
  const bool infinite = *uniform(0, 5) == 0;
  const double tau = infinite || delta == 0 ? kInf : delta * std::ldexp(1.0, *uniform(20, 61));
  RC_TAG(infinite || delta == 0 ? "tau = inf" : "tau = Delta 2^k");
  const std::vector<double> got = row_of(call_rowwise(ctx, b, tau), 0, b.cols);
  const RowReference ref = temp_reference(x, tau, c.dtype);
  const RowBound bound = softmax_temp_row_bound(c, x, tau, ref.exact_d);
  const double n = static_cast<double>(b.cols);
  const double spread = std::expm1(tau == kInf ? 0.0 : delta / tau) / n;
  for (std::size_t j = 0; j < b.cols; ++j) {
    const double tol = bound.abs[j] + spread + 0x1p-52 / n;
    if (std::fabs(got[j] - 1 / n) <= tol) continue;
    fail_case(fmt::format(
        "tau = {} (Delta / tau = {:.3g}): output [{}] = {} ({:.9g}) is {:.4g} away from the "
        "uniform 1/n = {:.9g}; allowed {:.4g} = bound {:.4g} + expm1(Delta / tau) / n\n  bound: "
        "{}\n  {}",
        hex(tau), tau == kInf ? 0.0 : delta / tau, j, hex(got[j]), got[j],
        std::fabs(got[j] - 1 / n), 1 / n, tol, bound.abs[j], bound.derivation, describe_batch(b)));
  }
}

// The row's maxima after forcing k of its entries to the max (k = 1: a unique argmax when no
// other entry equals it).
struct Tied {
  Batch b;
  std::vector<std::size_t> at_max;
  double gap = kInf;  // max - (largest entry below it); inf when every entry is a maximum
};

Tied tie_maxima(const Batch& base, std::size_t k) {
  Tied t{base, {}, kInf};
  auto& x = t.b.x;
  std::mt19937_64 rng(*rc::gen::noShrink(rc::gen::resize(100, rc::gen::arbitrary<uint64_t>())));
  const double a = finite_max(base.row(0));
  for (std::size_t i = 0; i + 1 < k; ++i) x[rng() % x.size()] = a;
  for (std::size_t j = 0; j < x.size(); ++j) {
    if (x[j] == a)
      t.at_max.push_back(j);
    else
      t.gap = std::min(t.gap, a - x[j]);
  }
  return t;
}

// tau -> 0 with (max - x_j) / tau >= 2 T (T the accum format's exp underflow threshold) for every
// non-maximal x_j: exactly, p is 1/k on the k maxima and below e^-2T elsewhere. The kernel's
// maxima must be bitwise equal (their t is exactly 0) and within the bound of 1/k, the others
// within the bound of ~0.
void check_low_limit(const PropertyContext& ctx) {
  const Contract& c = ctx.kernel.contract;
  const Batch base = draw_batch(ctx, kOracleCols, 1, false);
  const std::size_t k = *uniform<std::size_t>(1, std::min<std::size_t>(base.cols, 4) + 1);
  const Tied t = tie_maxima(base, k);
  const double thr = exp_zero_threshold(c.accum);
  const double tau = t.gap == kInf ? draw_tau() : t.gap / (thr * std::ldexp(1.0, *uniform(1, 21)));
  RC_PRE(tau > 0);
  RC_TAG(t.at_max.size() == 1 ? "unique argmax" : "tied maxima");
  const std::vector<double> got = row_of(call_rowwise(ctx, t.b, tau), 0, t.b.cols);
  const auto x = t.b.row(0);
  const RowReference ref = temp_reference(x, tau, c.dtype);
  const RowBound bound = softmax_temp_row_bound(c, x, tau, ref.exact_d);
  const auto fail = [&](const std::string& what) {
    fail_case(
        fmt::format("tau = {} -> 0 (gap / tau = {:.4g} >= 2 x {:.6g}), {} maxima at {}: {}\n  "
                    "got {}\n  bound: {}\n  {}",
                    hex(tau), t.gap / tau, thr, t.at_max.size(), t.at_max.front(), what,
                    hex_list(got), bound.derivation, describe_batch(t.b)));
  };
  for (std::size_t j : t.at_max)
    if (!(got[j] == got[t.at_max.front()]))
      fail(
          fmt::format("tied maxima {} and {} differ: {} vs {} (equal shares must be bitwise equal)",
                      t.at_max.front(), j, hex(got[t.at_max.front()]), hex(got[j])));
  const double share = 1.0 / static_cast<double>(t.at_max.size());
  const double a = finite_max(x);
  for (std::size_t j = 0; j < got.size(); ++j) {
    const bool top = x[j] == a;
    if (std::fabs(got[j] - ref.exact_d[j]) <= bound.abs[j]) continue;
    fail(fmt::format("output [{}] = {} is not {} within the bound {:.4g} (exact {:.17g})", j,
                     hex(got[j]), top ? fmt::format("the share 1/k = {:.9g}", share) : "~0",
                     bound.abs[j], ref.exact_d[j]));
  }
}

// Exactly one-hot once every (xmax - x_j) / tau > T, T = ln(2 / denorm_min(accum)) (103.97 in f32):
// each other exp(t_j) is below half the smallest subnormal and rounds to 0, the maximum's is
// exp(0) = e, and e / e = 1. tau = gap / (T f) with f just above 1 + 8u (at the threshold, beyond
// the two roundings of t_j) or log-uniform up to 2^10. Assumes exp rounds correctly near its
// underflow threshold (glibc's expf/exp do; error-model.md states the fact for f32).
void check_exact_one_hot(const PropertyContext& ctx) {
  const Contract& c = ctx.kernel.contract;
  Batch b = draw_batch(ctx, ctx.max_cols, 1, false);
  const std::size_t star = *uniform<std::size_t>(0, b.cols);
  const double a = finite_max(b.row(0));
  std::size_t at_max = 0;
  for (double v : b.x) at_max += v == a;
  if (b.x[star] != a || at_max > 1) b.x[star] = next_up(c.dtype, a);
  RC_PRE(std::isfinite(b.x[star]) && in_domain(c, b.row(0)));
  double gap = kInf;
  for (std::size_t j = 0; j < b.cols; ++j)
    if (j != star) gap = std::min(gap, b.x[star] - b.x[j]);
  const double u = unit_roundoff(c.accum), thr = exp_zero_threshold(c.accum);
  const bool at_threshold = *uniform(0, 10) < 3;
  const double f = at_threshold ? 1 + 8 * u * (1 + *uniform(0, 8))
                                : std::exp2(std::ldexp(*uniform(1, 1 << 20), -20) * 10);
  const double tau = gap == kInf ? draw_tau() : gap / (thr * f);
  RC_PRE(tau > 0);
  for (std::size_t j = 0; j < b.cols; ++j)
    if (j != star) RC_PRE((b.x[star] - b.x[j]) / tau >= thr * (1 + 4 * u));
  RC_TAG(gap == kInf ? "n = 1" : at_threshold ? "just past the threshold" : "past the threshold");
  const std::vector<double> got = row_of(call_rowwise(ctx, b, tau), 0, b.cols);
  for (std::size_t j = 0; j < b.cols; ++j) {
    const double want = j == star ? 1.0 : 0.0;
    if (got[j] == want) continue;
    fail_case(fmt::format(
        "not exactly one-hot: output [{}] = {} ({:.9g}), want {}; argmax {}, min (xmax - x_j) / "
        "tau = {:.9g} > {:.9g} = ln(2 / denorm_min_{}) (every other exp underflows to 0)\n  tau = "
        "{}\n  {}",
        j, hex(got[j]), got[j], want, star, gap / tau, thr, name_of(c.accum), hex(tau),
        describe_batch(b)));
  }
}

// -y ln y, continuous at 0.
double entropy_term(double y) { return y > 0 ? -y * std::log(y) : 0.0; }

// Largest change of -y ln y over |y - p| <= e within [0, 1]: the function is concave, so the
// extremes are at the interval's ends or at its maximum 1/e.
double entropy_term_change(double p, double e) {
  const double lo = std::max(0.0, p - e), hi = std::min(1.0, p + e), fp = entropy_term(p);
  double m = std::max(std::fabs(entropy_term(lo) - fp), std::fabs(entropy_term(hi) - fp));
  if (lo < 1 / std::numbers::e && 1 / std::numbers::e < hi)
    m = std::max(m, std::fabs(entropy_term(1 / std::numbers::e) - fp));
  return m;
}

// Sharpening: H(softmax(x / tau)) increases strictly with tau for a non-constant row. For eight
// taus Delta 2^(s - t step), the kernel's entropies may rise as tau falls only by what both bounds
// allow (the change of -y ln y over each output's bound) plus the rounding of the entropy sums.
void check_entropy_monotone(const PropertyContext& ctx) {
  const Contract& c = ctx.kernel.contract;
  const Batch b = draw_batch(ctx, 512, 1, false);
  const auto x = b.row(0);
  const double delta = finite_max(x) - finite_min(x);
  RC_PRE(delta > 0);
  const int s = *uniform(-4, 7), step = *uniform(1, 3);
  struct Point {
    double tau, h, allowed;
    std::vector<double> y;
  };
  std::vector<Point> pts;
  for (int t = 0; t < 8; ++t) {
    Point p;
    p.tau = delta * std::ldexp(1.0, s - t * step);
    p.y = row_of(call_rowwise(ctx, b, p.tau), 0, b.cols);
    const RowReference ref = temp_reference(x, p.tau, c.dtype);
    const RowBound bound = softmax_temp_row_bound(c, x, p.tau, ref.exact_d);
    p.h = 0;
    double mass = 0;
    p.allowed = 0;
    for (std::size_t j = 0; j < b.cols; ++j) {
      p.h += entropy_term(p.y[j]);
      mass += std::fabs(entropy_term(p.y[j]));
      p.allowed += entropy_term_change(ref.exact_d[j], bound.abs[j]);
    }
    p.allowed += static_cast<double>(b.cols + 3) * 0x1p-52 * mass;  // the sum in double
    pts.push_back(std::move(p));
  }
  for (std::size_t t = 1; t < pts.size(); ++t) {
    const Point &hot = pts[t - 1], &cold = pts[t];
    if (cold.h <= hot.h + hot.allowed + cold.allowed) continue;
    fail_case(fmt::format(
        "entropy rose as tau fell: H = {:.9g} at tau = {} but {:.9g} at tau = {} (exactly it "
        "falls); allowed rise {:.4g}\n  y(hot) = {}\n  y(cold) = {}\n  {}",
        hot.h, hex(hot.tau), cold.h, hex(cold.tau), hot.allowed + cold.allowed, hex_list(hot.y),
        hex_list(cold.y), describe_batch(b)));
  }
}

bool has_infinite_tau_policy(const Contract& c) {
  return has_bound(c) && c.infinite_tau != InfiniteTauPolicy::unspecified;
}

// tau = +inf on rows with -inf logits and at least one finite one, as the contract's policy says:
// limit: the tau -> inf limit (exactly 0 at -inf, 1/k on the k finite logits, within the bound of
// the MPFR limit); nan: NaN everywhere in the row.
void check_infinite_tau(const PropertyContext& ctx) {
  const Contract& c = ctx.kernel.contract;
  Batch b = draw_batch(ctx, std::min<std::size_t>(ctx.max_cols, 4096), 1, false);
  RC_PRE(b.cols >= 2);
  const std::size_t keep = *uniform<std::size_t>(0, b.cols);  // stays finite
  const auto mask_bits = *rc::gen::noShrink(rc::gen::arbitrary<uint64_t>());
  bool masked = false;
  for (std::size_t j = 0; j < b.cols; ++j)
    if (j != keep && (((mask_bits >> (j % 64)) & 1) || (!masked && j + 1 == b.cols))) {
      b.x[j] = -kInf;
      masked = true;
    }
  if (!masked) b.x[keep == 0 ? 1 : 0] = -kInf;
  RC_TAG(name_of(c.infinite_tau));
  const std::vector<double> got = row_of(call_rowwise(ctx, b, kInf), 0, b.cols);
  if (c.infinite_tau == InfiniteTauPolicy::nan) {
    for (std::size_t j = 0; j < b.cols; ++j)
      if (!std::isnan(got[j]))
        fail_case(fmt::format("tau = +inf with -inf logits: output [{}] = {} but the contract's "
                              "policy is nan (NaN everywhere in the row)\n  got {}\n  {}",
                              j, hex(got[j]), hex_list(got), describe_batch(b)));
    return;
  }
  const RowReference ref = temp_reference(b.row(0), kInf, c.dtype);
  const RowBound bound = softmax_temp_row_bound(c, b.row(0), kInf, ref.exact_d);
  require_within_bounds(b, 0, got, ref, bound.abs, c.dtype,
                        "tau = +inf, policy limit: 0 at -inf, 1/k on the k finite logits; " +
                            bound.derivation);
}

const Property kTemperatureProperties[] = {
    {"temp_agrees",
     "softmax_temp(x, tau) within the derived bound of the MPFR softmax(x / tau), tau 2^-40..2^40 "
     "and extremes",
     has_bound, check_agrees},
    {"temp_high_limit", "tau -> inf: every output within bound + expm1(Delta / tau) / n of 1/n",
     has_bound, check_high_limit},
    {"temp_low_limit",
     "tau -> 0: one-hot on a unique argmax, bitwise-equal shares 1/k on k tied maxima (within the "
     "bound)",
     has_bound, check_low_limit},
    {"temp_exact_one_hot",
     "exactly one-hot once every (xmax - x_j) / tau > ln(2 / denorm_min) (103.97 in f32)", is_temp,
     check_exact_one_hot},
    {"temp_infinite_tau",
     "tau = +inf with -inf logits follows the contract's policy (limit: 0 there and 1/k on the k "
     "finite logits; nan: NaN rows)",
     has_infinite_tau_policy, check_infinite_tau},
    {"temp_entropy_monotone",
     "the output's entropy falls as tau falls (within the bounds' effect on the entropy)",
     has_bound, check_entropy_monotone},
};

}  // namespace

std::span<const Property> temperature_catalogue() { return kTemperatureProperties; }

}  // namespace softcheck
