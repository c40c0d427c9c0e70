// Shifted exponentials exp((x_i - max) / tau) with exact or near-exact arguments.
#include "oracles/shifted_exp.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "oracles/mpfr_ops.hpp"

namespace softcheck::oracle::detail {

RowStatus classify_row(std::span<const double> x) {
  if (x.empty()) return RowStatus::empty;
  bool pos_inf = false, any_finite = false;
  for (double v : x) {
    if (std::isnan(v)) return RowStatus::has_nan;
    if (v == std::numeric_limits<double>::infinity()) pos_inf = true;
    if (std::isfinite(v)) any_finite = true;
  }
  if (pos_inf) return RowStatus::has_pos_inf;
  return any_finite ? RowStatus::finite : RowStatus::all_masked;
}

// (x_i - max) / tau for finite x_i. The difference is exact; the quotient gets `bits` plus as many
// bits as the integer part of |d| has (up to 64), so its absolute error is <= 2^-bits and exp(d)
// keeps a relative error <= 2^-bits from the argument. Beyond 2^64, exp(d) underflows MPFR's
// exponent range (about -2^30 * ln 2) anyway, to a value that rounds to 0 in every format.
Real shifted_argument(double xi, double max, std::optional<double> tau, unsigned bits) {
  Real diff = mp::exact_difference(xi, max);
  if (!tau || mpfr_zero_p(mp::ptr(diff))) return diff;
  long integer_bits = 0;
  if (std::isfinite(*tau)) {
    integer_bits = static_cast<long>(mpfr_get_exp(mp::ptr(diff))) - mp::frexp_exponent(*tau) + 1;
    integer_bits = std::clamp(integer_bits, 0L, 64L);
  }
  Real d = mp::with_precision(bits + integer_bits);
  mpfr_div_d(mp::ptr(d), mp::ptr(diff), *tau, MPFR_RNDN);
  return d;
}

Real exp_of_argument(const Real& d, unsigned bits) {
  // Rounded to odd: an exp below MPFR's exponent range (d < about -7.4e8) stays positive (the
  // smallest MPFR number), so sums and quotients see that the entry is there: 1 + e stays
  // above 1 and a softmax output below 1, in the binade of the exact value.
  return mp::rounded_to_odd(bits,
                            [&](mpfr_ptr r, mpfr_rnd_t rnd) { return mpfr_exp(r, mp::ptr(d), rnd); });
}

ShiftedExp shifted_exp(std::span<const double> x, std::optional<double> tau, unsigned bits) {
  if (tau && !(*tau > 0)) throw std::invalid_argument("oracle: softmax_temp needs tau > 0");
  ShiftedExp s;
  s.status = classify_row(x);
  if (s.status != RowStatus::finite) return s;
  s.max = -std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < x.size(); ++i)
    if (x[i] > s.max) s.max = x[i], s.argmax = i;
  s.e.reserve(x.size());
  s.d.reserve(x.size());
  for (double xi : x) {
    Real e = mp::with_precision(bits);
    if (std::isinf(xi)) {  // -inf: a masked entry, exp(-inf) = 0 exactly
      Real d = mp::with_precision(2);
      mpfr_set_inf(mp::ptr(d), -1);
      mpfr_set_zero(mp::ptr(e), +1);
      s.d.push_back(std::move(d));
    } else {
      s.d.push_back(shifted_argument(xi, s.max, tau, bits));
      e = exp_of_argument(s.d.back(), bits);
    }
    s.e.push_back(std::move(e));
  }
  return s;
}

Real ShiftedExp::sum_except(std::size_t skip, unsigned bits) const {
  std::vector<const Real*> terms;
  terms.reserve(e.size());
  for (std::size_t i = 0; i < e.size(); ++i)
    if (i != skip) terms.push_back(&e[i]);
  return mp::sum_odd(terms, bits);
}

Real ShiftedExp::total(unsigned bits) const { return sum_except(e.size(), bits); }

Real ShiftedExp::log_total(unsigned bits) const {
  Real l = sum_except(argmax, bits);
  mpfr_log1p(mp::ptr(l), mp::ptr(l), MPFR_RNDN);
  return l;
}

std::vector<Real> nans(std::size_t n, unsigned bits) {
  std::vector<Real> v;
  v.reserve(n);
  for (std::size_t i = 0; i < n; ++i) v.push_back(mp::quiet_nan(bits));
  return v;
}

}  // namespace softcheck::oracle::detail
