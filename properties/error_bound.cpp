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

RowBound softmax_row_bound(const Contract& c, std::span<const double> x,
                           std::span<const double> p_exact) {
  const std::size_t n = x.size();
  const double u = unit_roundoff(c.accum);
  const double h = summation_height(c, n);
  // exp with at most E ulps error has relative error <= 2 E u (one ulp is at most 2u relative).
  const double rho = 2 * c.exp_ulps;
  const double rho_log = 2 * c.log_ulps;
  const double a = finite_max(x);
  const double delta = a - finite_min(x);
  // S = sum_i p_i |x_i - a|: the p-weighted rounding of the shifted arguments inside the sum. It is
  // at most Delta (BHH Thm 4.3 uses Delta); the weighted form is the same derivation kept exact.
  double s_weighted = 0;
  for (std::size_t i = 0; i < n; ++i)
    if (std::isfinite(x[i]) && std::isfinite(p_exact[i])) s_weighted += p_exact[i] * (a - x[i]);
  // Relative error of the computed denominator: summation (gamma_h) + the exps in it.
  const double sum_rel = h + rho + s_weighted;
  const double lse = a + std::log(std::max(1.0, [&] {
                       double s = 0;
                       for (double v : x) if (std::isfinite(v)) s += std::exp(v - a);
                       return s;
                     }()));
  const double rescales = c.algorithm == Algorithm::online ? online_rescales(c, x) : 0;

  RowBound b;
  b.abs.assign(n, 0);
  b.factor.assign(n, 0);
  // Absolute floor for results in the subnormal range of accum: an exp that underflows is off by
  // at most E subnormal ulps, the final division rounds by half of one; for the naive form the sum
  // can be below 1 (>= exp(a)), dividing the exp's absolute error by it.
  const double dmin = c.flushes_subnormals ? min_normal(c.accum) : denorm_min(c.accum);
  const double sum_floor = c.algorithm == Algorithm::naive ? std::min(1.0, std::exp(a)) : 1.0;
  const double floor = (c.exp_ulps + 1) * dmin / sum_floor + 0.5 * dmin;
  const bool narrower_out = format_of(c.dtype).precision < format_of(c.accum).precision;

  for (std::size_t j = 0; j < n; ++j) {
    if (!std::isfinite(x[j])) continue;  // -inf entries: exact 0 required, bound 0
    const double dj = a - x[j];
    double k = 0;
    switch (c.algorithm) {
      case Algorithm::naive:
        // BHH Thm 3.3: (n + 3) u with a correctly rounded exp; here: own exp rho, the sum's
        // exps rho, summation h, division 1.
        k = h + 1 + 2 * rho;
        break;
      case Algorithm::shifted:
      case Algorithm::two_pass:
        // BHH Thm 4.3 componentwise: the rounding of x_j - a amplified by exp (|x_j - a| u), the
        // sum's relative error, exp and division.
        k = 1 + rho + dj + sum_rel;
        break;
      case Algorithm::online:
        // Shifted bound plus the rescales: each multiplies by exp(m_old - m_new), rounded
        // (rho + 1) with an argument whose rounding totals at most Delta (Milakov & Gimelshein).
        k = 1 + rho + dj + sum_rel + rescales * (rho + 1) + delta;
        break;
      case Algorithm::division_free:
        // exp(x_j - lse): lse = a + log(s) carries the sum's relative error, the log's error on
        // |log s|, the rounding of the addition (|lse| u) and of x_j - lse (|x_j - lse| u) (BHH §5
        // on the division-free form; error-model.md: "an extra |lse| u term").
        k = sum_rel + rho_log * std::log(std::max(1.0, std::exp(lse - a))) + std::fabs(lse) +
            std::fabs(x[j] - lse) + rho;
        break;
    }
    b.factor[j] = k;
    const double p = std::fabs(p_exact[j]);
    // p = 0 (below double's range): only the floor remains, also where K u >= 1.
    const double rel = p > 0 ? gamma_bound(k, u) * p : 0.0;
    double e = rel + floor;
    if (narrower_out && std::isfinite(e)) {
      // One final rounding to the storage format: half an ulp of the (perturbed) result, floored
      // at the format's smallest subnormal (error-model.md, mixed precision).
      e += 0.5 * ulp(c.dtype, p + rel + floor);
    }
    b.abs[j] = e;
    b.sum_abs += e;
  }
  b.derivation = fmt::format(
      "{} {}: K_j = {}; h = {} ({} summation, n = {}), E_exp = {} ulp, Delta = {:.6g}, "
      "S = sum p_i (max - x_i) = {:.6g}{}; bound_j = gamma(K_j) |p_j| + {:.3g}{}",
      name_of(c.algorithm), name_of(c.accum),
      c.algorithm == Algorithm::naive           ? "h + 1 + 4E (BHH Thm 3.3)"
      : c.algorithm == Algorithm::online        ? "1 + 2E + (max - x_j) + h + 2E + S + R(2E + 1) + Delta"
      : c.algorithm == Algorithm::division_free ? "h + 2E + S + 2E_log ln s + |lse| + |x_j - lse| + 2E"
                                                : "1 + 2E + (max - x_j) + h + 2E + S (BHH Thm 4.3)",
      h, name_of(c.summation), n, c.exp_ulps, delta, s_weighted,
      c.algorithm == Algorithm::online ? fmt::format(", R = {} rescales", rescales) : std::string(),
      floor, narrower_out ? fmt::format(" + 0.5 ulp_{}", name_of(c.dtype)) : std::string());
  return b;
}

}  // namespace softcheck
