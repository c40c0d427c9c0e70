// f32 <-> f16/bf16 bit conversions for the mixed-precision kernels of impl/ops (f16/bf16 storage,
// f32 compute, one rounding at the end). The bit layouts are those of softcheck::Buffer
// (include/softcheck/dtype.hpp): IEEE binary16 for f16, the upper half of an IEEE binary32
// for bf16.
//
// impl/half/half_convert.hpp provides the same conversions for the softmax kernels; these names
// carry an `ops_` prefix so that both headers can be included together until they are merged.
#pragma once

#include <bit>
#include <cstdint>

namespace softcheck::ops {

// float -> f16 bits, round to nearest, ties to even, with gradual underflow and overflow to inf.
// GCC 12's float -> _Float16 conversion is correctly rounded (libgcc __truncsfhf2, or F16C's
// vcvtps2ph with the current rounding mode); rounding once from f32 is what the error model asks
// for (error-model.md, "Mixed precision ... one final rounding"). NaN stays NaN (quiet).
inline uint16_t ops_f16_bits_from_float(float v) {
  return std::bit_cast<uint16_t>(static_cast<_Float16>(v));
}

// f16 bits -> float: exact (every f16 value, subnormals included, is an f32 value).
inline float ops_float_from_f16_bits(uint16_t b) {
  return static_cast<float>(std::bit_cast<_Float16>(b));
}

// float -> bf16 bits, round to nearest, ties to even. Adding 0x7fff plus the lowest kept bit to the
// f32 pattern rounds the 16 dropped bits: below half truncates, above half carries into the kept
// part, exactly half carries only when the kept part is odd. The carry may ripple into the exponent
// (correct: the next binade, or inf from the largest finite values). NaN is handled before the add
// (a NaN payload could carry into the sign or become inf): keep sign and top payload bits and set
// the quiet bit. Truncation (u >> 16 alone) is the biased conversion that error-model.md ("Bias")
// warns about.
inline uint16_t ops_bf16_bits_from_float(float v) {
  const uint32_t u = std::bit_cast<uint32_t>(v);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x0040u);
  const uint32_t lsb = (u >> 16) & 1u;
  return static_cast<uint16_t>((u + 0x7fffu + lsb) >> 16);
}

// bf16 bits -> float: exact (a bf16 value is the f32 value with the low 16 bits zero).
inline float ops_float_from_bf16_bits(uint16_t b) {
  return std::bit_cast<float>(static_cast<uint32_t>(b) << 16);
}

}  // namespace softcheck::ops
