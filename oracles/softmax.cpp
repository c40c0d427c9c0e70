// Forward references. Error counts (in units of 2^-bits, relative) are in softmax.hpp and
// shifted_exp.hpp; BHH (Blanchard, Higham, Higham 2021) is the source of the shifted formulation.
#include "oracles/softmax.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>

#include "oracles/mpfr_ops.hpp"
#include "oracles/shifted_exp.hpp"

namespace softcheck::oracle {
namespace {

std::vector<Real> normalise(const detail::ShiftedExp& s, std::size_t n, unsigned bits) {
  if (s.status != detail::RowStatus::finite) return detail::nans(n, bits);
  const Real total = s.total(bits);  // >= 1: the max entry contributes exp(0)
  std::vector<Real> p;
  p.reserve(n);
  for (const Real& e : s.e) {
    p.push_back(mp::rounded_to_odd(bits, [&](mpfr_ptr r, mpfr_rnd_t rnd) {
      return mpfr_div(r, mp::ptr(e), mp::ptr(total), rnd);
    }));
  }
  return p;
}

}  // namespace

std::vector<Real> softmax(std::span<const double> x, unsigned bits) {
  return normalise(detail::shifted_exp(x, std::nullopt, bits), x.size(), bits);
}

std::vector<Real> softmax_temp(std::span<const double> x, double tau, unsigned bits) {
  return normalise(detail::shifted_exp(x, tau, bits), x.size(), bits);
}

std::vector<Real> log_softmax(std::span<const double> x, unsigned bits) {
  const detail::ShiftedExp s = detail::shifted_exp(x, std::nullopt, bits);
  if (s.status != detail::RowStatus::finite) return detail::nans(x.size(), bits);
  const Real l = s.log_total(bits);
  std::vector<Real> out;
  out.reserve(x.size());
  // l_i = 0 exactly only where the max is the one finite entry; with another finite entry the
  // exact value is negative even where exp underflowed MPFR's exponent range (x_j - max below
  // about -7e8) and l came out 0: the zero then carries the exact value's sign.
  const bool others_live =
      std::count_if(x.begin(), x.end(), [](double v) { return std::isfinite(v); }) > 1;
  for (const Real& d : s.d) {  // d exact (or -inf): one rounding of d - l
    out.push_back(mp::rounded_to_odd(bits, [&](mpfr_ptr r, mpfr_rnd_t rnd) {
      return mpfr_sub(r, mp::ptr(d), mp::ptr(l), rnd);
    }));
    if (others_live && mpfr_zero_p(mp::ptr(out.back()))) mpfr_setsign(mp::ptr(out.back()), mp::ptr(out.back()), 1, MPFR_RNDN);
  }
  return out;
}

Real logsumexp(std::span<const double> x, unsigned bits) {
  Real result = mp::with_precision(bits);
  detail::ShiftedExp s = detail::shifted_exp(x, std::nullopt, bits);
  switch (s.status) {
    case detail::RowStatus::has_nan:
      return result;  // NaN
    case detail::RowStatus::has_pos_inf:
      mpfr_set_inf(mp::ptr(result), +1);
      return result;
    case detail::RowStatus::empty:
    case detail::RowStatus::all_masked:
      mpfr_set_inf(mp::ptr(result), -1);
      return result;
    case detail::RowStatus::finite:
      break;
  }
  // lse = max + l with l >= 0 known to 3 * 2^-w relative. When max < 0 the sum cancels: its
  // relative error is up to 3 * 2^-w * l / |lse| + 2^-w. Accept once w - bits covers log2(l /
  // |lse|) (then the error is <= 4 * 2^-bits, 6 after the final rounding to odd); otherwise retry
  // wider. The exact lse of a finite row with n >= 2 or max != 0 is never 0
  // (Lindemann-Weierstrass), so this ends.
  for (mpfr_prec_t w = bits;;) {
    const Real l = s.log_total(static_cast<unsigned>(w));
    const Real lse = mp::rounded_to_odd(
        w, [&](mpfr_ptr r, mpfr_rnd_t rnd) { return mpfr_add_d(r, mp::ptr(l), s.max, rnd); });
    if (mpfr_zero_p(mp::ptr(l))) {  // nothing but the max (and masks): lse = max exactly
      return mp::rounded_to_odd(
          bits, [&](mpfr_ptr r, mpfr_rnd_t rnd) { return mpfr_set_d(r, s.max, rnd); });
    }
    const long lost =
        mpfr_zero_p(mp::ptr(lse))
            ? static_cast<long>(w)
            : static_cast<long>(mpfr_get_exp(mp::ptr(l)) - mpfr_get_exp(mp::ptr(lse))) + 1;
    if (lost <= w - static_cast<long>(bits)) {  // odd at w, then odd at bits: odd at bits
      return mp::rounded_to_odd(
          bits, [&](mpfr_ptr r, mpfr_rnd_t rnd) { return mpfr_set(r, mp::ptr(lse), rnd); });
    }
    w = static_cast<mpfr_prec_t>(bits) + lost + 32;
    if (w > (mpfr_prec_t{1} << 20)) throw std::logic_error("oracle: logsumexp did not converge");
    s = detail::shifted_exp(x, std::nullopt, static_cast<unsigned>(w));
  }
}

}  // namespace softcheck::oracle
