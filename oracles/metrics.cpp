// compare(): both ulp conventions, relative and absolute error, classes for non-finite values.
#include "oracles/metrics.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "oracles/mpfr_ops.hpp"
#include "oracles/rounding.hpp"

namespace softcheck::oracle {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// Differences and ratios are rounded once to this many bits before the conversion to double.
constexpr mpfr_prec_t kMetricBits = 64;

std::string class_of(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "+inf" : "-inf";
  return "finite";
}

// (got - ref) / ulp as a double: the exact difference rounded once at kMetricBits, divided by a
// power of two (exact), then rounded to double.
double scaled_difference(double got, mpfr_srcptr ref, double ulp) {
  Real d = mp::with_precision(kMetricBits);
  mpfr_d_sub(mp::ptr(d), got, ref, MPFR_RNDN);
  mpfr_div_d(mp::ptr(d), mp::ptr(d), ulp, MPFR_RNDN);  // ulp is a power of two: exact
  return mpfr_get_d(mp::ptr(d), MPFR_RNDN);
}

}  // namespace

double ulp_of_exact(const Real& exact, DType out) {
  mpfr_srcptr s = mp::ptr(exact);
  if (!mpfr_number_p(s)) return std::numeric_limits<double>::quiet_NaN();
  if (mpfr_zero_p(s)) return denorm_min(out);
  const Format f = format_of(out);
  const long e = std::max(static_cast<long>(mpfr_get_exp(s)) - 1, static_cast<long>(f.emin));
  return std::ldexp(1.0, static_cast<int>(e) - f.precision + 1);
}

ErrorMetrics compare(double got, const Real& exact, DType out) {
  ErrorMetrics m;
  const double r = round_to_format(exact, out);
  if (!std::isfinite(got) || !std::isfinite(r)) {
    const std::string want = class_of(r), have = class_of(got);
    if (want != have) {
      m.class_mismatch = true;
      m.class_note = fmt::format("expected {} ({}), got {} ({})", want, hex(r), have, hex(got));
      m.ulps_vs_exact = m.ulps_vs_rounded = m.signed_ulps = m.rel = m.abs = kInf;
    }
    return m;
  }
  // Both finite, so exact is finite too (an infinite or NaN exact rounds to a non-finite r).
  mpfr_srcptr x = mp::ptr(exact);
  m.signed_ulps = scaled_difference(got, x, ulp_of_exact(exact, out));
  m.ulps_vs_exact = std::fabs(m.signed_ulps);
  m.ulps_vs_rounded = std::fabs(scaled_difference(got, mp::ptr(oracle::exact(r)), ulp(out, r)));
  m.abs = std::fabs(scaled_difference(got, x, 1.0));
  if (mpfr_zero_p(x)) {
    m.rel = got == 0 ? 0.0 : kInf;
  } else {
    Real q = mp::with_precision(kMetricBits);
    mpfr_d_sub(mp::ptr(q), got, x, MPFR_RNDN);
    mpfr_div(mp::ptr(q), mp::ptr(q), x, MPFR_RNDN);
    m.rel = std::fabs(mpfr_get_d(mp::ptr(q), MPFR_RNDN));
  }
  return m;
}

}  // namespace softcheck::oracle
