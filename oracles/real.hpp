// The number type of the references and the precision they are computed at.
//
// Real is Boost.Multiprecision over MPFR with per-object precision (mpfr_float_backend<0>). Every
// value the oracle returns carries its own precision; the oracle sets it explicitly on each MPFR
// call (raw mpfr_* through .backend().data()), so its results never depend on Boost's process-wide
// default precision. Boost 1.74 keeps that default in a plain static and its operators change it
// temporarily (scoped_default_precision), so arithmetic with Boost operators on Reals of different
// precisions is not thread-safe; the oracle functions themselves do not use them (except the Eigen
// solver, see jacobian.hpp).
#pragma once

#include <boost/multiprecision/mpfr.hpp>
#include <cstddef>
#include <span>
#include <string>

#include "softcheck/dtype.hpp"

namespace softcheck::oracle {

using Real = boost::multiprecision::number<boost::multiprecision::mpfr_float_backend<0>,
                                           boost::multiprecision::et_off>;

// Precision (bits) at which the references for rows of n elements are computed before the single
// rounding to `out`: out's precision + 64 guard bits + bit_width(n).
//
// Why this is enough: the forward references (softmax.cpp) make each exp correctly rounded from an
// exact argument and add the terms with mpfr_sum (correctly rounded sum), so their relative error
// is at most 10 * 2^-bits whatever n is (the counts are in softmax.hpp and gradient.hpp; the final
// rounding to odd counts 2); the gradients round once after exact dot products and differences
// (gradient.cpp). 10 * 2^-bits relative is below 2^-60 ulp of the output format, so
// rounding the reference to `out` gives the correctly rounded value unless the exact value lies
// within 2^-61 ulp of a rounding boundary. The last step of every result rounds to odd
// (mpfr_ops.hpp), so a result whose exact value is a dyadic plus a tail of any size (log-softmax of
// a dominant logit, lse, loss) still rounds on the right side of a midpoint. Where the exact value
// is rational (ties: 1/k) its distance to a midpoint is at least ulp / (2k), resolved with
// log2(k) + 1 guard bits, and bit_width(n) covers k <= n; otherwise it is transcendental
// (Lindemann-Weierstrass) and a boundary within 2^-61 ulp is a 2^-60 event per value. The
// self-tests check that working_bits and working_bits + 100 round alike. Any bits >= p + 2 keeps
// the rounding to odd sound; fewer guard bits only make near-boundary misses likelier.
unsigned working_bits(DType out, std::size_t n);

// The exact value of a double, as a Real of 53 bits (NaN and infinities kept).
Real exact(double v);

// The exact sum of doubles: computed by mpfr_sum at a precision that spans the operands' exponent
// range plus log2(n) carry bits, so nothing rounds (checked: a non-zero ternary throws). Non-finite
// operands follow IEEE rules (inf + -inf = NaN). The empty sum is +0.
Real exact_sum(std::span<const double> v);

// The exact dot product sum a_i * b_i of doubles: each product is exact in 106 bits, the sum exact
// as in exact_sum. Throws std::invalid_argument when the sizes differ.
Real exact_dot(std::span<const double> a, std::span<const double> b);

// v rounded to the nearest double (one rounding, ties to even, subnormals and overflow handled).
double to_double(const Real& v);

// v rounded once to `out`, printed as a C99 hex float ("0x1.8p-1", "inf", "nan").
std::string to_hex(const Real& v, DType out);

// The value of v with all its digits, in hex ("0x1.5555555555555555555555555555555p-2"), for
// failure messages that show what the rounded value came from.
std::string to_hex_full(const Real& v);

}  // namespace softcheck::oracle
