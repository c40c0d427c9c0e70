// The softmax backward property catalogue (issue 4). dx = y * (dy - <dy, y>) is J dy with
// J = diag(y) - y y^T, the softmax Jacobian (the Hessian of log-sum-exp); its exact facts
// (error-model.md) checked through the kernel: J 1 = 0 (backward(dy = 1) = 0), PSD
// (<v, backward(v)> >= 0), symmetric (<u, backward(v)> = <backward(u), v>), sum(dx) = 0, dx
// unchanged by dy + c 1, and the accuracy against the MPFR oracle.
//
// y is a real softmax output: the oracle softmax of generated logits rounded once to the kernel's
// format, so it sums to 1 only within rounding. Every identity is therefore checked against its
// exact value for the y the kernel received (e.g. J 1 = y (1 - sum y), not 0), and the kernel's
// error bound (error_bound_ops.hpp) is the only tolerance.
#include <fmt/format.h>
#include <rapidcheck.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "oracles/gradient.hpp"
#include "properties/error_bound_ops.hpp"
#include "properties/property.hpp"
#include "properties/reference.hpp"
#include "properties/softmax_support.hpp"

namespace softcheck {
namespace {

bool is_backward(const Contract& c) { return c.op == Op::softmax_backward; }

// Building y takes an oracle softmax per row; this many columns keep a case in milliseconds.
constexpr std::size_t kOracleCols = 4096;

template <class T>
rc::Gen<T> uniform(T lo, T hi) {  // [lo, hi), whatever RapidCheck's size ramp is at
  return rc::gen::resize(100, rc::gen::inRange<T>(lo, hi));
}

struct Case {
  Batch logits;           // what y was made from (for the report)
  std::vector<double> y;  // rows x cols, the forward output given to the kernel
  std::size_t rows = 1, cols = 1;
  DType dtype = DType::f32;
  std::span<const double> y_row(std::size_t r) const { return {y.data() + r * cols, cols}; }
};

// Upstream gradients: scaled normals, N(0, 1) 2^e with e in [-10, 10], a quarter of them on top
// of a common offset up to 2^12 times larger (dy_j - <dy, y> then cancels), rounded to the format.
std::vector<double> draw_dy(std::size_t count, DType t) {
  std::mt19937_64 rng(*rc::gen::noShrink(rc::gen::resize(100, rc::gen::arbitrary<uint64_t>())));
  std::normal_distribution<double> normal;
  const double scale = std::ldexp(1.0, *uniform(-10, 11));
  const bool offset = *uniform(0, 4) == 0;
  const double c = offset ? scale * std::ldexp(1.0, *uniform(0, 13)) * (rng() % 2 ? 1 : -1) : 0.0;
  std::vector<double> dy(count);
  for (double& v : dy) v = round_to(t, c + scale * normal(rng));
  return dy;
}

Case draw_case(const PropertyContext& ctx, std::size_t max_rows) {
  const Contract& k = ctx.kernel.contract;
  GenSpec spec = gen_spec_for(k, std::min(ctx.max_cols, kOracleCols));
  spec.max_rows = max_rows;
  Case cs;
  cs.logits = *gen_batch(spec);
  cs.rows = cs.logits.rows;
  cs.cols = cs.logits.cols;
  cs.dtype = k.dtype;
  bool masked = false;
  for (std::size_t r = 0; r < cs.rows; ++r) {
    const auto x = cs.logits.row(r);
    RC_PRE(!all_neg_inf(x));
    masked = masked || has_neg_inf(x);
    const RowReference p = softmax_reference(x, k.dtype);
    cs.y.insert(cs.y.end(), p.rounded.begin(), p.rounded.end());
  }
  RC_TAG(cs.logits.family, length_class(cs.cols), masked ? "y with zeros" : "y > 0");
  return cs;
}

std::string describe_case(const Case& cs, std::span<const double> dy) {
  std::string s = fmt::format(
      "input: {} y (softmax of the logits below, rounded once) and dy, "
      "rows={} cols={}",
      name_of(cs.dtype), cs.rows, cs.cols);
  for (std::size_t r = 0; r < cs.rows; ++r)
    s += fmt::format("\n    y[{}] = {}\n    dy[{}] = {}", r, hex_list(cs.y_row(r)), r,
                     hex_list(dy.subspan(r * cs.cols, cs.cols)));
  return s + "\n  logits " + describe_batch(cs.logits);
}

// backward(y, dy) for `rows` rows; y given whole (repeat it to pair one y with several dy).
std::vector<double> call_backward(const PropertyContext& ctx, const Case& cs,
                                  std::span<const double> y, std::span<const double> dy) {
  Call call;
  call.op = Op::softmax_backward;
  call.dtype = cs.dtype;
  call.rows = y.size() / cs.cols;
  call.cols = cs.cols;
  call.a = Buffer::from_values(cs.dtype, y);
  call.b = Buffer::from_values(cs.dtype, dy);
  CallResult r = ctx.invoker.call(ctx.kernel, call);
  if (!r.ok())
    fail_case(fmt::format("kernel call failed: {}: {}\n  {}", name_of(r.status), r.reason,
                          describe_case(cs, dy)));
  return r.out.y.values();
}

std::vector<double> repeat(std::span<const double> v, std::size_t times) {
  std::vector<double> out;
  for (std::size_t i = 0; i < times; ++i) out.insert(out.end(), v.begin(), v.end());
  return out;
}

RowReference backward_reference(std::span<const double> y, std::span<const double> dy, DType out) {
  return make_reference(oracle::softmax_backward(y, dy, oracle::working_bits(out, y.size())), out);
}

// Compares each row of dx with the oracle for (y, dy) within the bound.
void require_accurate(const PropertyContext& ctx, const Case& cs, std::span<const double> dy,
                      std::span<const double> dx, const std::string& what) {
  const Contract& c = ctx.kernel.contract;
  for (std::size_t r = 0; r < cs.rows; ++r) {
    const auto y = cs.y_row(r);
    const auto dyr = dy.subspan(r * cs.cols, cs.cols);
    const RowReference ref = backward_reference(y, dyr, c.dtype);
    const RowBound bound = softmax_backward_row_bound(c, y, dyr);
    // The report prints the logits y came from; y and dy follow the derivation.
    require_within_bounds(cs.logits, r, dx.subspan(r * cs.cols, cs.cols), ref, bound.abs, c.dtype,
                          fmt::format("{}{}\n  y[{}] = {}\n  dy[{}] = {}", what, bound.derivation,
                                      r, hex_list(y), r, hex_list(dyr)));
  }
}

void check_accuracy(const PropertyContext& ctx) {
  const Case cs = draw_case(ctx, 3);
  const std::vector<double> dy = draw_dy(cs.y.size(), cs.dtype);
  require_accurate(ctx, cs, dy, call_backward(ctx, cs, cs.y, dy), "");
}

// dy = c 1: exactly dx = c y (1 - sum y), which is 0 up to the rounding of y; a kernel that drops
// the y weighting of the dot product returns c y (1 - n) instead.
void check_null_direction(const PropertyContext& ctx) {
  const Case cs = draw_case(ctx, 3);
  const double c = *rc::gen::weightedOneOf<double>(
      {{3, rc::gen::just(1.0)},
       {2, rc::gen::map(uniform(-20, 21), [](int e) { return std::ldexp(1.0, e); })},
       {1, rc::gen::just(-3.0)}});
  RC_TAG(c == 1 ? "dy = 1" : "dy = c 1");
  const std::vector<double> dy(cs.y.size(), round_to(cs.dtype, c));
  require_accurate(
      ctx, cs, dy, call_backward(ctx, cs, cs.y, dy),
      fmt::format("backward(dy = {} 1) must be c y (1 - sum y) ~ 0 (J 1 = 0); ", hex(c)));
}

double exact_dot_d(std::span<const double> a, std::span<const double> b) {
  return oracle::to_double(oracle::exact_dot(a, b));
}

// v^T J v = sum y v^2 - (sum y v)^2 >= -(sum y - 1)+ sum y v^2 by Cauchy-Schwarz with weights
// y >= 0 (= Var_y(v) >= 0 when y sums to 1); the kernel may lose sum |v_j| bound_j more.
void check_psd(const PropertyContext& ctx) {
  const Case cs = draw_case(ctx, 1);
  const std::vector<double> v = draw_dy(cs.cols, cs.dtype);
  const std::vector<double> dx = call_backward(ctx, cs, cs.y, v);
  const RowBound bound = softmax_backward_row_bound(ctx.kernel.contract, cs.y, v);
  const double q = exact_dot_d(v, dx);
  const double excess = std::max(0.0, oracle::to_double(oracle::exact_sum(cs.y)) - 1);
  double yv2 = 0, kernel = 0;
  for (std::size_t j = 0; j < cs.cols; ++j) {
    yv2 += cs.y[j] * v[j] * v[j];
    kernel += std::fabs(v[j]) * bound.abs[j];
  }
  const double tol = (excess * yv2 + kernel) * (1 + 0x1p-40);
  if (q >= -tol) return;
  fail_case(fmt::format(
      "<v, backward(v)> = {:.9g} < -{:.4g}: J = diag(y) - y y^T is positive semidefinite "
      "(allowed: (sum y - 1)+ sum y v^2 = {:.4g} plus sum |v_j| bound_j = {:.4g})\n  bound: {}\n  "
      "dx = {}\n  {}",
      q, tol, excess * yv2, kernel, bound.derivation, hex_list(dx), describe_case(cs, v)));
}

// <u, J v> = <J u, v> exactly for the symmetric J of any y; u and v go through the kernel as two
// rows sharing y, and both dots are exact.
void check_symmetry(const PropertyContext& ctx) {
  const Case cs = draw_case(ctx, 1);
  const std::size_t n = cs.cols;
  const std::vector<double> uv = draw_dy(2 * n, cs.dtype);
  const std::span<const double> u(uv.data(), n), v(uv.data() + n, n);
  const std::vector<double> dx = call_backward(ctx, cs, repeat(cs.y, 2), uv);
  const std::span<const double> ju(dx.data(), n), jv(dx.data() + n, n);
  const RowBound bu = softmax_backward_row_bound(ctx.kernel.contract, cs.y, u);
  const RowBound bv = softmax_backward_row_bound(ctx.kernel.contract, cs.y, v);
  // <u, Jv> - <Ju, v> as one exact dot product of (u, -Ju) with (Jv, v).
  std::vector<double> left(u.begin(), u.end()), right(jv.begin(), jv.end());
  for (double w : ju) left.push_back(-w);
  right.insert(right.end(), v.begin(), v.end());
  const double diff = exact_dot_d(left, right);
  double tol = 0;
  for (std::size_t j = 0; j < n; ++j)
    tol += std::fabs(u[j]) * bv.abs[j] + std::fabs(v[j]) * bu.abs[j];
  tol *= 1 + 0x1p-40;
  if (std::fabs(diff) <= tol) return;
  fail_case(fmt::format(
      "<u, backward(v)> - <backward(u), v> = {:.6g} exceeds {:.4g} = sum |u_j| bound_j(v) + "
      "sum |v_j| bound_j(u) (J is symmetric)\n  <u, Jv> = {:.17g}, <Ju, v> = {:.17g}\n  bound: "
      "{}\n  "
      "u = dy[0], v = dy[1]; Ju = {}\n  Jv = {}\n  {}",
      diff, tol, exact_dot_d(u, jv), exact_dot_d(ju, v), bv.derivation, hex_list(ju), hex_list(jv),
      describe_case(cs, uv)));
}

// sum_j dx_j = <dy, y> (1 - sum y) exactly (0 when y sums to 1).
void check_sum_zero(const PropertyContext& ctx) {
  const Case cs = draw_case(ctx, 3);
  const std::vector<double> dy = draw_dy(cs.y.size(), cs.dtype);
  const std::vector<double> dx = call_backward(ctx, cs, cs.y, dy);
  for (std::size_t r = 0; r < cs.rows; ++r) {
    const auto y = cs.y_row(r);
    const std::span<const double> dyr(dy.data() + r * cs.cols, cs.cols);
    const std::span<const double> dxr(dx.data() + r * cs.cols, cs.cols);
    // 1 - sum y is exact in double (Sterbenz: the sum is within a factor 2 of 1).
    const double expected = exact_dot_d(dyr, y) * (1 - oracle::to_double(oracle::exact_sum(y)));
    const double sum = oracle::to_double(oracle::exact_sum(dxr));
    const RowBound bound = softmax_backward_row_bound(ctx.kernel.contract, y, dyr);
    const double tol = bound.sum_abs + 0x1p-50 * (std::fabs(expected) + std::fabs(sum));
    if (std::fabs(sum - expected) <= tol) continue;
    fail_case(fmt::format(
        "row {}: sum(dx) = {} ({:.6g}) but exactly <dy, y> (1 - sum y) = {:.6g}; |diff| {:.4g} > "
        "{:.4g} (sum of the componentwise bounds)\n  bound: {}\n  dx = {}\n  {}",
        r, hex(sum), sum, expected, std::fabs(sum - expected), tol, bound.derivation, hex_list(dxr),
        describe_case(cs, dy)));
  }
}

// dy and dy + c 1 (c chosen so every dy_j + c is exact): the exact dx differ by c y (1 - sum y);
// the kernel's may differ by that plus both bounds.
void check_shift_invariance(const PropertyContext& ctx) {
  const Contract& k = ctx.kernel.contract;
  const Case cs = draw_case(ctx, 1);
  Batch dy;
  dy.dtype = cs.dtype;
  dy.cols = cs.cols;
  dy.x = draw_dy(cs.cols, cs.dtype);
  double top = 0;
  for (double v : dy.x) top = std::max(top, std::fabs(v));
  RC_PRE(top > 0);
  // dy on a grid of 2^-10 of its largest entry, so that dy + c stays exact for c up to 2^8 times
  // that entry (at most 20 significant bits).
  const double grid = std::ldexp(1.0, std::ilogb(top) - 10);
  for (double& v : dy.x) v = round_to(cs.dtype, std::nearbyint(v / grid) * grid);
  const int e = std::ilogb(top) + *uniform(-3, 9);
  const auto c = exact_shift(dy, k, *rc::gen::element(1.0, -1.0) * std::ldexp(1.0, e));
  RC_PRE(c.has_value());
  std::vector<double> both = dy.x;
  for (double v : dy.x) both.push_back(v + *c);
  const std::vector<double> dx = call_backward(ctx, cs, repeat(cs.y, 2), both);
  const std::span<const double> dy1(both.data() + cs.cols, cs.cols);
  const RowReference e0 = backward_reference(cs.y, dy.x, k.dtype);
  const RowReference e1 = backward_reference(cs.y, dy1, k.dtype);
  const RowBound b0 = softmax_backward_row_bound(k, cs.y, dy.x);
  const RowBound b1 = softmax_backward_row_bound(k, cs.y, dy1);
  for (std::size_t j = 0; j < cs.cols; ++j) {
    const double d0 = dx[j], d1 = dx[cs.cols + j];
    // (d1 - d0) - (e1 - e0), formed exactly from the doubles.
    const std::vector<double> terms{d1, -d0, -e1.exact_d[j], e0.exact_d[j]};
    const double off = oracle::to_double(oracle::exact_sum(terms));
    const double tol =
        b0.abs[j] + b1.abs[j] + 0x1p-52 * (std::fabs(e0.exact_d[j]) + std::fabs(e1.exact_d[j]));
    if (std::fabs(off) <= tol) continue;
    fail_case(fmt::format(
        "dy + c 1 with c = {} changed dx[{}] from {} to {}; exactly it moves by c y_j (1 - sum y) "
        "= {:.6g}; off by {:.4g} > {:.4g} (both bounds)\n  bound: {}\n  {}",
        hex(*c), j, hex(d0), hex(d1), e1.exact_d[j] - e0.exact_d[j], off, tol, b0.derivation,
        describe_case(cs, both)));
  }
}

const Property kBackwardProperties[] = {
    {"backward_accuracy",
     "dx within |y_j| (gamma(h + 3) sum |dy_i y_i| + gamma(2) |dy_j - <dy, y>|) of the MPFR oracle",
     is_backward, check_accuracy},
    {"backward_null_direction",
     "backward(dy = c 1) = c y (1 - sum y) ~ 0 within the bound (J 1 = 0)", is_backward,
     check_null_direction},
    {"backward_psd", "<v, backward(v)> >= -tol: J = diag(y) - y y^T is positive semidefinite",
     is_backward, check_psd},
    {"backward_symmetry", "<u, backward(v)> = <backward(u), v> within both bounds", is_backward,
     check_symmetry},
    {"backward_sum_zero", "sum(dx) = <dy, y> (1 - sum y) ~ 0 within the sum of the bounds",
     is_backward, check_sum_zero},
    {"backward_shift_invariance", "dx unchanged (within the bounds) by dy + c 1", is_backward,
     check_shift_invariance},
};

}  // namespace

std::span<const Property> backward_catalogue() { return kBackwardProperties; }

}  // namespace softcheck
