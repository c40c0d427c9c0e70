// The building blocks of the impl/simd kernels, callable per target so that tests can measure them
// directly (Highway's practice: the contract numbers of contrib/math are asserted by math_test).
// Each returns false, doing nothing, when isa is not compiled in or this CPU does not support it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace softcheck {

// e[i] = ExpNonPositive(t[i]) (exp_f32-inl.h), the kernels' exponential; valid for t <= 0.
bool simd_exp_f32(std::string_view isa, const float* t, float* e, std::size_t n);

// The kernels' conversions at the storage boundary (convert-inl.h).
bool simd_f32_to_f16(std::string_view isa, const float* x, uint16_t* bits, std::size_t n);
bool simd_f32_to_bf16(std::string_view isa, const float* x, uint16_t* bits, std::size_t n);
bool simd_f16_to_f32(std::string_view isa, const uint16_t* bits, float* x, std::size_t n);
bool simd_bf16_to_f32(std::string_view isa, const uint16_t* bits, float* x, std::size_t n);

}  // namespace softcheck
