#include "oracles/streamed_row.hpp"

#include <cmath>
#include <limits>
#include <vector>

#include "oracles/mpfr_ops.hpp"
#include "oracles/shifted_exp.hpp"

namespace softcheck::oracle {

StreamedRow::StreamedRow(std::span<const double> x, Kind kind, unsigned bits)
    : x_(x), kind_(kind), bits_(bits) {
  finite_ = detail::classify_row(x) == detail::RowStatus::finite;
  if (!finite_) return;
  max_ = -std::numeric_limits<double>::infinity();
  std::size_t argmax = 0, live = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (x[i] > max_) max_ = x[i], argmax = i;
    live += std::isfinite(x[i]);
  }
  others_live_ = live > 1;
  // log-softmax: the sum skips the max (log1p keeps the relative accuracy of a tiny sum).
  const std::size_t skip = kind == Kind::softmax ? x.size() : argmax;
  std::vector<Real> partials;
  std::vector<Real> terms;
  std::vector<const Real*> ptrs;
  for (std::size_t b = 0; b < x.size(); b += kChunk) {
    terms.clear();
    const std::size_t end = std::min(x.size(), b + kChunk);
    for (std::size_t i = b; i < end; ++i)
      if (i != skip && std::isfinite(x[i]))
        terms.push_back(detail::exp_of_argument(
            detail::shifted_argument(x[i], max_, std::nullopt, bits), bits));
    ptrs.clear();
    for (const Real& t : terms) ptrs.push_back(&t);
    partials.push_back(mp::sum_odd(ptrs, bits + 64));
  }
  ptrs.clear();
  for (const Real& t : partials) ptrs.push_back(&t);
  norm_ = mp::sum_odd(ptrs, bits);
  if (kind == Kind::log_softmax) mpfr_log1p(mp::ptr(norm_), mp::ptr(norm_), MPFR_RNDN);
}

Real StreamedRow::element(std::size_t j) const {
  if (!finite_) return mp::quiet_nan(bits_);
  const double xj = x_[j];
  if (kind_ == Kind::softmax) {
    Real p = mp::with_precision(bits_);
    if (xj == -std::numeric_limits<double>::infinity()) {
      mpfr_set_zero(mp::ptr(p), +1);
      return p;
    }
    const Real e = detail::exp_of_argument(detail::shifted_argument(xj, max_, std::nullopt, bits_),
                                           bits_);
    return mp::rounded_to_odd(bits_, [&](mpfr_ptr r, mpfr_rnd_t rnd) {
      return mpfr_div(r, mp::ptr(e), mp::ptr(norm_), rnd);
    });
  }
  if (xj == -std::numeric_limits<double>::infinity()) {
    Real l = mp::with_precision(bits_);
    mpfr_set_inf(mp::ptr(l), -1);
    return l;
  }
  const Real d = detail::shifted_argument(xj, max_, std::nullopt, bits_);
  Real l = mp::rounded_to_odd(
      bits_, [&](mpfr_ptr r, mpfr_rnd_t rnd) { return mpfr_sub(r, mp::ptr(d), mp::ptr(norm_), rnd); });
  // As log_softmax(): with another finite entry the exact value is negative, also where it
  // underflowed MPFR's range to 0.
  if (others_live_ && mpfr_zero_p(mp::ptr(l))) mpfr_setsign(mp::ptr(l), mp::ptr(l), 1, MPFR_RNDN);
  return l;
}

}  // namespace softcheck::oracle
