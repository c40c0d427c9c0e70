// Correct f32 softmax kernels written differently from the built-in ones (impl/scalar): other
// summation orders, a reciprocal multiply, blocked online, f64 accumulation and the two-pass
// algorithm. Each declares an honest contract; the whole catalogue must pass on each (the other
// half of the gallery: a suite that flags correct kernels is as useless as one that misses bugs).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "tests/mutants/correct_rows.hpp"
#include "tests/mutants/mutant_support.hpp"

namespace softcheck::mutants {
namespace {

// Pairwise (cascade) summation: height ceil(log2 n), so the error bound grows with log n instead
// of n (Higham, Accuracy and Stability, sec. 4.2). Split at n/2, leaves of one element.
float pairwise_sum(const float* v, std::size_t n) {
  if (n == 0) return 0.0f;
  if (n == 1) return v[0];
  const std::size_t h = n / 2;
  return pairwise_sum(v, h) + pairwise_sum(v + h, n - h);
}

}  // namespace

// Max shift (BHH Alg. 4.1) with the exps stored in y and summed pairwise. Special rows follow from
// IEEE arithmetic as in the built-in kernel: -inf gives exp(-inf) = 0; NaN is the max and reaches
// every output; +inf is the max and inf - inf = NaN; an all -inf row is -inf - -inf = NaN.
void pairwise_row(const float* x, float* y, std::size_t n) {
  const float m = nan_max(x, n);
  for (std::size_t j = 0; j < n; ++j) y[j] = std::exp(x[j] - m);
  const float s = pairwise_sum(y, n);
  for (std::size_t j = 0; j < n; ++j) y[j] /= s;
}

// Online normaliser by blocks of 16, as FlashAttention tiles it (Dao et al. 2022; Milakov &
// Gimelshein 2018): per block, m_new = max(m, block max); the running sum is rescaled by
// exp(m - m_new) only when the max grows (each such rescale is a new record of the serial order,
// so the contract's count R of rescales bounds them), then the block's terms exp(x_j - m_new) are
// added one by one (serial order: summation height n - 1). A fully masked block adds nothing, so
// -inf - -inf never occurs.
void online_blocked_row(const float* x, float* y, std::size_t n) {
  constexpr std::size_t kBlock = 16;
  constexpr float kInf = std::numeric_limits<float>::infinity();
  float m = -kInf, d = 0.0f;
  for (std::size_t b = 0; b < n; b += kBlock) {
    const std::size_t len = std::min(kBlock, n - b);
    const float mb = nan_max(x + b, len);
    if (std::isnan(mb)) {
      m = mb;
      break;
    }
    if (mb == -kInf) continue;
    if (mb > m) {
      d *= std::exp(m - mb);  // m = -inf before the first finite block: d = 0 stays 0
      m = mb;
    }
    for (std::size_t j = b; j < b + len; ++j) d += std::exp(x[j] - m);
  }
  // All -inf: m = -inf, d = 0, and exp(-inf - -inf) = NaN everywhere (policy nan).
  for (std::size_t j = 0; j < n; ++j) y[j] = std::exp(x[j] - m) / d;
}

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr std::size_t kLanes = 8;

void pairwise(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r)
    pairwise_row(static_cast<const float*>(xv) + r * cols, static_cast<float*>(yv) + r * cols,
                 cols);
}

// y_j = e_j * (1/s): one division per row instead of per element, as vectorised kernels do. It
// rounds twice (1/s, then the product) where e_j / s rounds once, so its componentwise error is
// (K + 1) u with K the shifted bound's factor. The contract declares the shifted algorithm with
// glibc's exp at 1 ulp; glibc's expf is within 0.502 ulp (glibc libm-test-ulps), which leaves
// 2 x 0.5 ulp of the declared exp error (own exp and the sum's) to cover the extra rounding.
void reciprocal(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float* y = static_cast<float*>(yv) + r * cols;
    const float m = nan_max(x, cols);
    float s = 0.0f;
    for (std::size_t j = 0; j < cols; ++j) s += y[j] = std::exp(x[j] - m);
    const float inv = 1.0f / s;
    for (std::size_t j = 0; j < cols; ++j) y[j] *= inv;
  }
}

void online_blocked(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r)
    online_blocked_row(static_cast<const float*>(xv) + r * cols, static_cast<float*>(yv) + r * cols,
                       cols);
}

// f32 storage, f64 computation: the exps, the sum and the quotient in double, one rounding to
// f32 at the end. The contract declares accum f64, so the bound is the f64 shifted bound plus
// half an f32 ulp (error-model.md, mixed precision): the result is correctly rounded but for
// results within about n u64 of a rounding boundary.
void f64_accumulation(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float* y = static_cast<float*>(yv) + r * cols;
    const double m = nan_max(x, cols);
    double s = 0.0;
    for (std::size_t j = 0; j < cols; ++j) s += std::exp(static_cast<double>(x[j]) - m);
    for (std::size_t j = 0; j < cols; ++j)
      y[j] = static_cast<float>(std::exp(static_cast<double>(x[j]) - m) / s);
  }
}

// Kahan's compensated summation (Higham sec. 4.3): |error| <= (2u + O(n u^2)) sum |e_i|. Needs
// value-safe floating point (no -ffast-math, which would simplify c to 0).
void kahan(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float* y = static_cast<float*>(yv) + r * cols;
    const float m = nan_max(x, cols);
    float s = 0.0f, c = 0.0f;
    for (std::size_t j = 0; j < cols; ++j) {
      y[j] = std::exp(x[j] - m);
      const float v = y[j] - c;
      const float t = s + v;
      c = (t - s) - v;
      s = t;
    }
    for (std::size_t j = 0; j < cols; ++j) y[j] /= s;
  }
}

// A manually unrolled 8-lane body with a tail that keeps the lane structure: element j always goes
// to partial sum j % 8, so the sum is exactly the 8-lane tree the contract declares
// (h = ceil(n/8) - 1 + 3), whatever the width, and body and tail use the same exp.
void unrolled8(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float* y = static_cast<float*>(yv) + r * cols;
    const float m = nan_max(x, cols);
    float acc[kLanes] = {};
    std::size_t j = 0;
    for (; j + kLanes <= cols; j += kLanes)
      for (std::size_t l = 0; l < kLanes; ++l) acc[l] += y[j + l] = std::exp(x[j + l] - m);
    for (; j < cols; ++j) acc[j % kLanes] += y[j] = std::exp(x[j] - m);
    const float s =
        ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (j = 0; j < cols; ++j) y[j] /= s;
  }
}

// The two-pass algorithm (Dukhan & Ablavatski, arXiv:2001.04438): exp(x) is kept as a pair
// (mantissa e in [0.7, 1.42], integer exponent n) so it never overflows, and the first pass sums
// mantissas scaled to the running maximal exponent N (exact power-of-two rescales) without a max
// pass; the second pass writes e_j 2^(n_j - N) / s. The range reduction x = n ln2 + f is done in
// double with one fma (|n| < 2^26 here, so f is off by less than 2^26 ln2 2^-53 < 2^-27, an eighth
// of u32) and e = exp(f) is rounded to f32 once: no |x_j - max| amplification at all.
//
// Domain: the pair's exponent must be an exact small integer, so the contract admits rows whose
// max lies in [-2^24, 2^24]; entries more than 2^24 below it (which underflow anyway) count as 0.
constexpr double kLimit = 16777216.0;  // 2^24
constexpr double kLog2e = 1.4426950408889634;
constexpr double kLn2 = 0.6931471805599453;

struct Pair {
  float e;
  int64_t n;
};

Pair exp_pair(float x) {
  const double n = std::nearbyint(static_cast<double>(x) * kLog2e);
  const double f = std::fma(-n, kLn2, static_cast<double>(x));
  return {static_cast<float>(std::exp(f)), static_cast<int64_t>(n)};
}

float scale(float e, int64_t k) {  // e * 2^k for k <= 0, exact unless the result is subnormal
  return k < -300 ? 0.0f : std::ldexp(e, static_cast<int>(k));
}

void two_pass(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float* y = static_cast<float*>(yv) + r * cols;
    bool poisoned = false;  // a NaN or +inf logit: the row is NaN (contract: propagate)
    for (std::size_t j = 0; j < cols; ++j) poisoned = poisoned || std::isnan(x[j]) || x[j] == kInf;
    float s = 0.0f;
    int64_t big_n = std::numeric_limits<int64_t>::min();
    for (std::size_t j = 0; j < cols && !poisoned; ++j) {
      if (!(x[j] >= -2 * kLimit)) continue;  // -inf or far below the domain's smallest max: 0
      const Pair p = exp_pair(x[j]);
      if (p.n > big_n) {
        s = big_n == std::numeric_limits<int64_t>::min() ? 0.0f : scale(s, big_n - p.n);
        big_n = p.n;
      }
      s += scale(p.e, p.n - big_n);
    }
    if (poisoned || big_n == std::numeric_limits<int64_t>::min()) {
      std::fill(y, y + cols, kNaN);  // NaN/+inf, or an all -inf row (policy nan)
      continue;
    }
    for (std::size_t j = 0; j < cols; ++j) {
      if (!(x[j] >= -2 * kLimit)) {
        y[j] = 0.0f;
        continue;
      }
      const Pair p = exp_pair(x[j]);
      y[j] = scale(p.e, p.n - big_n) / s;
    }
  }
}

Contract f32(const char* name, const char* summary, Algorithm a = Algorithm::shifted,
             Summation s = Summation::serial, int lanes = 1) {
  return softmax_contract(name, DType::f32, summary, a, s, lanes);
}

}  // namespace

std::vector<Kernel> correct_f32_kernels() {
  Contract f64acc = f32("f32_softmax_shifted_f64acc__scalar",
                        "correct (tests/mutants): f64 exps and sum, one rounding to f32");
  f64acc.accum = DType::f64;
  Contract twopass = f32("f32_softmax_two_pass__scalar",
                         "correct (tests/mutants): Dukhan-Ablavatski (mantissa, exponent) pairs",
                         Algorithm::two_pass);
  twopass.domain.min_row_max = -kLimit;
  twopass.domain.max_logit = kLimit;
  return {
      {f32("f32_softmax_shifted_pairwise__scalar", "correct (tests/mutants): pairwise sum",
           Algorithm::shifted, Summation::pairwise),
       RowwiseFn{pairwise}},
      {f32("f32_softmax_shifted_reciprocal__scalar", "correct (tests/mutants): y = e * (1/s)"),
       RowwiseFn{reciprocal}},
      {f32("f32_softmax_online_blocked__scalar", "correct (tests/mutants): online by blocks of 16",
           Algorithm::online),
       RowwiseFn{online_blocked}},
      {f64acc, RowwiseFn{f64_accumulation}},
      {f32("f32_softmax_shifted_kahan__scalar", "correct (tests/mutants): Kahan summation",
           Algorithm::shifted, Summation::kahan),
       RowwiseFn{kahan}},
      {f32("f32_softmax_shifted__scalar_x8",
           "correct (tests/mutants): 8-lane unrolled body, lane-preserving tail",
           Algorithm::shifted, Summation::k_lane, kLanes),
       RowwiseFn{unrolled8}},
      {twopass, RowwiseFn{two_pass}},
  };
}

}  // namespace softcheck::mutants
