// The fused cross-entropy property catalogue (issue 4): the gradient dx = softmax(x) -
// onehot(label) against the MPFR oracle, sum(dx) = 0, dx[label] in [-1, 0], the loss against the
// oracle, dx against MPFR central differences of the exact loss (is dx the gradient of this loss?),
// and saturation: as the label's margin grows, loss and gradient fall to 0 monotonically.
#include <fmt/format.h>
#include <rapidcheck.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <random>

#include "oracles/gradient.hpp"
#include "properties/error_bound_ops.hpp"
#include "properties/property.hpp"
#include "properties/reference.hpp"

namespace softcheck {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

bool is_cross_entropy(const Contract& c) { return c.op == Op::cross_entropy; }
bool has_bound(const Contract& c) { return is_cross_entropy(c) && !op_bound_unsupported(c); }

constexpr std::size_t kOracleCols = 4096;

struct Case {
  Batch b;
  std::vector<int64_t> labels;
};

std::string describe_case(const Case& cs) {
  std::string labels;
  for (int64_t l : cs.labels) labels += fmt::format("{}{}", labels.empty() ? "" : ", ", l);
  return fmt::format("labels [{}]\n  {}", labels, describe_batch(cs.b));
}

template <class T>
rc::Gen<T> uniform(T lo, T hi) {  // [lo, hi), whatever RapidCheck's size ramp is at
  return rc::gen::resize(100, rc::gen::inRange<T>(lo, hi));
}

// A label per row: mostly at a finite logit (the argmax, the smallest finite logit, or any), at
// times at any column, which may be a -inf mask (loss +inf, dx[label] = -1).
int64_t draw_label(std::span<const double> x) {
  std::vector<std::size_t> finite;
  for (std::size_t j = 0; j < x.size(); ++j)
    if (std::isfinite(x[j])) finite.push_back(j);
  const int mode = *rc::gen::weightedElement<int>({{2, 0}, {2, 1}, {5, 2}, {1, 3}});
  const std::size_t any = *uniform<std::size_t>(0, x.size());
  if (finite.empty() || mode == 3) {
    RC_TAG(std::isfinite(x[any]) ? "label anywhere" : "label on a mask");
    return static_cast<int64_t>(any);
  }
  const auto by_value = [&](std::size_t i, std::size_t j) { return x[i] < x[j]; };
  std::size_t k = finite[any % finite.size()];
  if (mode == 0) k = *std::max_element(finite.begin(), finite.end(), by_value);
  if (mode == 1) k = *std::min_element(finite.begin(), finite.end(), by_value);
  RC_TAG(mode == 0 ? "label at max" : mode == 1 ? "label at min" : "label at a finite logit");
  return static_cast<int64_t>(k);
}

Case draw_case(const PropertyContext& ctx, std::size_t max_cols, std::size_t max_rows, bool masks) {
  GenSpec spec = gen_spec_for(ctx.kernel.contract, std::min(ctx.max_cols, max_cols));
  spec.max_rows = max_rows;
  spec.masks = masks;
  Case cs{*gen_batch(spec), {}};
  for (std::size_t r = 0; r < cs.b.rows; ++r) {
    RC_PRE(in_domain(ctx.kernel.contract, cs.b.row(r)));
    RC_PRE(!all_neg_inf(cs.b.row(r)));
  }
  for (std::size_t r = 0; r < cs.b.rows; ++r) cs.labels.push_back(draw_label(cs.b.row(r)));
  RC_TAG(cs.b.family, length_class(cs.b.cols));
  return cs;
}

Outputs call_cross_entropy(const PropertyContext& ctx, const Case& cs) {
  Call call;
  call.op = Op::cross_entropy;
  call.dtype = cs.b.dtype;
  call.rows = cs.b.rows;
  call.cols = cs.b.cols;
  call.a = Buffer::from_values(cs.b.dtype, cs.b.x);
  call.labels = cs.labels;
  CallResult r = ctx.invoker.call(ctx.kernel, call);
  require_call_ok(r, cs.b);
  return std::move(r.out);
}

std::vector<double> row_of(const Buffer& y, std::size_t r, std::size_t cols) {
  std::vector<double> v(cols);
  for (std::size_t j = 0; j < cols; ++j) v[j] = y.get(r * cols + j);
  return v;
}

// The oracle of one row and the bound built from it.
struct RowOracle {
  oracle::CrossEntropy ce;
  RowReference dx;
  double loss = 0;  // exact loss, rounded to double
  CrossEntropyBound bound;
};

RowOracle row_oracle(const Contract& c, std::span<const double> x, std::size_t label) {
  RowOracle o;
  o.ce = oracle::cross_entropy(x, static_cast<int64_t>(label),
                               oracle::working_bits(c.dtype, x.size()));
  o.dx = make_reference(o.ce.dx, c.dtype);
  o.loss = oracle::to_double(o.ce.loss);
  // p_i = dx_i off the label; p_label = exp(-loss) (= softmax(x)[label], accurate also when tiny).
  std::vector<double> p = o.dx.exact_d;
  p[label] = std::exp(-o.loss);
  o.bound = cross_entropy_row_bound(c, x, label, p, o.loss);
  return o;
}

void check_dx_accuracy(const PropertyContext& ctx) {
  const Contract& c = ctx.kernel.contract;
  const Case cs = draw_case(ctx, ctx.max_cols, 3, true);
  const Outputs out = call_cross_entropy(ctx, cs);
  for (std::size_t r = 0; r < cs.b.rows; ++r) {
    const auto k = static_cast<std::size_t>(cs.labels[r]);
    const RowOracle o = row_oracle(c, cs.b.row(r), k);
    require_within_bounds(cs.b, r, row_of(out.y, r, cs.b.cols), o.dx, o.bound.dx.abs, c.dtype,
                          fmt::format("label {}; {}", k, o.bound.dx.derivation));
  }
}

void check_dx_sum_zero(const PropertyContext& ctx) {
  const Contract& c = ctx.kernel.contract;
  const Case cs = draw_case(ctx, kOracleCols, 3, true);
  const Outputs out = call_cross_entropy(ctx, cs);
  for (std::size_t r = 0; r < cs.b.rows; ++r) {
    const auto k = static_cast<std::size_t>(cs.labels[r]);
    const std::vector<double> got = row_of(out.y, r, cs.b.cols);
    const double sum = oracle::to_double(oracle::exact_sum(got));  // formed exactly
    const RowOracle o = row_oracle(c, cs.b.row(r), k);
    if (!(std::fabs(sum) <= o.bound.dx.sum_abs))
      fail_case(fmt::format(
          "row {}: dx sums to {} ({:.6g}) but p - onehot sums to 0; allowed {:.4g} (sum of the "
          "componentwise bounds)\n  bound: {}\n  dx = {}\n  {}",
          r, hex(sum), sum, o.bound.dx.sum_abs, o.bound.dx.derivation, hex_list(got),
          describe_case(cs)));
  }
}

// dx[label] = p_label - 1 lies in [-1, 0] and every other dx_j = p_j in [0, 1]: a shifted-divide
// softmax has outputs in [0, 1] exactly in floating point, and p - 1 is then rounded monotonically.
void check_dx_range(const PropertyContext& ctx) {
  const Case cs = draw_case(ctx, ctx.max_cols, 3, true);
  const Outputs out = call_cross_entropy(ctx, cs);
  for (std::size_t r = 0; r < cs.b.rows; ++r) {
    const auto k = static_cast<std::size_t>(cs.labels[r]);
    for (std::size_t j = 0; j < cs.b.cols; ++j) {
      const double v = out.y.get(r * cs.b.cols + j);
      const bool ok = j == k ? (v >= -1 && v <= 0) : (v >= 0 && v <= 1);
      if (!ok)
        fail_case(fmt::format("row {}: dx[{}] = {} ({:.9g}) is outside {} ({})\n  {}", r, j, hex(v),
                              v, j == k ? "[-1, 0]" : "[0, 1]",
                              j == k ? "dx at the label is p_label - 1" : "dx off the label is p_j",
                              describe_case(cs)));
    }
  }
}

void check_loss_accuracy(const PropertyContext& ctx) {
  const Contract& c = ctx.kernel.contract;
  const Case cs = draw_case(ctx, ctx.max_cols, 3, true);
  const Outputs out = call_cross_entropy(ctx, cs);
  for (std::size_t r = 0; r < cs.b.rows; ++r) {
    const auto k = static_cast<std::size_t>(cs.labels[r]);
    const RowOracle o = row_oracle(c, cs.b.row(r), k);
    const RowReference loss = make_reference({o.ce.loss}, c.dtype);
    const ElementReport e = compare_element(r, 0, out.loss.get(r), loss, c.dtype, o.bound.loss_abs);
    if (!within(e))
      fail_case(fmt::format("loss of row {} (label {}) outside the bound: {}\n  bound: {}\n  {}", r,
                            k, describe_element(e, c.dtype), o.bound.loss_derivation,
                            describe_case(cs)),
                severity_of(e));
  }
}

// Raw MPFR on the oracle's Reals, at an explicit precision.
oracle::Real sub(const oracle::Real& a, const oracle::Real& b, mpfr_prec_t bits) {
  oracle::Real r;
  mpfr_set_prec(r.backend().data(), bits);
  mpfr_sub(r.backend().data(), a.backend().data(), b.backend().data(), MPFR_RNDN);
  return r;
}

// x_i +- d exact in double (TwoSum's error term is 0), so the oracle sees the perturbed points
// exactly.
bool sum_is_exact(double a, double b) {
  const double s = a + b, bb = s - a;
  return std::isfinite(s) && (a - (s - bb)) + (b - bb) == 0;
}
bool exact_both_ways(double x, double d) { return sum_is_exact(x, d) && sum_is_exact(x, -d); }

// Central difference of the exact loss: L(x + d) - L(x - d) = 2 <g, d> + R with g = p - onehot,
// |R| <= w^3 / 12, w = max d_i - min d_i over the finite entries (Taylor with Lagrange remainder;
// the third derivative of f(t) = L(x + t d) is the third central moment of d under softmax(x + t
// d), at most w * Var <= w^3 / 4 by Popoviciu). Both L are MPFR at 64 bits beyond the oracle's
// working precision, so the kernel's dx is judged by |L+ - L- - 2 <dx^, d>| <= 2 sum_i bound_i
// |d_i| + R + the oracle's own error. The loss itself is not the kernel's: a gradient inconsistent
// with the loss (wrong label, wrong sign, missing normalisation) fails here even where the loss is
// right.
void check_directional_derivative(const PropertyContext& ctx) {
  const Contract& c = ctx.kernel.contract;
  const Case cs = draw_case(ctx, 1024, 1, true);
  const auto x = cs.b.row(0);
  const auto k = static_cast<std::size_t>(cs.labels[0]);
  RC_PRE(std::isfinite(x[k]));
  const std::size_t n = x.size();
  // Direction: d_i = m_i q_i, m_i ~ round(16 N(0, 1)), q_i = max(2 ulp_f64(x_i), 2^-34) (a power
  // of two); a coordinate whose x_i +- d_i would round stays 0.
  std::mt19937_64 rng(*rc::gen::noShrink(rc::gen::resize(100, rc::gen::arbitrary<uint64_t>())));
  std::normal_distribution<double> normal;
  std::vector<double> d(n, 0.0), xp(x.begin(), x.end()), xm(x.begin(), x.end());
  double dmax = -kInf, dmin = kInf;
  bool moved = false;
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(x[i])) continue;
    const double q = std::max(2 * ulp(DType::f64, std::fabs(x[i])), 0x1p-34);
    const double di = std::nearbyint(16 * normal(rng)) * q;
    if (!exact_both_ways(x[i], di)) continue;
    d[i] = di;
    xp[i] = x[i] + di;
    xm[i] = x[i] - di;
    dmax = std::max(dmax, di);
    dmin = std::min(dmin, di);
    moved = moved || di != 0;
  }
  RC_PRE(moved);
  const Outputs out = call_cross_entropy(ctx, cs);
  const std::vector<double> dx = row_of(out.y, 0, n);
  const RowOracle o = row_oracle(c, x, k);
  const unsigned bits = oracle::working_bits(DType::f64, n) + 64;
  const oracle::Real lp = oracle::cross_entropy(xp, static_cast<int64_t>(k), bits).loss;
  const oracle::Real lm = oracle::cross_entropy(xm, static_cast<int64_t>(k), bits).loss;
  const oracle::Real central = sub(lp, lm, 2 * bits + 64);
  oracle::Real slope = oracle::exact_dot(dx, d);
  mpfr_mul_2ui(slope.backend().data(), slope.backend().data(), 1, MPFR_RNDN);  // exact
  const double diff = oracle::to_double(sub(central, slope, 256));
  double allowed = 0;
  for (std::size_t i = 0; i < n; ++i) allowed += 2 * o.bound.dx.abs[i] * std::fabs(d[i]);
  const double w = dmax - dmin;
  const double remainder = w * w * w / 12;
  const double oracle_err = 8 *
                            (std::fabs(oracle::to_double(lp)) + std::fabs(oracle::to_double(lm))) *
                            std::ldexp(1.0, -static_cast<int>(bits));
  const double tol = (allowed + remainder + oracle_err) * (1 + 0x1p-40);
  if (std::fabs(diff) <= tol) return;
  fail_case(fmt::format(
      "dx is not the gradient of the loss (label {}): L(x + d) - L(x - d) = {:.17g} (MPFR) but "
      "2 <dx, d> = {:.17g}; |diff| {:.4g} > {:.4g} = 2 sum bound_i |d_i| ({:.4g}) + w^3/12 "
      "({:.4g}, w = {:.4g}) + oracle {:.3g}\n  d = {}\n  dx = {}\n  dx bound: {}\n  {}",
      k, oracle::to_double(central), oracle::to_double(slope), std::fabs(diff), tol, allowed,
      remainder, w, oracle_err, hex_list(d), hex_list(dx), o.bound.dx.derivation,
      describe_case(cs)));
}

// Saturation: raise the label's logit to max_{i != label} x_i + m for margins m = 1/4, 1/2, ..., up
// to twice the point where every other exp underflows (ln(2 / denorm_min) + ln n in the accum
// format). Exactly, loss and every |dx_j| fall strictly as m grows; the kernel's values may only
// rise by the two bounds, and at the last margin they are 0 within the bound.
void check_saturation(const PropertyContext& ctx) {
  const Contract& c = ctx.kernel.contract;
  GenSpec spec = gen_spec_for(c, std::min<std::size_t>(ctx.max_cols, 256));
  spec.masks = false;
  const Batch x0 = *gen_batch(spec);
  RC_PRE(x0.cols >= 2);
  const std::size_t n = x0.cols;
  const std::size_t k = *uniform<std::size_t>(0, n);
  double rest = -kInf;
  for (std::size_t j = 0; j < n; ++j)
    if (j != k) rest = std::max(rest, x0.x[j]);
  const double underflow =
      (1 - std::ilogb(denorm_min(c.accum))) * std::numbers::ln2 + std::log(static_cast<double>(n));
  Case cs;
  cs.b = x0;
  cs.b.x.clear();
  std::vector<double> margins;
  for (double m = 0.25; m < 4 * underflow; m *= 2) margins.push_back(m);
  for (double m : margins) {
    std::vector<double> row = x0.x;
    row[k] = round_to(c.dtype, rest + m);
    RC_PRE(std::isfinite(row[k]) && in_domain(c, row));
    cs.b.x.insert(cs.b.x.end(), row.begin(), row.end());
    cs.labels.push_back(static_cast<int64_t>(k));
  }
  cs.b.rows = margins.size();
  RC_TAG(x0.family, length_class(n));
  const Outputs out = call_cross_entropy(ctx, cs);
  std::vector<RowOracle> o;
  for (std::size_t t = 0; t < margins.size(); ++t) o.push_back(row_oracle(c, cs.b.row(t), k));
  const auto fail = [&](std::size_t t, const std::string& what) {
    fail_case(fmt::format(
        "saturation, label {} raised to max(others) + m: {} (margin m = {} -> x_label = {})\n  "
        "loss bound: {}\n  dx bound: {}\n  base {}",
        k, what, margins[t], hex(cs.b.x[t * n + k]), o[t].bound.loss_derivation,
        o[t].bound.dx.derivation, describe_batch(x0)));
  };
  for (std::size_t t = 1; t < margins.size(); ++t) {
    const double l0 = out.loss.get(t - 1), l1 = out.loss.get(t);
    const double slack = o[t - 1].bound.loss_abs + o[t].bound.loss_abs;
    if (!(l1 <= l0 + slack))
      fail(t, fmt::format("loss rose from {} ({:.9g}) at margin {} to {} ({:.9g}), more than the "
                          "two bounds {:.4g}",
                          hex(l0), l0, margins[t - 1], hex(l1), l1, slack));
    for (std::size_t j = 0; j < n; ++j) {
      const double g0 = std::fabs(out.y.get((t - 1) * n + j)), g1 = std::fabs(out.y.get(t * n + j));
      const double s = o[t - 1].bound.dx.abs[j] + o[t].bound.dx.abs[j];
      if (!(g1 <= g0 + s))
        fail(t, fmt::format("|dx[{}]| rose from {} at margin {} to {}, more than the two bounds "
                            "{:.4g}",
                            j, hex(g0), margins[t - 1], hex(g1), s));
    }
  }
  const std::size_t last = margins.size() - 1;
  const double loss_end = out.loss.get(last);
  if (!(std::fabs(loss_end) <= o[last].loss + o[last].bound.loss_abs))
    fail(last, fmt::format("loss {} at the last margin is not 0 within the bound (exact {:.4g}, "
                           "bound {:.4g})",
                           hex(loss_end), o[last].loss, o[last].bound.loss_abs));
  for (std::size_t j = 0; j < n; ++j) {
    const double g = std::fabs(out.y.get(last * n + j));
    const double exact = std::fabs(o[last].dx.exact_d[j]);
    if (!(g <= exact + o[last].bound.dx.abs[j]))
      fail(last, fmt::format("dx[{}] = {} at the last margin is not 0 within the bound (exact "
                             "{:.4g}, bound {:.4g})",
                             j, hex(out.y.get(last * n + j)), exact, o[last].bound.dx.abs[j]));
  }
}

const Property kCrossEntropyProperties[] = {
    {"cross_entropy_dx_accuracy",
     "dx = softmax(x) - onehot(label) within the softmax bound (+ one rounding at the label) of "
     "the MPFR oracle",
     has_bound, check_dx_accuracy},
    {"cross_entropy_dx_sum_zero", "sum(dx) = 0 within the sum of the componentwise bounds",
     has_bound, check_dx_sum_zero},
    {"cross_entropy_dx_label_range", "dx[label] in [-1, 0], every other dx_j in [0, 1]",
     is_cross_entropy, check_dx_range},
    {"cross_entropy_loss_accuracy",
     "loss within [2 loss + h + S + 2E + 2E_log log s] u of the MPFR oracle", has_bound,
     check_loss_accuracy},
    {"cross_entropy_directional_derivative",
     "2 <dx, d> matches the MPFR central difference L(x + d) - L(x - d) of the exact loss",
     has_bound, check_directional_derivative},
    {"cross_entropy_saturation",
     "as the label's margin grows, loss and |dx| fall monotonically (within the bounds) to 0",
     has_bound, check_saturation},
};

}  // namespace

std::span<const Property> cross_entropy_catalogue() { return kCrossEntropyProperties; }

}  // namespace softcheck
