#include "impl/half/half_convert.hpp"

#include <cstring>

// f16: the compiler's _Float16 (GCC >= 12 and Clang on x86-64 and AArch64). Without AVX512-FP16,
// GCC 12 lowers the conversions to libgcc's soft-fp __truncsfhf2 / __extendhfsf2, which round to
// nearest even in the default rounding mode and handle NaN, infinities and subnormals. A well-kept
// source rather than bit tricks of our own; tests/half/half_convert_test.cpp checks every pattern
// against softcheck::round_to and MPFR.
#if !defined(__FLT16_MANT_DIG__)
#error "softcheck's f16 kernels need the _Float16 type (GCC >= 12 or Clang >= 15 on x86-64/AArch64)"
#endif

namespace softcheck {

uint16_t float_to_f16_bits(float x) {
  const _Float16 h = static_cast<_Float16>(x);
  uint16_t b;
  std::memcpy(&b, &h, sizeof b);
  return b;
}

float f16_bits_to_float(uint16_t bits) {
  _Float16 h;
  std::memcpy(&h, &bits, sizeof h);
  return static_cast<float>(h);
}

// bf16 is written by hand: GCC 12's __bf16 is a storage-only type (no conversions or arithmetic
// until GCC 13), and a plain `bits >> 16` truncates, which biases every result by -0.5 ulp on
// average (error-model.md, "Bias"). bf16 has f32's exponent range, so rounding is an integer add on
// the f32 bit pattern: adding 0x7fff plus the lowest kept bit rounds to nearest with ties to even;
// a carry out of the significand moves to the next binade, from the largest subnormal to the
// smallest normal, and from the largest finite past bf16's max + half an ulp to infinity, as
// IEEE 754 rounding requires. f32 subnormals are bf16 subnormals, so they need no special case.
uint16_t float_to_bf16_bits(float x) {
  uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  if ((u & 0x7fffffffu) > 0x7f800000u)  // NaN: the add could carry it into infinity.
    return static_cast<uint16_t>((u >> 16) | 0x0040u);  // quiet bit set, sign and top payload kept
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}

float bf16_bits_to_float(uint16_t bits) {
  const uint32_t u = static_cast<uint32_t>(bits) << 16;
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

}  // namespace softcheck
