// Wrong on purpose: the max shift. Each kernel computes y = exp(x - m) / sum exp(x - m) with an m
// that is not the row's max (or no m at all), and claims the contract of a correct max-shifted f32
// kernel. Mathematically softmax does not depend on m; numerically, m below the max lets exp
// overflow and m far above it lets every exp underflow to 0 (0/0 = NaN).
#include <cmath>
#include <cstddef>
#include <limits>

#include "tests/mutants/mutant.hpp"
#include "tests/mutants/mutant_support.hpp"

namespace softcheck::mutants {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr const char* kWhere = "tests/mutants/wrong_max.cpp";

// The three passes shared by the kernels below once they have chosen their shift m.
void shifted_rest(const float* x, float* y, std::size_t n, float m) {
  float s = 0.0f;
  for (std::size_t j = 0; j < n; ++j) {
    y[j] = std::exp(x[j] - m);
    s += y[j];
  }
  for (std::size_t j = 0; j < n; ++j) y[j] /= s;
}

// Bug class: overflow without the max shift. exp(x_j) / sum exp(x_i), exact in exact arithmetic
// and accurate while every logit is below 88.72; from there exp(x) = inf and the row is inf/inf =
// NaN (and a row whose logits are all below -103.97 is 0/0).
// Expected: unit_interval (near-overflow logits give NaN).
void unshifted(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float* y = static_cast<float*>(yv) + r * cols;
    float s = 0.0f;
    for (std::size_t j = 0; j < cols; ++j) s += y[j] = std::exp(x[j]);
    for (std::size_t j = 0; j < cols; ++j) y[j] /= s;
  }
}

// Bug class: running max initialised to a finite sentinel, here 0 (as for ReLU outputs, which are
// never negative). Rows whose logits are all negative keep m = 0: x - 0 < -103.97 underflows every
// exp to 0 and the row is 0/0 = NaN; between -103.97 and -87.34 the sum is subnormal and inexact.
// Expected: unit_interval (large negative offsets).
void max_from_zero(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float m = 0.0f;
    for (std::size_t j = 0; j < cols; ++j)
      if (x[j] > m || std::isnan(x[j])) m = x[j];
    shifted_rest(x, static_cast<float*>(yv) + r * cols, cols, m);
  }
}

// Bug class: running max initialised to a finite sentinel (the "minus infinity" of attention code:
// -1e4, -1e9, -1e30, -FLT_MAX / 2). Right for every row whose max is above the sentinel; a row of
// logits more than 103.97 below it keeps m = sentinel and underflows to 0/0 = NaN. Only rows near
// the bottom of the format reach the larger ones (generators.cpp, the whole-format families).
// Expected: unit_interval (rows below the sentinel).
template <float Sentinel>
void sentinel_max(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float m = Sentinel;
    for (std::size_t j = 0; j < cols; ++j)
      if (x[j] > m || std::isnan(x[j])) m = x[j];
    shifted_rest(x, static_cast<float*>(yv) + r * cols, cols, m);
  }
}

// Bug class: masking with a large negative number instead of -inf. The kernel replaces every -inf
// entry by Mask before a correct max-shifted softmax, so a masked entry weighs exp(Mask - m): 0
// while the live logits are far above Mask, but the whole row when they all lie below it.
// Expected: accuracy (a masked entry must give exactly 0).
template <float Mask>
void mask_as_finite(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float* y = static_cast<float*>(yv) + r * cols;
    float m = -kInf;
    for (std::size_t j = 0; j < cols; ++j) {
      y[j] = x[j] == -kInf ? Mask : x[j];
      if (y[j] > m || std::isnan(y[j])) m = y[j];
    }
    shifted_rest(y, y, cols, m);
  }
}

// Bug class: running max missing element 0. The loop was written for `m = x[0]; for (j = 1 ...)`
// and the initialisation later changed to -inf (for empty rows) without moving the loop start.
// A single-column row gets m = -inf, exp(x - -inf) = inf and inf/inf = NaN; longer rows overflow
// when x[0] exceeds the rest by more than 88.72, and lose accuracy when x[0] is the max.
// Expected: unit_interval (cols = 1).
void max_skips_first(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float m = -kInf;
    for (std::size_t j = 1; j < cols; ++j)
      if (x[j] > m || std::isnan(x[j])) m = x[j];
    shifted_rest(x, static_cast<float*>(yv) + r * cols, cols, m);
  }
}

// Bug class: wrong reduction axis in batches. The max is reduced over the whole batch (one shift
// for every row, "it is only a shift") while the sums are per row. A single row is exact; in a
// batch, a row whose max is far below the batch max underflows (0/0 = NaN past 103.97) and any
// other row is rounded differently from the same row alone.
// Expected: batch_independence.
void batch_max(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  const float m = nan_max(static_cast<const float*>(xv), rows * cols);
  for (std::size_t r = 0; r < rows; ++r)
    shifted_rest(static_cast<const float*>(xv) + r * cols, static_cast<float*>(yv) + r * cols, cols,
                 m);
}

Contract claims() {
  return softmax_contract("f32_softmax_shifted__scalar", DType::f32,
                          "WRONG ON PURPOSE (tests/mutants): max shift");
}

}  // namespace

std::vector<Mutant> wrong_max_kernels() {
  return {
      mutant("unshifted", claims(), RowwiseFn{unshifted}, BugClass::no_max_shift,
             "exp(x) / sum exp(x), no shift", "unit_interval", kWhere),
      mutant("max_from_zero", claims(), RowwiseFn{max_from_zero}, BugClass::max_sentinel,
             "running max starts at 0", "unit_interval", kWhere),
      mutant("sentinel_minus_1e4", claims(), RowwiseFn{sentinel_max<-1e4f>}, BugClass::max_sentinel,
             "running max starts at -1e4", "unit_interval", kWhere),
      mutant("sentinel_minus_1e9", claims(), RowwiseFn{sentinel_max<-1e9f>}, BugClass::max_sentinel,
             "running max starts at -1e9", "unit_interval", kWhere),
      mutant("sentinel_minus_1e30", claims(), RowwiseFn{sentinel_max<-1e30f>},
             BugClass::max_sentinel, "running max starts at -1e30", "unit_interval", kWhere),
      mutant("sentinel_minus_half_max", claims(),
             RowwiseFn{sentinel_max<-std::numeric_limits<float>::max() / 2>},
             BugClass::max_sentinel, "running max starts at -FLT_MAX / 2", "unit_interval", kWhere),
      mutant("mask_as_minus_1e9", claims(), RowwiseFn{mask_as_finite<-1e9f>},
             BugClass::max_sentinel, "-inf masks replaced by -1e9", "accuracy", kWhere),
      mutant("mask_as_minus_1e30", claims(), RowwiseFn{mask_as_finite<-1e30f>},
             BugClass::max_sentinel, "-inf masks replaced by -1e30", "accuracy", kWhere),
      mutant("max_skips_first", claims(), RowwiseFn{max_skips_first}, BugClass::max_sentinel,
             "max loop starts at element 1", "unit_interval", kWhere),
      mutant("batch_max", claims(), RowwiseFn{batch_max}, BugClass::axis_or_stride,
             "max reduced over the whole batch", "batch_independence", kWhere),
  };
}

}  // namespace softcheck::mutants
