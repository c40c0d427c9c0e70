// The kernels of impl/ops (issue 4: the ops softmax drives learning with), one file per op, and the
// contract fields they all share. derivative_kernels() (derivative_kernels.cpp) concatenates them.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "softcheck/kernel.hpp"

namespace softcheck::ops {

std::vector<Kernel> log_softmax_kernels();       // log_softmax.cpp
std::vector<Kernel> softmax_backward_kernels();  // softmax_backward.cpp
std::vector<Kernel> cross_entropy_kernels();     // cross_entropy.cpp
std::vector<Kernel> softmax_temp_kernels();      // softmax_temp.cpp

// What every impl/ops kernel declares alike:
// - scalar code, max-shifted (Algorithm::shifted: the exp arguments are x_i - max <= 0, BHH
//   sec. 4); softmax_backward takes no exp, and the field only records that its y came from such a
//   kernel;
// - serial (recursive) summation in the accumulation type: tree height n - 1 (error-model.md);
// - exp and log from glibc (expf/logf, exp/log): < 1 ulp (glibc libm-test-ulps; Zimmermann et al.);
// - subnormal results kept (no flush-to-zero mode is set);
// - an all -inf row gives NaN (0/0 is left to IEEE arithmetic: -inf - -inf = NaN);
// - accumulation in f32 for f16/bf16 storage, one rounding to the storage format at the end.
// The name follows dtype_op_algorithm__isa.
inline Contract ops_contract(Op op, DType dtype, std::string summary) {
  Contract c;
  c.op = op;
  c.dtype = dtype;
  c.accum = (dtype == DType::f16 || dtype == DType::bf16) ? DType::f32 : dtype;
  c.algorithm = Algorithm::shifted;
  c.summation = Summation::serial;
  c.lanes = 1;
  c.exp_ulps = 1.0;
  c.log_ulps = 1.0;
  c.all_masked = MaskedRowPolicy::nan;
  c.flushes_subnormals = false;
  c.monotone_exp = true;
  c.isa = "scalar";
  c.name = std::string(name_of(dtype)) + "_" + std::string(name_of(op)) + "_" +
           std::string(name_of(c.algorithm)) + "__" + c.isa;
  c.summary = std::move(summary);
  return c;
}

}  // namespace softcheck::ops
