// softcheck's references (issues 2, 3, 4): Boost.Multiprecision over MPFR, computed from the exact
// inputs a kernel received, at a precision that makes them exact enough to round once to the
// kernel's format. Never libm, never the kernel's precision (style.md principle 4).
//
// Typical use, for an f32 kernel output y on row x:
//   const unsigned bits = oracle::working_bits(DType::f32, x.size());
//   const auto p = oracle::softmax(x, bits);
//   const oracle::ErrorMetrics m = oracle::compare(y[j], p[j], DType::f32);
//
// The pieces, each usable alone to keep compile times down:
//   real.hpp      Real, working_bits, exact, exact_sum, exact_dot, to_double, to_hex
//   rounding.hpp  round_to_format: one rounding to f32/f64/f16/bf16
//   softmax.hpp   softmax, logsumexp, log_softmax, softmax_temp
//   gradient.hpp  softmax_backward, cross_entropy
//   metrics.hpp   compare: ulps (both conventions), relative and absolute error, classes
//   jacobian.hpp  softmax_jacobian, symmetric_eigen (pulls in Eigen)
#pragma once

#include "oracles/gradient.hpp"
#include "oracles/jacobian.hpp"
#include "oracles/metrics.hpp"
#include "oracles/real.hpp"
#include "oracles/rounding.hpp"
#include "oracles/softmax.hpp"
