// Correct half-precision softmax kernels written differently from impl/half: each widens a row to
// f32 once, runs an f32 row algorithm of the gallery (blocked online, pairwise), and rounds each
// result once to the storage format. Error-model.md (mixed precision): <= 0.5 + (n + 2 + 2 Delta)
// u32 / u_out ulps of the output format, i.e. correctly rounded or one ulp off. The conversions
// are other implementations than impl/half/half_convert: the compiler's _Float16 for f16 and the
// bit-level round-to-nearest-even of bf16 as tensor libraries write it.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "tests/mutants/correct_rows.hpp"
#include "tests/mutants/mutant_support.hpp"

namespace softcheck::mutants {
namespace {

// f16 through the compiler's _Float16 (IEEE binary16; conversions round to nearest even and keep
// NaN, inf and subnormals).
float f16_load(uint16_t b) {
  _Float16 h;
  std::memcpy(&h, &b, sizeof h);
  return static_cast<float>(h);
}
uint16_t f16_store(float v) {
  const _Float16 h = static_cast<_Float16>(v);
  uint16_t b;
  std::memcpy(&b, &h, sizeof b);
  return b;
}

// bf16 is the top half of an f32: widening is a shift; narrowing adds 0x7fff plus the lowest kept
// bit (ties to even) before dropping 16 bits. NaN is kept quiet (the add could carry a NaN with a
// small payload into inf); overflow past the largest bf16 carries into the exponent and gives inf.
float bf16_load(uint16_t b) {
  const uint32_t u = static_cast<uint32_t>(b) << 16;
  float v;
  std::memcpy(&v, &u, sizeof v);
  return v;
}
uint16_t bf16_store(float v) {
  uint32_t u;
  std::memcpy(&u, &v, sizeof u);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x0040u);
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}

template <float (*Load)(uint16_t), uint16_t (*Store)(float),
          void (*Row)(const float*, float*, std::size_t)>
void widened(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  std::vector<float> x(cols), y(cols);
  for (std::size_t r = 0; r < rows; ++r) {
    const uint16_t* xr = static_cast<const uint16_t*>(xv) + r * cols;
    uint16_t* yr = static_cast<uint16_t*>(yv) + r * cols;
    for (std::size_t j = 0; j < cols; ++j) x[j] = Load(xr[j]);
    Row(x.data(), y.data(), cols);
    for (std::size_t j = 0; j < cols; ++j) yr[j] = Store(y[j]);
  }
}

}  // namespace

std::vector<Kernel> correct_half_kernels() {
  return {
      {softmax_contract("f16_softmax_online_blocked__scalar", DType::f16,
                        "correct (tests/mutants): f16 via _Float16, f32 online by blocks of 16",
                        Algorithm::online),
       RowwiseFn{widened<f16_load, f16_store, online_blocked_row>}},
      {softmax_contract("bf16_softmax_shifted_pairwise__scalar", DType::bf16,
                        "correct (tests/mutants): bf16 bit-level RNE, f32 pairwise sum",
                        Algorithm::shifted, Summation::pairwise),
       RowwiseFn{widened<bf16_load, bf16_store, pairwise_row>}},
  };
}

}  // namespace softcheck::mutants
