// Wrong on purpose: the exponential, the division and the shift. Fast-exp tricks that break below
// their range, polynomials of too low an order, reciprocal estimates without the Newton step,
// flushed subnormals, a shift that is not the max, and a vector body whose exp differs from the
// tail's. Each kernel claims what its author believed (for the SIMD-style ones: a 2-ulp,
// non-monotone exp of kPolyExpUlps, which poly_expf honestly is on its range).
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#if defined(__SSE__)
#include <immintrin.h>
#endif

#include "tests/mutants/mutant.hpp"
#include "tests/mutants/mutant_support.hpp"

namespace softcheck::mutants {
namespace {

constexpr const char* kWhere = "tests/mutants/wrong_exp.cpp";

// Max-shifted softmax with the given exp for the numerators and the sum.
template <float (*Exp)(float)>
void shifted_with(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float* y = static_cast<float*>(yv) + r * cols;
    const float m = nan_max(x, cols);
    float s = 0.0f;
    for (std::size_t j = 0; j < cols; ++j) s += y[j] = Exp(x[j] - m);
    for (std::size_t j = 0; j < cols; ++j) y[j] /= s;
  }
}

// Bug class: fast-exp bit trick giving garbage for very negative arguments. The 2^n of the range
// reduction is built as the bit pattern (n + 127) << 23 with no clamp (Schraudolph's trick), so
// below x - max = -87.3 the exponent field wraps: 2^-128 becomes -inf, 2^-129 -1.7e38, ... and the
// row turns negative or NaN. Accurate (kPolyExpUlps) on [-87.3, 0]: on every row of spread < 87.
// Expected: unit_interval (rows with a spread beyond 87.3).
float bits_exp(float v) { return poly_expf_bits(v); }

// Bug class: low-order exp approximation. Range reduction to |f| <= ln2/2, then the degree-3
// Taylor polynomial 1 + f + f^2/2 + f^3/6: relative error up to f^4/24 = 6e-4 (about 5000 f32
// ulps) where the contract declares glibc's < 1 ulp.
// Expected: accuracy.
float taylor3_exp(float v) {
  if (std::isnan(v)) return v;
  if (v < -104.0f) return 0.0f;
  const float n = std::nearbyint(v * 1.44269504f);
  const float f = v - n * 0.693147181f;
  return std::ldexp(1.0f + f + f * f * 0.5f + f * f * f * (1.0f / 6.0f), static_cast<int>(n));
}

// Bug class: subnormal results flushed where the contract says none are. exp values below
// FLT_MIN are set to 0 ("denormals are slow"); exact for every output above 2^-126 and wrong
// (0 for a nonzero probability) for logits 87.34 to 103.97 below the max.
// Expected: accuracy (rows with a spread beyond 87.3).
float flushing_exp(float v) {
  const float e = std::exp(v);
  return e < FLT_MIN ? 0.0f : e;
}

// 1/s estimate as SIMD code gets it: rcpss (12 bits, relative error <= 1.5 * 2^-12).
float rcp_estimate(float s) {
#if defined(__SSE__)
  return _mm_cvtss_f32(_mm_rcp_ss(_mm_set_ss(s)));
#else
  // The same precision without SSE: 1/s with the significand cut to 12 bits.
  float q = 1.0f / s;
  uint32_t b;
  std::memcpy(&b, &q, sizeof b);
  b &= ~((1u << 11) - 1);
  std::memcpy(&q, &b, sizeof q);
  return q;
#endif
}

// Bug class: low-order approximation in the division. y = e * rcp(s) with the hardware estimate
// and no Newton-Raphson step (which would double its 12 bits): every output is off by up to
// 3.7e-4 relative.
// Expected: accuracy.
void rcp_no_newton(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float* y = static_cast<float*>(yv) + r * cols;
    const float m = nan_max(x, cols);
    float s = 0.0f;
    for (std::size_t j = 0; j < cols; ++j) s += y[j] = std::exp(x[j] - m);
    const float inv = rcp_estimate(s);
    for (std::size_t j = 0; j < cols; ++j) y[j] *= inv;
  }
}

// Bug class: shift that is not the max (breaks bitwise shift invariance). The shift is floor(max)
// "so that exp(x - m) of the max lies in [1, e)": still no overflow and about as accurate, but
// x + c and x are no longer shifted by the same amount for a fractional c, so a kernel that
// declares the max-shifted algorithm changes its bits under an exact shift.
// Expected: shift_invariance.
void floor_shift(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float* y = static_cast<float*>(yv) + r * cols;
    const float m = std::floor(nan_max(x, cols));
    float s = 0.0f;
    for (std::size_t j = 0; j < cols; ++j) s += y[j] = std::exp(x[j] - m);
    for (std::size_t j = 0; j < cols; ++j) y[j] /= s;
  }
}

// Bug class: vector body and scalar tail disagree (wrong only at widths that are not a multiple of
// 8). The unrolled body uses the polynomial exp of the SIMD code, the scalar tail calls expf; each
// is accurate, but a logit in the tail and an equal one in the body get different bits whenever
// the two exps differ. Exact ties are required to give bitwise-equal outputs.
// Expected: order (ties between body and tail).
void tail_exp_differs(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  constexpr std::size_t kLanes = 8;
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float* y = static_cast<float*>(yv) + r * cols;
    const float m = nan_max(x, cols);
    float acc[kLanes] = {};
    std::size_t j = 0;
    for (; j + kLanes <= cols; j += kLanes)
      for (std::size_t l = 0; l < kLanes; ++l) acc[l] += y[j + l] = poly_expf(x[j + l] - m);
    for (; j < cols; ++j) acc[0] += y[j] = std::exp(x[j] - m);
    const float s =
        ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (j = 0; j < cols; ++j) y[j] /= s;
  }
}

Contract plain(const char* summary) {
  return softmax_contract("f32_softmax_shifted__scalar", DType::f32, summary);
}

// What a kernel with the polynomial exp of SIMD code declares: its ulps, not monotone.
Contract poly_exp(Contract c) {
  c.exp_ulps = kPolyExpUlps;
  c.monotone_exp = false;
  return c;
}

}  // namespace

std::vector<Mutant> wrong_exp_kernels() {
  const Contract lanes8 = softmax_contract("f32_softmax_shifted__scalar_x8", DType::f32,
                                           "WRONG ON PURPOSE (tests/mutants): tail exp differs",
                                           Algorithm::shifted, Summation::k_lane, 8);
  return {
      mutant("exp_bits_no_clamp",
             poly_exp(plain("WRONG ON PURPOSE (tests/mutants): 2^n by bits, no clamp")),
             RowwiseFn{shifted_with<bits_exp>}, BugClass::fast_exp_range,
             "2^n as bits, no clamp below -87.3", "unit_interval", kWhere),
      mutant("taylor3_exp", plain("WRONG ON PURPOSE (tests/mutants): degree-3 exp"),
             RowwiseFn{shifted_with<taylor3_exp>}, BugClass::low_order, "degree-3 Taylor exp",
             "accuracy", kWhere),
      mutant("flush_subnormal", plain("WRONG ON PURPOSE (tests/mutants): subnormals flushed"),
             RowwiseFn{shifted_with<flushing_exp>}, BugClass::subnormal_flush,
             "exp below FLT_MIN set to 0", "accuracy", kWhere),
      mutant("rcp_no_newton", plain("WRONG ON PURPOSE (tests/mutants): rcp estimate"),
             RowwiseFn{rcp_no_newton}, BugClass::low_order, "rcpss estimate, no Newton step",
             "accuracy", kWhere),
      mutant("floor_shift", plain("WRONG ON PURPOSE (tests/mutants): shift by floor(max)"),
             RowwiseFn{floor_shift}, BugClass::weaker_than_declared, "shift by floor(max)",
             "shift_invariance", kWhere),
      mutant("tail_exp_differs", poly_exp(lanes8), RowwiseFn{tail_exp_differs}, BugClass::body_tail,
             "body polynomial exp, tail expf", "order", kWhere),
  };
}

}  // namespace softcheck::mutants
