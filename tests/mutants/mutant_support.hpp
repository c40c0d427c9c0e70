// What the gallery's kernels share: the contract a correct kernel of their kind would declare (the
// wrong ones claim it, so only the properties can tell them apart from a correct kernel), a
// NaN-propagating row max, and an f32 exp polynomial as SIMD kernels write it.
#pragma once

#include <cstddef>
#include <string>

#include "softcheck/contract.hpp"

namespace softcheck::mutants {

// Contract of a correct softmax kernel: max-shifted, exp and sum in `accum`, full domain, NaN
// propagated, all -inf rows give NaN. Callers adjust what differs (summation, lanes, algorithm).
Contract softmax_contract(std::string name, DType dtype, std::string summary,
                          Algorithm algorithm = Algorithm::shifted,
                          Summation summation = Summation::serial, int lanes = 1);

// max x over a row starting from -inf; a NaN logit is returned as the max (so it reaches every
// output). What the correct kernels here use, and what several wrong ones get wrong.
float nan_max(const float* x, std::size_t n);

// exp(r) for r <= 0 as XNNPACK's f32 softmax kernels compute it ("rr2_p5": Cody-Waite reduction
// r = n ln2 + f, |f| <= ln2/2, degree-5 polynomial): <= kPolyExpUlps f32 ulps on [-87.3, 0]
// (gallery_fixture_test sweeps it), not monotone in general, and different from glibc's expf on
// about half of all arguments. The scaling by 2^n uses ldexpf, so subnormal and zero results are
// right; -inf gives 0 and NaN stays NaN.
inline constexpr double kPolyExpUlps = 2.5;
float poly_expf(float r);

// The same polynomial with 2^n built as the bit pattern (n + 127) << 23, without a range check:
// the fast-exp bit trick (Schraudolph, Neural Computation 11(4), 1999). Right for r >= -87.3;
// below it the exponent field wraps (garbage: -inf, negative or huge values).
float poly_expf_bits(float r);

}  // namespace softcheck::mutants
