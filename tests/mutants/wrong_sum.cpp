// Wrong on purpose: the denominator sum exp(x_i - max). The max and the exps are right; the sum
// leaves terms out, counts some twice, keeps them in 16 bits, loses its compensation, or starts
// from whatever the memory held. Each kernel claims the contract of the correct kernel it was
// meant to be (8-lane, Kahan, bf16 with f32 accumulation).
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "impl/half/half_convert.hpp"
#include "tests/mutants/mutant.hpp"
#include "tests/mutants/mutant_support.hpp"

namespace softcheck::mutants {
namespace {

constexpr const char* kWhere = "tests/mutants/wrong_sum.cpp";
constexpr std::size_t kLanes = 8;

float tree8(const float* acc) {
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

// Bug class: vector body and scalar tail disagree (tail left out of the sum). A manually unrolled
// 8-lane body accumulates into 8 partial sums; the scalar tail writes its exps but never adds them.
// Exact when cols is a multiple of 8; otherwise the row sums to more than 1 (and a row shorter
// than 8 divides by 0).
// Expected: sum_to_one.
void tail_dropped(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float* y = static_cast<float*>(yv) + r * cols;
    const float m = nan_max(x, cols);
    float acc[kLanes] = {};
    std::size_t j = 0;
    for (; j + kLanes <= cols; j += kLanes)
      for (std::size_t l = 0; l < kLanes; ++l) acc[l] += y[j + l] = std::exp(x[j + l] - m);
    for (; j < cols; ++j) y[j] = std::exp(x[j] - m);
    const float s = tree8(acc);
    for (j = 0; j < cols; ++j) y[j] /= s;
  }
}

// Bug class: index overflow on huge tensors. The offset inside a row is kept in a 16-bit type (the
// same defect as a 32-bit int offset on a tensor of more than 2^31 elements, scaled down to rows
// that fit a test): past 65535 columns it wraps, the max and the sum see the first 65536 logits
// again and the outputs beyond them are never written.
// Expected: unit_interval (rows longer than 65536; unwritten outputs stay NaN).
void offset16(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float* y = static_cast<float*>(yv) + r * cols;
    float m = -INFINITY;
    for (std::size_t j = 0; j < cols; ++j) {
      const uint16_t o = static_cast<uint16_t>(j);
      if (x[o] > m || std::isnan(x[o])) m = x[o];
    }
    float s = 0.0f;
    for (std::size_t j = 0; j < cols; ++j) s += std::exp(x[static_cast<uint16_t>(j)] - m);
    for (std::size_t j = 0; j < cols; ++j) {
      const uint16_t o = static_cast<uint16_t>(j);
      y[o] = std::exp(x[o] - m) / s;
    }
  }
}

// A bf16 scalar with float arithmetic and a rounding on every assignment, like the bfloat16 types
// of tensor libraries: `acc += v` rounds the sum to 8 significant bits.
struct Bf16 {
  uint16_t bits = 0;
  operator float() const { return bf16_bits_to_float(bits); }
  Bf16& operator+=(float v) {
    bits = float_to_bf16_bits(static_cast<float>(*this) + v);
    return *this;
  }
};

// Bug class: accumulation in bf16. The kernel computes exp in f32 but keeps the sum in the storage
// type (`scalar_t sum = 0`). Each add rounds to 8 bits: once the sum reaches 256, an exp below 1
// is lost (256 + 1 ties to 256), so a row of 512 equal logits gives 1/256 instead of 1/512, and any
// row of a few dozen terms is off by several bf16 ulps.
// Expected: sum_to_one.
void bf16_sum(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const uint16_t* x = static_cast<const uint16_t*>(xv) + r * cols;
    uint16_t* y = static_cast<uint16_t*>(yv) + r * cols;
    float m = -INFINITY;
    for (std::size_t j = 0; j < cols; ++j) {
      const float v = bf16_bits_to_float(x[j]);
      if (v > m || std::isnan(v)) m = v;
    }
    Bf16 s;
    for (std::size_t j = 0; j < cols; ++j) s += std::exp(bf16_bits_to_float(x[j]) - m);
    const float sum = s;
    for (std::size_t j = 0; j < cols; ++j)
      y[j] = float_to_bf16_bits(std::exp(bf16_bits_to_float(x[j]) - m) / sum);
  }
}

// Bug class: compensated summation that compensates nothing. Kahan's c is declared inside the
// loop, so it is reset to 0 before each use: the sum is plain recursive summation, whose error
// grows with n, while the contract declares Kahan's 2u + O(n u^2). Right on short rows; wrong on
// long rows of comparable terms.
// Expected: accuracy (long rows).
void kahan_scoped(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float* y = static_cast<float*>(yv) + r * cols;
    const float m = nan_max(x, cols);
    float s = 0.0f;
    for (std::size_t j = 0; j < cols; ++j) {
      float c = 0.0f;
      y[j] = std::exp(x[j] - m);
      const float v = y[j] - c;
      const float t = s + v;
      c = (t - s) - v;
      s = t;
    }
    for (std::size_t j = 0; j < cols; ++j) y[j] /= s;
  }
}

// Bug class: uninitialised memory reduced as data. The 8 partial sums are zeroed only on the
// vector path (cols >= 8), the scalar path of short rows adds into them as found. In C the array is
// an uninitialised local, which in practice holds the previous call's partial sums; the static here
// makes that garbage reproducible. Right until a row of >= 8 columns has run, then every shorter
// row's sum carries its leftovers.
// Expected: sum_to_one.
void stale_partials(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  static float acc[kLanes];  // stands for `float acc[8];` without an initialiser
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float* y = static_cast<float*>(yv) + r * cols;
    const float m = nan_max(x, cols);
    std::size_t j = 0;
    if (cols >= kLanes) {
      for (float& a : acc) a = 0.0f;
      for (; j + kLanes <= cols; j += kLanes)
        for (std::size_t l = 0; l < kLanes; ++l) acc[l] += y[j + l] = std::exp(x[j + l] - m);
    }
    for (; j < cols; ++j) acc[j % kLanes] += y[j] = std::exp(x[j] - m);
    const float s = tree8(acc);
    for (j = 0; j < cols; ++j) y[j] /= s;
  }
}

Contract lanes8(const char* summary) {
  return softmax_contract("f32_softmax_shifted__scalar_x8", DType::f32, summary, Algorithm::shifted,
                          Summation::k_lane, kLanes);
}

}  // namespace

std::vector<Mutant> wrong_sum_kernels() {
  Contract bf16 = softmax_contract("bf16_softmax_shifted__scalar", DType::bf16,
                                   "WRONG ON PURPOSE (tests/mutants): sum kept in bf16");
  Contract kahan = softmax_contract("f32_softmax_shifted_kahan__scalar", DType::f32,
                                    "WRONG ON PURPOSE (tests/mutants): Kahan without compensation",
                                    Algorithm::shifted, Summation::kahan);
  return {
      mutant("tail_dropped", lanes8("WRONG ON PURPOSE (tests/mutants): tail not summed"),
             RowwiseFn{tail_dropped}, BugClass::body_tail, "8-lane body, tail left out of the sum",
             "sum_to_one", kWhere),
      mutant("offset16",
             softmax_contract("f32_softmax_shifted__scalar", DType::f32,
                              "WRONG ON PURPOSE (tests/mutants): 16-bit offsets"),
             RowwiseFn{offset16}, BugClass::index_overflow,
             "16-bit offset wraps past 65535 columns", "unit_interval", kWhere),
      mutant("bf16_sum", bf16, RowwiseFn{bf16_sum}, BugClass::half_accumulation, "sum kept in bf16",
             "sum_to_one", kWhere),
      mutant("kahan_scoped", kahan, RowwiseFn{kahan_scoped}, BugClass::weaker_than_declared,
             "Kahan compensation reset every step", "accuracy", kWhere),
      mutant("stale_partials", lanes8("WRONG ON PURPOSE (tests/mutants): partial sums not zeroed"),
             RowwiseFn{stale_partials}, BugClass::uninitialised,
             "partial sums not zeroed for short rows", "sum_to_one", kWhere),
  };
}

}  // namespace softcheck::mutants
