// Conversions between f32 and the 16-bit storage formats (f16, bf16 as uint16_t bits) used by the
// half-precision kernels. float -> 16 bits rounds to nearest, ties to even, with gradual underflow
// and overflow to infinity; 16 bits -> float is exact. NaN stays NaN (quiet, sign kept).
//
// These are the kernels' conversions (f32 in registers). softcheck's own exact double <-> bits
// encodings for the oracle side are f16_bits / bf16_bits in softcheck/dtype.hpp; tests/half checks
// the two against each other and against MPFR on every 16-bit pattern.
#pragma once

#include <cstdint>

namespace softcheck {

uint16_t float_to_f16_bits(float x);
float f16_bits_to_float(uint16_t bits);

uint16_t float_to_bf16_bits(float x);
float bf16_bits_to_float(uint16_t bits);

// x rounded to the nearest f16 value and widened back (exact); the exp of the naive f16 kernel.
inline float round_to_f16(float x) { return f16_bits_to_float(float_to_f16_bits(x)); }

}  // namespace softcheck
