// Row algorithms of the correct gallery kernels, shared by their f32 form (correct_f32.cpp) and
// their half-precision forms, which widen a row to f32, run the same code and round once
// (correct_half.cpp).
#pragma once

#include <cstddef>
#include <vector>

#include "softcheck/kernel.hpp"

namespace softcheck::mutants {

// Max-shifted softmax of one row with the exps summed pairwise (height ceil(log2 n)).
void pairwise_row(const float* x, float* y, std::size_t n);
// Online softmax of one row by blocks of 16 (running max rescales only when the max grows).
void online_blocked_row(const float* x, float* y, std::size_t n);

std::vector<Kernel> correct_f32_kernels();   // correct_f32.cpp
std::vector<Kernel> correct_half_kernels();  // correct_half.cpp

}  // namespace softcheck::mutants
