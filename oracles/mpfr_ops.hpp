// Internal to oracles/: raw MPFR access to Reals with explicit precisions.
//
// Each helper names the precision of its result, so no oracle value depends on Boost's default
// precision. MPFR rounds every operation correctly (round-to-nearest, ties to even), which is what
// the error arguments in softmax.cpp and gradient.cpp count on.
#pragma once

#include <mpfr.h>

#include <algorithm>
#include <cmath>
#include <span>
#include <stdexcept>
#include <vector>

#include "oracles/real.hpp"

namespace softcheck::oracle::mp {

inline mpfr_ptr ptr(Real& r) { return r.backend().data(); }
inline mpfr_srcptr ptr(const Real& r) { return r.backend().data(); }

// A Real of exactly `bits` bits, value NaN until assigned.
inline Real with_precision(mpfr_prec_t bits) {
  Real r;
  mpfr_set_prec(ptr(r), std::max<mpfr_prec_t>(bits, MPFR_PREC_MIN));
  return r;
}

// Exponent e with |v| < 2^e (frexp convention) for a finite non-zero double. A double is an integer
// multiple of 2^(e - 53), also when subnormal.
inline long frexp_exponent(double v) {
  int e = 0;
  std::frexp(v, &e);
  return e;
}

// Precision that holds any sum of `count` terms whose non-zero values are multiples of 2^low and
// smaller than 2^high in magnitude: high - low bits plus carries.
inline mpfr_prec_t span_bits(long high, long low, std::size_t count) {
  long carries = 1;
  while ((std::size_t{1} << (carries - 1)) < count) ++carries;
  return std::max<long>(high - low + carries, 2);
}

// a - b exactly. Differences of doubles need up to 2100 bits (1e300 - 1e-300); MPFR handles them
// cheaply, and the exponential of such an argument is still one correctly rounded operation.
inline Real exact_difference(double a, double b) {
  if (!std::isfinite(a) || !std::isfinite(b) || a == 0 || b == 0) {
    Real r = with_precision(53);
    mpfr_set_d(ptr(r), a, MPFR_RNDN);
    mpfr_sub_d(ptr(r), ptr(r), b,
               MPFR_RNDN);  // exact: one operand is 0 or the result is not finite
    return r;
  }
  const long ea = frexp_exponent(a), eb = frexp_exponent(b);
  Real r = with_precision(span_bits(std::max(ea, eb), std::min(ea, eb) - 53, 2));
  mpfr_set_d(ptr(r), a, MPFR_RNDN);
  if (mpfr_sub_d(ptr(r), ptr(r), b, MPFR_RNDN) != 0)
    throw std::logic_error("oracle: exact_difference rounded");
  return r;
}

// Correctly rounded sum of Reals at `bits` (MPFR's mpfr_sum: one rounding of the exact sum).
inline Real sum(std::span<const Real* const> terms, mpfr_prec_t bits) {
  std::vector<mpfr_ptr> p;
  p.reserve(terms.size());
  // mpfr_sum takes mpfr_ptr const *; it does not modify the terms.
  for (const Real* t : terms) p.push_back(const_cast<mpfr_ptr>(ptr(*t)));
  Real r = with_precision(bits);
  mpfr_sum(ptr(r), p.data(), p.size(), MPFR_RNDN);
  return r;
}

inline Real quiet_nan(mpfr_prec_t bits) { return with_precision(bits); }

// The last operation of every reference result rounds to odd (Boldo, Melquiond, "Emulation of FMA
// and correctly rounded sums: proved algorithms using rounding to odd", IEEE TC 57(4), 2008):
// truncate, and if anything was cut off make the last bit 1. A value rounded to odd at `bits` and
// then rounded to nearest at p <= bits - 2 is the nearest p-bit value of the exact result, so
// round_to_format adds no double rounding. Round-to-nearest at `bits` would not do: the exact
// log-softmax of a dominant logit is d - L with d a dyadic that can be a midpoint of the output
// format and L > 0 as small as e^-10000; RN at `bits` returns d itself, a tie the final rounding
// then breaks to even, possibly the wrong way. Rounding to odd keeps the sign of the tail.
// op(result, MPFR_RNDZ) must perform the operation and return MPFR's ternary value.
template <class Op>
Real rounded_to_odd(mpfr_prec_t bits, Op op) {
  Real r = with_precision(bits);
  const int ternary = op(ptr(r), MPFR_RNDZ);
  if (ternary != 0 && mpfr_regular_p(ptr(r)) && mpfr_min_prec(ptr(r)) < mpfr_get_prec(ptr(r))) {
    if (mpfr_sgn(ptr(r)) > 0)
      mpfr_nextabove(ptr(r));
    else
      mpfr_nextbelow(ptr(r));
  } else if (ternary != 0 && mpfr_zero_p(ptr(r))) {
    // Truncated to 0 below MPFR's exponent range: the smallest MPFR number keeps the sign.
    if (ternary < 0)
      mpfr_nextabove(ptr(r));  // ternary < 0: 0 is below the exact value
    else
      mpfr_nextbelow(ptr(r));
  }
  return r;
}

// The sum of the terms at `bits`, rounded to odd: an inexact sum never lands on a dyadic it is not
// (1 + tiny terms stays above 1, so a softmax quotient e_max / total stays below 1, in the binade
// the exact value is in: the Zimmermann ulp needs the binade).
inline Real sum_odd(std::span<const Real* const> terms, mpfr_prec_t bits) {
  std::vector<mpfr_ptr> p;
  p.reserve(terms.size());
  for (const Real* t : terms) p.push_back(const_cast<mpfr_ptr>(ptr(*t)));
  return rounded_to_odd(bits, [&](mpfr_ptr r, mpfr_rnd_t rnd) { return mpfr_sum(r, p.data(), p.size(), rnd); });
}

}  // namespace softcheck::oracle::mp
