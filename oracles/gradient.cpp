// Gradient references (issue 4): softmax backward and cross-entropy.
#include "oracles/gradient.hpp"

#include <cmath>
#include <optional>
#include <stdexcept>

#include "oracles/mpfr_ops.hpp"
#include "oracles/shifted_exp.hpp"

namespace softcheck::oracle {
namespace {

// a - b exactly, for a double a and a Real b (a multiple of 2^(exp(b) - prec(b))).
Real exact_difference(double a, const Real& b) {
  mpfr_srcptr pb = mp::ptr(b);
  mpfr_prec_t bits = mpfr_get_prec(pb) + 53;  // enough when a or b is 0 or not finite
  if (std::isfinite(a) && a != 0 && mpfr_regular_p(pb)) {
    const long ea = mp::frexp_exponent(a), eb = static_cast<long>(mpfr_get_exp(pb));
    bits = mp::span_bits(std::max(ea, eb),
                         std::min(ea - 53, eb - static_cast<long>(mpfr_get_prec(pb))), 2);
  }
  Real r = mp::with_precision(bits);
  mpfr_set_d(mp::ptr(r), a, MPFR_RNDN);
  if (mpfr_sub(mp::ptr(r), mp::ptr(r), pb, MPFR_RNDN) != 0)
    throw std::logic_error("oracle: exact difference rounded");
  return r;
}

}  // namespace

std::vector<Real> softmax_backward(std::span<const double> y, std::span<const double> dy,
                                   unsigned bits) {
  if (y.size() != dy.size()) throw std::invalid_argument("oracle: softmax_backward sizes differ");
  const Real dot = exact_dot(dy, y);
  std::vector<Real> dx;
  dx.reserve(y.size());
  for (std::size_t j = 0; j < y.size(); ++j) {
    const Real centred = exact_difference(dy[j], dot);
    dx.push_back(mp::rounded_to_odd(bits, [&](mpfr_ptr r, mpfr_rnd_t rnd) {
      return mpfr_mul_d(r, mp::ptr(centred), y[j], rnd);  // the one rounding
    }));
  }
  return dx;
}

CrossEntropy cross_entropy(std::span<const double> x, int64_t label, unsigned bits) {
  if (label < 0 || static_cast<std::size_t>(label) >= x.size())
    throw std::out_of_range("oracle: cross_entropy label outside the row");
  const auto k = static_cast<std::size_t>(label);
  const detail::ShiftedExp s = detail::shifted_exp(x, std::nullopt, bits);
  if (s.status != detail::RowStatus::finite)
    return {mp::quiet_nan(bits), detail::nans(x.size(), bits)};
  // loss = (max - x[label]) + log_total: an exact non-negative term plus a non-negative one.
  const Real margin = mp::exact_difference(s.max, x[k]);
  const Real log_total = s.log_total(bits);
  CrossEntropy ce{mp::rounded_to_odd(bits,
                                     [&](mpfr_ptr r, mpfr_rnd_t rnd) {
                                       return mpfr_add(r, mp::ptr(margin), mp::ptr(log_total), rnd);
                                     }),
                  {}};

  const Real total = s.total(bits);
  ce.dx.reserve(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (i == k) {
      Real others = s.sum_except(k, bits);
      mpfr_neg(mp::ptr(others), mp::ptr(others), MPFR_RNDN);  // exact
      ce.dx.push_back(mp::rounded_to_odd(bits, [&](mpfr_ptr r, mpfr_rnd_t rnd) {
        return mpfr_div(r, mp::ptr(others), mp::ptr(total), rnd);
      }));
    } else {
      ce.dx.push_back(mp::rounded_to_odd(bits, [&](mpfr_ptr r, mpfr_rnd_t rnd) {
        return mpfr_div(r, mp::ptr(s.e[i]), mp::ptr(total), rnd);
      }));
    }
  }
  return ce;
}

}  // namespace softcheck::oracle
