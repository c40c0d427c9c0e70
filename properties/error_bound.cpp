#include "properties/error_bound.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace softcheck {
namespace {

// Running-max rescales of an online kernel: each strict increase of the running max multiplies
// the partial sum by exp(m_old - m_new) (Milakov & Gimelshein 2018). Serial order: count the
// records; k lanes: records per lane plus the k-way merge.
double online_rescales(const Contract& c, std::span<const double> x) {
  const std::size_t k = c.summation == Summation::k_lane ? static_cast<std::size_t>(std::max(1, c.lanes)) : 1;
  double r = 0;
  for (std::size_t lane = 0; lane < k; ++lane) {
    double m = -std::numeric_limits<double>::infinity();
    bool seen = false;
    for (std::size_t j = lane; j < x.size(); j += k) {
      if (!std::isfinite(x[j])) continue;
      if (seen && x[j] > m) r += 1;
      if (!seen || x[j] > m) m = x[j];
      seen = true;
    }
  }
  return r + (k > 1 ? static_cast<double>(k) : 0);
}

}  // namespace

double finite_max(std::span<const double> x) {
  double m = -std::numeric_limits<double>::infinity();
  for (double v : x) if (std::isfinite(v)) m = std::max(m, v);
  return m;
}
double finite_min(std::span<const double> x) {
  double m = std::numeric_limits<double>::infinity();
  for (double v : x) if (std::isfinite(v)) m = std::min(m, v);
  return m;
}

double gamma_bound(double k, double u) {
  return k * u < 1 ? k * u / (1 - k * u) : std::numeric_limits<double>::infinity();
}

double summation_height(const Contract& c, std::size_t n) {
  const double nn = static_cast<double>(std::max<std::size_t>(n, 1));
  switch (c.summation) {
    case Summation::serial: return nn - 1;
    case Summation::pairwise: return std::ceil(std::log2(nn));
    case Summation::k_lane: {
      const double k = std::max(1, c.lanes);
      return std::ceil(nn / k) - 1 + std::ceil(std::log2(k));
    }
    case Summation::kahan: return 2 + nn * unit_roundoff(c.accum);  // 2u + O(n u^2)
  }
  return nn - 1;
}

void apply_algorithm_domain(Contract& c) {
  if (c.algorithm != Algorithm::naive) return;
  c.domain.max_lse = std::min(c.domain.max_lse, std::log(max_finite(c.accum)));
  c.domain.min_row_max = std::max(c.domain.min_row_max, std::log(min_normal(c.accum)));
}

bool in_domain(const Contract& c, std::span<const double> x) {
  const double m = finite_max(x);
  for (double v : x) {
    if (v == -std::numeric_limits<double>::infinity() && !c.domain.accepts_neg_inf) return false;
    if (std::isfinite(v) && v > c.domain.max_logit) return false;
  }
  if (std::isfinite(m) && m < c.domain.min_row_max) return false;
  if (std::isfinite(c.domain.max_lse) && std::isfinite(m)) {
    double s = 0;
    for (double v : x) if (std::isfinite(v)) s += std::exp(v - m);
    if (!(m + std::log(s) < c.domain.max_lse)) return false;
  }
  return true;
}

double softmax_weighted_shift(std::span<const double> x, std::span<const double> p_exact,
                              double a) {
  double s = 0;
  for (std::size_t i = 0; i < x.size(); ++i)
    if (std::isfinite(x[i]) && std::isfinite(p_exact[i])) s += p_exact[i] * (a - x[i]);
  return s;
}

SoftmaxBoundRow softmax_bound_row(const Contract& c, std::span<const double> x,
                                  double s_weighted) {
  SoftmaxBoundRow r;
  r.n = x.size();
  r.u = unit_roundoff(c.accum);
  r.h = summation_height(c, r.n);
  // exp with at most E ulps error has relative error <= 2 E u (one ulp is at most 2u relative).
  r.rho = 2 * c.exp_ulps;
  r.rho_log = 2 * c.log_ulps;
  r.a = finite_max(x);
  r.delta = r.a - finite_min(x);
  // S = sum_i p_i |x_i - a|: the p-weighted rounding of the shifted arguments inside the sum. It is
  // at most Delta (BHH Thm 4.3 uses Delta); the weighted form is the same derivation kept exact.
  r.s_weighted = s_weighted;
  // Relative error of the computed denominator: summation (gamma_h) + the exps in it.
  r.sum_rel = r.h + r.rho + s_weighted;
  r.lse = r.a + std::log(std::max(1.0, [&] {
            double s = 0;
            for (double v : x) if (std::isfinite(v)) s += std::exp(v - r.a);
            return s;
          }()));
  r.rescales = c.algorithm == Algorithm::online ? online_rescales(c, x) : 0;
  // Absolute floor for results in the subnormal range of accum: an exp that underflows is off by
  // at most E subnormal ulps, the final division rounds by half of one; for the naive form the sum
  // can be below 1 (>= exp(a)), dividing the exp's absolute error by it.
  const double dmin = c.flushes_subnormals ? min_normal(c.accum) : denorm_min(c.accum);
  const double sum_floor = c.algorithm == Algorithm::naive ? std::min(1.0, std::exp(r.a)) : 1.0;
  r.floor = (c.exp_ulps + 1) * dmin / sum_floor + 0.5 * dmin;
  r.narrower_out = format_of(c.dtype).precision < format_of(c.accum).precision;
  r.derivation = fmt::format(
      "{} {}: K_j = {}; h = {} ({} summation, n = {}), E_exp = {} ulp, Delta = {:.6g}, "
      "S = sum p_i (max - x_i) = {:.6g}{}; bound_j = gamma(K_j) |p_j| + {:.3g}{}",
      name_of(c.algorithm), name_of(c.accum),
      c.algorithm == Algorithm::naive           ? "h + 1 + 4E (BHH Thm 3.3)"
      : c.algorithm == Algorithm::online        ? "1 + 2E + (max - x_j) + h + 2E + S + R(2E + 1) + Delta"
      : c.algorithm == Algorithm::division_free ? "h + 2E + S + 2E_log ln s + |lse| + |x_j - lse| + 2E"
                                                : "1 + 2E + (max - x_j) + h + 2E + S (BHH Thm 4.3)",
      r.h, name_of(c.summation), r.n, c.exp_ulps, r.delta, s_weighted,
      c.algorithm == Algorithm::online ? fmt::format(", R = {} rescales", r.rescales) : std::string(),
      r.floor, r.narrower_out ? fmt::format(" + 0.5 ulp_{}", name_of(c.dtype)) : std::string());
  return r;
}

RowBound softmax_bound_range(const Contract& c, const SoftmaxBoundRow& r,
                             std::span<const double> x, std::span<const double> p_exact) {
  const std::size_t n = x.size();
  const double a = r.a;
  RowBound b;
  b.abs.assign(n, 0);
  b.factor.assign(n, 0);
  for (std::size_t j = 0; j < n; ++j) {
    if (!std::isfinite(x[j])) continue;  // -inf entries: exact 0 required, bound 0
    const double dj = a - x[j];
    double k = 0;
    switch (c.algorithm) {
      case Algorithm::naive:
        // BHH Thm 3.3: (n + 3) u with a correctly rounded exp; here: own exp rho, the sum's
        // exps rho, summation h, division 1.
        k = r.h + 1 + 2 * r.rho;
        break;
      case Algorithm::shifted:
      case Algorithm::two_pass:
        // BHH Thm 4.3 componentwise: the rounding of x_j - a amplified by exp (|x_j - a| u), the
        // sum's relative error, exp and division.
        k = 1 + r.rho + dj + r.sum_rel;
        break;
      case Algorithm::online:
        // Shifted bound plus the rescales: each multiplies by exp(m_old - m_new), rounded
        // (rho + 1) with an argument whose rounding totals at most Delta (Milakov & Gimelshein).
        k = 1 + r.rho + dj + r.sum_rel + r.rescales * (r.rho + 1) + r.delta;
        break;
      case Algorithm::division_free:
        // exp(x_j - lse): lse = a + log(s) carries the sum's relative error, the log's error on
        // |log s|, the rounding of the addition (|lse| u) and of x_j - lse (|x_j - lse| u) (BHH §5
        // on the division-free form; error-model.md: "an extra |lse| u term").
        k = r.sum_rel + r.rho_log * std::log(std::max(1.0, std::exp(r.lse - a))) +
            std::fabs(r.lse) + std::fabs(x[j] - r.lse) + r.rho;
        break;
    }
    b.factor[j] = k;
    const double p = std::fabs(p_exact[j]);
    // p = 0 (below double's range): only the floor remains, also where K u >= 1.
    const double rel = p > 0 ? gamma_bound(k, r.u) * p : 0.0;
    double e = rel + r.floor;
    if (r.narrower_out && std::isfinite(e)) {
      // One final rounding to the storage format: half an ulp of the (perturbed) result, floored
      // at the format's smallest subnormal (error-model.md, mixed precision).
      e += 0.5 * ulp(c.dtype, p + rel + r.floor);
    }
    b.abs[j] = e;
    b.sum_abs += e;
  }
  b.derivation = r.derivation;
  return b;
}

RowBound softmax_row_bound(const Contract& c, std::span<const double> x,
                           std::span<const double> p_exact) {
  const SoftmaxBoundRow r =
      softmax_bound_row(c, x, softmax_weighted_shift(x, p_exact, finite_max(x)));
  return softmax_bound_range(c, r, x, p_exact);
}

}  // namespace softcheck
