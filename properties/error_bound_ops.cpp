// Derivations, first order in u = u(accum), E = exp_ulps, E_log = log_ulps (one ulp is at most 2u
// relative, so an E-ulp exp has relative error <= 2E u), h = summation height (error-model.md: n
// may be replaced by the height of the kernel's actual tree). BHH = Blanchard, Higham & Higham,
// "Accurately computing the log-sum-exp and softmax functions", IMA J. Numer. Anal. 41(4), 2021.
// ASNA = Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed., SIAM 2002.
//
// Log-softmax, max-shifted l_j = (x_j - a) - log s, s = sum_i exp(x_i - a) (BHH sec. 3-4):
//   d_j = fl(x_j - a)                          abs error |x_j - a| u <= |l_j| u (log s >= 0)
//   exp(fl(x_i - a))                           rel error (|x_i - a| + 2E) u
//   s^ = s (1 + theta), |theta| <= (h + 2E + S) u, S = sum_i p_i |x_i - a| <= Delta
//   log s^ = log s + theta (abs), plus the log's own 2 E_log u log s
//   fl(d_j - log s^)                           abs error |l_j| u
// so K_j = 2|l_j| + h + S + 2E + 2E_log log s: error-model.md's [2|l_j| + (n - 1) + Delta] u with
// the exp and log errors explicit. Naive l_j = x_j - log sum exp(x_i) (no shift to round):
//   K_j = |l_j| + h + 2E + 2E_log |lse|.
// Exps that underflow lose at most (E + 1) denorm_min each, n of them, relative to s >= 1 (shifted)
// or s >= exp(a) (naive): an absolute floor. A narrower storage format adds half an ulp of |l_j|.
// (The same derivation as reports/log_softmax_bound.cpp, which predates this catalogue.)
//
// Cross-entropy loss = log s + fl(a - x_label) = -l_label: the same roundings in another order
// (fl(a - x_label) is the shift, the final addition the final subtraction), so its bound is the
// log-softmax bound of the label's entry with |l_label| = loss. Its gradient dx_j = p_j (j !=
// label) is the softmax bound (softmax_row_bound); dx_label = fl(p^_label - 1) adds one rounding,
// u (|dx_label| + bound_label).
//
// Temperature softmax computed as exp(t_j) / sum exp(t_i), t_j = fl(fl(x_j - a) / tau) (shift
// first, then divide: impl/ops/softmax_temp.cpp): each argument carries two roundings, so
// |t^_j - t_j| <= (2 + 2^-28) |t_j| u (f32: the quotient formed in f64 and rounded to f32 adds
// 2^-29 u). That is the max-shifted softmax analysis (BHH Thm 4.3) with the shift's rounding
// |x_j - a| u replaced by (2 + 2^-28) |t_j| u and S by (2 + 2^-28) sum p_i |t_i|: exactly
// softmax_row_bound applied to the row w = (2 + 2^-28) (x - a) / tau. A kernel that divides first
// and shifts after rounds more (|z_j| + |a / tau| + |t_j|, z = x / tau): not covered.
//
// Backward dx_j = y_j (dy_j - dot), dot = sum_i dy_i y_i accumulated in a tree of height h
// (ASNA sec. 3.1: each product rounded once, then at most h additions on its path):
//   |dot^ - dot| <= gamma_{h+1} S_dot,  S_dot = sum_i |dy_i y_i|
//   t^ = fl(dy_j - dot^), dx^_j = fl(y_j t^):
//   |dx^_j - dx_j| <= |y_j| (gamma_{h+1} S_dot (1 + u)^2 + (2u + u^2) |t_j|)
//                  <= |y_j| (gamma_{h+3} S_dot + gamma_2 |t_j|),   t_j = dy_j - dot.
// Products in the subnormal range lose up to half a denorm_min each (n in the dot product, scaled
// by |y_j| <= 1, one in y_j t^): floor |y_j| n dmin + dmin.
#include "properties/error_bound_ops.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace softcheck {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

bool narrower_out(const Contract& c) {
  return format_of(c.dtype).precision < format_of(c.accum).precision;
}

double subnormal_unit(const Contract& c) {
  return c.flushes_subnormals ? min_normal(c.accum) : denorm_min(c.accum);
}

// The quantities of a row shared by the log-domain bounds (double is ample for a tolerance).
using LogRow = LogSoftmaxBoundRow;

LogRow log_row(const Contract& c, std::span<const double> x) {
  LogRow r;
  r.n = x.size();
  r.a = finite_max(x);
  r.delta = r.a - finite_min(x);
  for (double v : x)
    if (std::isfinite(v)) r.s += std::exp(v - r.a);
  for (double v : x)
    if (std::isfinite(v)) r.s_weighted += std::exp(v - r.a) / r.s * (r.a - v);
  r.log_s = std::log(r.s);
  r.h = summation_height(c, r.n);
  r.naive = c.algorithm == Algorithm::naive;
  const double sum_floor = r.naive ? std::min(1.0, std::exp(r.a)) : 1.0;
  r.underflow = static_cast<double>(r.n) * (c.exp_ulps + 1) * subnormal_unit(c) / sum_floor;
  return r;
}

// K for a log-probability of magnitude l_abs (a log-softmax entry, or the loss = -l_label).
double log_prob_factor(const Contract& c, const LogRow& r, double l_abs) {
  const double rho = 2 * c.exp_ulps, rho_log = 2 * c.log_ulps;
  if (r.naive) return l_abs + r.h + rho + rho_log * std::fabs(r.a + r.log_s);
  return 2 * l_abs + r.h + r.s_weighted + rho + rho_log * r.log_s;
}

double log_prob_abs(const Contract& c, const LogRow& r, double k, double l_abs) {
  double e = gamma_bound(k, unit_roundoff(c.accum)) + r.underflow;
  if (narrower_out(c) && std::isfinite(e)) e += 0.5 * ulp(c.dtype, l_abs + e);
  return e;
}

std::string log_prob_derivation(const Contract& c, const LogRow& r, std::string_view what) {
  return fmt::format(
      "{} {} {}: K = {}; h = {} ({} summation, n = {}), E_exp = {}, E_log = {}, Delta = {:.6g}, "
      "S = sum p_i (max - x_i) = {:.6g}, log s = {:.6g}; bound = gamma(K) + {:.3g}{} "
      "(properties/error_bound_ops.cpp)",
      what, name_of(c.algorithm), name_of(c.accum),
      r.naive ? "|l| + h + 2E_exp + 2E_log |log sum exp x|"
              : "2|l| + h + S + 2E_exp + 2E_log log s (error-model.md: [2|l| + (n-1) + Delta] u)",
      r.h, name_of(c.summation), r.n, c.exp_ulps, c.log_ulps, r.delta, r.s_weighted, r.log_s,
      r.underflow,
      narrower_out(c) ? fmt::format(" + 0.5 ulp_{}", name_of(c.dtype)) : std::string());
}

bool log_form_supported(Algorithm a) {
  return a == Algorithm::shifted || a == Algorithm::two_pass || a == Algorithm::naive;
}

}  // namespace

std::optional<std::string> op_bound_unsupported(const Contract& c) {
  switch (c.op) {
    case Op::softmax:
    case Op::softmax_backward:
      return std::nullopt;
    case Op::log_softmax:
    case Op::cross_entropy:
      if (log_form_supported(c.algorithm)) return std::nullopt;
      return fmt::format(
          "no {} error bound for algorithm '{}' (shifted, two_pass and naive are "
          "derived in properties/error_bound_ops.cpp)",
          name_of(c.op), name_of(c.algorithm));
    case Op::softmax_temp:
      if (c.algorithm == Algorithm::shifted || c.algorithm == Algorithm::two_pass ||
          c.algorithm == Algorithm::online)
        return std::nullopt;
      return fmt::format(
          "no softmax_temp error bound for algorithm '{}' (the max-shifted forms "
          "are derived in properties/error_bound_ops.cpp)",
          name_of(c.algorithm));
  }
  return "unknown op";
}

LogSoftmaxBoundRow log_softmax_bound_row(const Contract& c, std::span<const double> x) {
  return log_row(c, x);
}

RowBound log_softmax_bound_range(const Contract& c, const LogSoftmaxBoundRow& r,
                                 std::span<const double> x, std::span<const double> l_exact) {
  RowBound b;
  b.abs.assign(x.size(), 0);
  b.factor.assign(x.size(), 0);
  for (std::size_t j = 0; j < x.size(); ++j) {
    if (!std::isfinite(x[j])) continue;  // -inf: exactly -inf required
    const double l = std::fabs(l_exact[j]);
    b.factor[j] = log_prob_factor(c, r, l);
    b.abs[j] = log_prob_abs(c, r, b.factor[j], l);
    b.sum_abs += b.abs[j];
  }
  b.derivation = log_prob_derivation(c, r, "log_softmax");
  return b;
}

RowBound log_softmax_row_bound(const Contract& c, std::span<const double> x,
                               std::span<const double> l_exact) {
  return log_softmax_bound_range(c, log_row(c, x), x, l_exact);
}

RowBound softmax_temp_row_bound(const Contract& c, std::span<const double> x, double tau,
                                std::span<const double> p_exact) {
  constexpr double kArgRoundings = 2 + 0x1p-28;
  const double a = finite_max(x);
  std::vector<double> w(x.begin(), x.end());
  for (double& v : w)
    if (std::isfinite(v)) {
      // -DBL_MAX rather than -inf where the scaled argument overflows: the exact output is then
      // ~0 but not a mask, so it keeps the floor instead of a bound of 0.
      v = std::max(kArgRoundings * ((v - a) / tau), -std::numeric_limits<double>::max());
    }
  RowBound b = softmax_row_bound(c, w, p_exact);
  b.derivation = fmt::format(
      "softmax_temp, tau = {}: the softmax bound on w = (2 + 2^-28)(x - max)/tau (each argument "
      "rounded twice: x_j - max, then / tau; properties/error_bound_ops.cpp): {}",
      hex(tau), b.derivation);
  return b;
}

RowBound softmax_backward_row_bound(const Contract& c, std::span<const double> y,
                                    std::span<const double> dy) {
  const std::size_t n = y.size();
  const double u = unit_roundoff(c.accum);
  const double h = summation_height(c, n);
  const double dmin = subnormal_unit(c);
  double dot = 0, s_dot = 0;
  for (std::size_t i = 0; i < n; ++i) {
    dot += dy[i] * y[i];
    s_dot += std::fabs(dy[i] * y[i]);
  }
  const double g_dot = gamma_bound(h + 3, u), g2 = gamma_bound(2, u);
  RowBound b;
  b.abs.assign(n, 0);
  b.factor.assign(n, 0);
  for (std::size_t j = 0; j < n; ++j) {
    const double yj = std::fabs(y[j]);
    const double t = std::fabs(dy[j] - dot);
    double e = yj * (g_dot * s_dot + g2 * t + static_cast<double>(n) * dmin) + dmin;
    if (narrower_out(c) && std::isfinite(e)) e += 0.5 * ulp(c.dtype, yj * t + e);
    // In units of u of the element's magnitude |y_j| (S_dot + |t_j|), for reports.
    b.factor[j] = yj * (s_dot + t) > 0 ? e / (u * yj * (s_dot + t)) : 0;
    b.abs[j] = e;
    b.sum_abs += e;
  }
  b.derivation = fmt::format(
      "softmax_backward {}: bound_j = |y_j| (gamma(h + 3) S_dot + gamma(2) |dy_j - <dy, y>|) + "
      "|y_j| n dmin + dmin; h = {} ({} summation, n = {}), S_dot = sum |dy_i y_i| = {:.6g}, "
      "<dy, y> ~ {:.6g}{} (ASNA sec. 3.1; properties/error_bound_ops.cpp)",
      name_of(c.accum), h, name_of(c.summation), n, s_dot, dot,
      narrower_out(c) ? fmt::format(" + 0.5 ulp_{}", name_of(c.dtype)) : std::string());
  return b;
}

CrossEntropyBound cross_entropy_row_bound(const Contract& c, std::span<const double> x,
                                          std::size_t label, std::span<const double> p_exact,
                                          double loss_exact) {
  CrossEntropyBound b;
  b.dx = softmax_row_bound(c, x, p_exact);
  const double u = unit_roundoff(c.accum);
  // dx_label = fl(p^_label - 1): one more rounding of a value of magnitude <= |dx| + bound.
  const double dx_label = 1 - std::fabs(p_exact[label]);
  double& e = b.dx.abs[label];
  e += u * (dx_label + e);
  if (narrower_out(c) && std::isfinite(e)) e += 0.5 * ulp(c.dtype, dx_label + e);
  b.dx.sum_abs = 0;
  for (double v : b.dx.abs) b.dx.sum_abs += v;
  b.dx.derivation = fmt::format(
      "cross_entropy dx: softmax bound, plus u (|dx_label| + bound) for "
      "p_label - 1 at label {}; {}",
      label, b.dx.derivation);

  const LogRow r = log_row(c, x);
  const double k = log_prob_factor(c, r, std::fabs(loss_exact));
  b.loss_abs = log_prob_abs(c, r, k, std::fabs(loss_exact));
  b.loss_derivation =
      fmt::format("K = {:.6g}; ", k) + log_prob_derivation(c, r, "cross_entropy loss (= -l_label)");
  return b;
}

}  // namespace softcheck
