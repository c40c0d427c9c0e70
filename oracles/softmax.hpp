// Forward references: softmax, log-sum-exp, log-softmax, temperature softmax.
//
// All take the exact inputs the kernel received (doubles holding the kernel's values) and return
// Reals at `bits` (use working_bits(out, n)), to be rounded once with round_to_format; the last
// step of each is rounded to odd (mpfr_ops.hpp). The shift x_i - max is exact (MPFR at as many bits
// as the difference needs), each exp is correctly rounded from it, and sums are correctly rounded
// (mpfr_sum), so offsets of 1e7 or 1e300 lose nothing:
// relative error <= 8 * 2^-bits for softmax (10 for softmax_temp), whatever n is (first order;
// each e_i 2 and the total 4 (rounded to odd), the final division rounded to odd 2, the temperature's quotient 2).
//
// Special values (the mathematical definitions, which a kernel's documented policy is compared
// with; properties decide what a kernel may do instead):
// - -inf entries are masks: softmax gives exactly 0 there when at least one entry is finite.
// - a NaN or +inf anywhere makes the row undefined: every softmax output is NaN. (+inf - +inf has
// no
//   value; a limit argument would give 1/k on k +inf entries, but which limit is a choice, not
//   math.)
// - every entry -inf: the denominator is 0, 0/0: every output NaN.
// - an empty row gives an empty result.
#pragma once

#include <span>
#include <vector>

#include "oracles/real.hpp"

namespace softcheck::oracle {

// p_i = exp(x_i - max) / sum_j exp(x_j - max).
std::vector<Real> softmax(std::span<const double> x, unsigned bits);

// log sum_i exp(x_i) = max + log1p(sum_{i != argmax} exp(x_i - max)), relative error
// <= 6 * 2^-bits. Where max < 0 the two terms cancel; the oracle then recomputes at higher
// precision until the cancelled bits are covered (Ziv's strategy), so the result is accurate even
// near 0. Special values: NaN anywhere -> NaN; else +inf anywhere -> +inf; all -inf or empty ->
// -inf (log 0); -inf entries contribute 0.
Real logsumexp(std::span<const double> x, unsigned bits);

// l_i = (x_i - max) - log1p(sum_{i != argmax} exp(x_i - max)). Both terms are <= 0, so nothing
// cancels: relative error <= 5 * 2^-bits. -inf entries give -inf when one entry is finite; NaN or
// +inf anywhere, or all -inf: every output NaN (as softmax).
std::vector<Real> log_softmax(std::span<const double> x, unsigned bits);

// softmax(x / tau), tau > 0 (+inf allowed: the uniform limit over the finite entries), with the
// division done in MPFR: d_i = (x_i - max) / tau to 2^-bits absolute, never in double. Throws
// std::invalid_argument unless tau > 0.
std::vector<Real> softmax_temp(std::span<const double> x, double tau, unsigned bits);

}  // namespace softcheck::oracle
