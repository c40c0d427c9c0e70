// Derivation (first order in u = u(accum); docs/error-model.md, BHH = Blanchard, Higham & Higham,
// "Accurately computing the log-sum-exp and softmax functions", IMA J. Numer. Anal. 2021, sec. 3-4):
//
// Max-shifted form l_j = (x_j - a) - log s, s = sum_i exp(x_i - a), a = max x:
//   d_j = fl(x_j - a)                          abs error |x_j - a| u <= |l_j| u (log s >= 0)
//   each term exp(fl(x_i - a))                  rel error (|x_i - a| + 2E) u
//   s^ = s (1 + theta), |theta| <= (h + 2E + S) u, S = sum_i p_i |x_i - a| <= Delta, h the height
//        of the summation tree (error-model.md: n may be replaced by it)
//   log s^ = log s + theta, then the log's own error 2 E_log u |log s|
//   l^_j = fl(d_j - log s^)                     abs error |l_j| u
// so |l^_j - l_j| <= K_j u with K_j = 2 |l_j| + h + S + 2E + 2E_log log s, the componentwise form of
// error-model.md's [2 |l_j| + (n - 1) + Delta] u with the exp and log errors made explicit.
// Naive form l_j = x_j - log sum exp(x_i) (no shift, no rounding of x_j - a):
//   K_j = |l_j| + h + 2E + 2E_log |log s|.
// Exps that underflow lose at most (E + 1) denorm_min each (n of them, relative to s >= 1 for the
// shifted form, to s >= exp(a) for the naive one); a narrower storage format adds its final rounding,
// half an ulp of |l_j|.
#include "reports/log_softmax_bound.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace softcheck::reports {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double gamma(double k, double u) { return k * u < 1 ? k * u / (1 - k * u) : kInf; }

}  // namespace

std::optional<std::string> log_softmax_bound_unsupported(const Contract& c) {
  switch (c.algorithm) {
    case Algorithm::shifted:
    case Algorithm::two_pass:
    case Algorithm::naive:
      return std::nullopt;
    case Algorithm::online:
    case Algorithm::division_free:
      break;
  }
  return fmt::format("no log-softmax error bound for algorithm '{}' yet (shifted, two_pass and naive "
                     "are derived in reports/log_softmax_bound.cpp)",
                     name_of(c.algorithm));
}

RowBound log_softmax_row_bound(const Contract& c, std::span<const double> x,
                               std::span<const double> l_exact) {
  const std::size_t n = x.size();
  const double u = unit_roundoff(c.accum);
  const double h = summation_height(c, n);
  const double rho = 2 * c.exp_ulps, rho_log = 2 * c.log_ulps;
  double a = -kInf, lo = kInf;
  for (double v : x)
    if (std::isfinite(v)) a = std::max(a, v), lo = std::min(lo, v);
  // s = sum exp(x_i - a) and S = sum p_i (a - x_i), in double: ample for a tolerance.
  double s = 0, s_weighted = 0;
  for (double v : x)
    if (std::isfinite(v)) s += std::exp(v - a);
  for (double v : x)
    if (std::isfinite(v)) s_weighted += std::exp(v - a) / s * (a - v);
  const double log_s = std::log(s);
  const bool naive = c.algorithm == Algorithm::naive;
  const double dmin = c.flushes_subnormals ? min_normal(c.accum) : denorm_min(c.accum);
  // Underflowed exps, relative to the sum: s >= 1 shifted, sum exp(x_i) >= exp(a) naive.
  const double sum_floor = naive ? std::min(1.0, std::exp(a)) : 1.0;
  const double underflow = static_cast<double>(n) * (c.exp_ulps + 1) * dmin / sum_floor;
  const bool narrower_out = format_of(c.dtype).precision < format_of(c.accum).precision;

  RowBound b;
  b.abs.assign(n, 0);
  b.factor.assign(n, 0);
  for (std::size_t j = 0; j < n; ++j) {
    if (!std::isfinite(x[j])) continue;  // -inf: exact -inf required
    const double l = std::fabs(l_exact[j]);
    const double k = naive ? l + h + rho + rho_log * std::fabs(a + log_s)
                           : 2 * l + h + s_weighted + rho + rho_log * log_s;
    b.factor[j] = k;
    double e = gamma(k, u) + underflow;
    if (narrower_out) e += 0.5 * ulp(c.dtype, l + e);
    b.abs[j] = e;
    b.sum_abs += e;
  }
  b.derivation = fmt::format(
      "log_softmax {} {}: K_j = {}; h = {} ({} summation, n = {}), E_exp = {}, E_log = {}, "
      "Delta = {:.6g}, S = {:.6g}, log s = {:.6g}; bound_j = gamma(K_j) + {:.3g}{} "
      "(reports/log_softmax_bound.cpp)",
      name_of(c.algorithm), name_of(c.accum),
      naive ? "|l_j| + h + 2E_exp + 2E_log |log sum exp x|"
            : "2|l_j| + h + S + 2E_exp + 2E_log log s (error-model.md: [2|l_j| + (n-1) + Delta] u)",
      h, name_of(c.summation), n, c.exp_ulps, c.log_ulps, a - lo, s_weighted, log_s, underflow,
      narrower_out ? fmt::format(" + 0.5 ulp_{}", name_of(c.dtype)) : std::string());
  return b;
}

}  // namespace softcheck::reports
