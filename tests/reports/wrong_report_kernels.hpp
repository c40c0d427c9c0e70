// Kernels that are wrong on purpose, for the baseline and bias tests of the reports. Each carries
// the contract of a correct built-in kernel (same name), so a report of it compares cell by cell
// with a baseline of the real one, as a regression in that kernel would.
#pragma once

#include "softcheck/kernel.hpp"

namespace softcheck::reports::testing {

// f32 max-shifted softmax whose outputs are scaled by (1 + 2^-20): about 8 ulps too large, within
// the bound of long rows but far outside the error the correct kernel shows. Contract of
// f32_softmax_shifted__scalar.
Kernel scaled_f32_softmax();

// bf16 softmax computed correctly in f32 but converted to bf16 by truncation (dropping the low 16
// bits), a conversion several public projects shipped (error-model.md, "Bias"): every output is
// within one bf16 ulp, yet biased by -0.5 ulp on average. Contract of bf16_softmax_shifted__scalar.
Kernel truncating_bf16_softmax();

}  // namespace softcheck::reports::testing
