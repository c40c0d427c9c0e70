// Wrong-on-purpose half kernels. Each is written the way such code is found in the wild, and each
// contract claims what a correct kernel would (accum f32, exp_ulps 1, full domain), so only the
// properties can tell them apart from impl/half/half_kernels.cpp.
#include "tests/half/wrong_half_kernels.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include "impl/half/half_convert.hpp"

namespace softcheck {
namespace {

// Bug class: accumulation in f16. The sum is kept in _Float16, so every add rounds to 11 bits:
// once s reaches 2048 an exp value below 1 is lost (2048 + 1 ties to 2048), and long rows of
// comparable logits sum to far less than the truth (a row of 4096 zeros gives 1/2048, not 1/4096).
// Expected to be caught by sum-to-one and by accuracy on long rows (error-model.md: "accumulating
// in f16/bf16 is a defect").
void f16_softmax_f16sum(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  const auto* x = static_cast<const uint16_t*>(xv);
  auto* y = static_cast<uint16_t*>(yv);
  for (std::size_t r = 0; r < rows; ++r, x += cols, y += cols) {
    float a = -std::numeric_limits<float>::infinity();
    for (std::size_t j = 0; j < cols; ++j) a = std::fmax(a, f16_bits_to_float(x[j]));
    _Float16 s = 0;
    for (std::size_t j = 0; j < cols; ++j)
      s += static_cast<_Float16>(std::exp(f16_bits_to_float(x[j]) - a));
    const float sum = static_cast<float>(s);
    for (std::size_t j = 0; j < cols; ++j)
      y[j] = float_to_f16_bits(std::exp(f16_bits_to_float(x[j]) - a) / sum);
  }
}

// Bug class: truncating f32 -> bf16 conversion (keep the high 16 bits). Every result is rounded
// towards zero: a mean signed error of -0.5 ulp (about -0.28% relative, error-model.md "Bias").
// Each result stays within one ulp of the exact value, so a one-ulp accuracy tolerance lets it
// through (the 0.5 + (n + 2 + 2 Delta) u32/u_out bound may flag single results). Expected to be
// caught by the bias z-test: mean signed ulp error over N >= 1000 outputs, |z| > 5.
void bf16_softmax_truncate(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  const auto* x = static_cast<const uint16_t*>(xv);
  auto* y = static_cast<uint16_t*>(yv);
  for (std::size_t r = 0; r < rows; ++r, x += cols, y += cols) {
    float a = -std::numeric_limits<float>::infinity();
    for (std::size_t j = 0; j < cols; ++j) a = std::fmax(a, bf16_bits_to_float(x[j]));
    float s = 0.0f;
    for (std::size_t j = 0; j < cols; ++j) s += std::exp(bf16_bits_to_float(x[j]) - a);
    for (std::size_t j = 0; j < cols; ++j) {
      const float p = std::exp(bf16_bits_to_float(x[j]) - a) / s;
      uint32_t u;
      std::memcpy(&u, &p, sizeof u);
      y[j] = static_cast<uint16_t>(u >> 16);
    }
  }
}

// Bug class: no max shift, exp kept in f16. exp(x) is stored as _Float16, which overflows to inf
// for x >= 11.09 (so the row becomes NaN/0 where a shifted kernel is exact) and is subnormal, with
// lost relative accuracy, below -9.70. Expected to be caught by accuracy (the f16 rounding of each
// exp costs ~2 ulps where ~1 is allowed) and by the overflow/special-value checks beyond 11.09; a
// shrinker should reduce the failure to a largest logit of 11.09 within one f16 ulp. The registered
// f16_softmax_naive__scalar does the same arithmetic but declares that domain and exp error.
void f16_softmax_unshifted_f16exp(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  const auto* x = static_cast<const uint16_t*>(xv);
  auto* y = static_cast<uint16_t*>(yv);
  for (std::size_t r = 0; r < rows; ++r, x += cols, y += cols) {
    float s = 0.0f;
    for (std::size_t j = 0; j < cols; ++j)
      s += static_cast<float>(static_cast<_Float16>(std::exp(f16_bits_to_float(x[j]))));
    for (std::size_t j = 0; j < cols; ++j) {
      const _Float16 e = static_cast<_Float16>(std::exp(f16_bits_to_float(x[j])));
      y[j] = float_to_f16_bits(static_cast<float>(e) / s);
    }
  }
}

// What each of them claims: the contract of a correct f32-accumulating max-shifted kernel.
Contract claimed(const char* name, DType dtype, const char* summary) {
  Contract c;
  c.name = name;
  c.op = Op::softmax;
  c.dtype = dtype;
  c.accum = DType::f32;
  c.algorithm = Algorithm::shifted;
  c.summation = Summation::serial;
  c.exp_ulps = 1.0;
  c.all_masked = MaskedRowPolicy::nan;
  c.isa = "scalar";
  c.summary = summary;
  return c;
}

}  // namespace

std::vector<Kernel> wrong_half_kernels() {
  return {
      {claimed("f16_softmax_shifted_f16sum__scalar", DType::f16,
               "WRONG: sum accumulated in f16 (claims f32)"),
       RowwiseFn{f16_softmax_f16sum}},
      {claimed("bf16_softmax_shifted_truncate__scalar", DType::bf16,
               "WRONG: f32 -> bf16 by truncation (claims round to nearest even)"),
       RowwiseFn{bf16_softmax_truncate}},
      {claimed("f16_softmax_unshifted_f16exp__scalar", DType::f16,
               "WRONG: no max shift, exp rounded to f16 (claims shifted, f32 exp)"),
       RowwiseFn{f16_softmax_unshifted_f16exp}},
  };
}

}  // namespace softcheck
