// Wrong on purpose: special values. Each kernel is exact on finite rows of ordinary logits and
// mishandles NaN, +inf, -inf masks or single-column rows in a way seen in public kernels (peers.md:
// "+inf / NaN / all -inf rows handled inconsistently"). The claimed contract is the project's
// policy: -inf gives 0, NaN and +inf propagate, an all -inf row gives NaN.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

#include "tests/mutants/mutant.hpp"
#include "tests/mutants/mutant_support.hpp"

namespace softcheck::mutants {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr const char* kWhere = "tests/mutants/wrong_special.cpp";

void shifted_row(const float* x, float* y, std::size_t n) {
  const float m = nan_max(x, n);
  float s = 0.0f;
  for (std::size_t j = 0; j < n; ++j) s += y[j] = std::exp(x[j] - m);
  for (std::size_t j = 0; j < n; ++j) y[j] /= s;
}

// Bug class: NaN swallowed. The max uses fmaxf (which returns the other operand when one is NaN)
// and masked logits skip the exp with `x > -inf ? exp(x - m) : 0`, a test that NaN fails too: a
// NaN logit is treated as masked and the row is a clean probability vector.
// Expected: special_values (one NaN must not give finite probabilities).
void nan_swallowed(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float* y = static_cast<float*>(yv) + r * cols;
    float m = -kInf;
    for (std::size_t j = 0; j < cols; ++j) m = std::fmax(m, x[j]);
    float s = 0.0f;
    for (std::size_t j = 0; j < cols; ++j) s += y[j] = x[j] > -kInf ? std::exp(x[j] - m) : 0.0f;
    for (std::size_t j = 0; j < cols; ++j) y[j] /= s;
  }
}

// Bug class: fully masked rows handled against the contract. A guard "avoids NaN" by giving an
// all -inf row the uniform distribution 1/n, where the contract (and torch, oneDNN) say NaN.
// Expected: special_values (all -inf row).
void masked_row_uniform(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float* y = static_cast<float*>(yv) + r * cols;
    if (nan_max(x, cols) == -kInf) {
      std::fill(y, y + cols, 1.0f / static_cast<float>(cols));
      continue;
    }
    shifted_row(x, y, cols);
  }
}

// Bug class: masked logits mishandled. Logits are clamped to >= -1e4 so that -inf masks become
// finite ("no inf arithmetic"): an all -inf row gives 1/n instead of NaN, a masked logit gets a
// nonzero share when the row's max is within 104 of -1e4, and finite logits below -1e4 are moved.
// Expected: special_values (all -inf row).
void mask_clamped(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float* y = static_cast<float*>(yv) + r * cols;
    float m = -kInf;
    for (std::size_t j = 0; j < cols; ++j) {
      const float v = std::isnan(x[j]) ? x[j] : std::max(x[j], -1e4f);
      if (v > m || std::isnan(v)) m = v;
    }
    float s = 0.0f;
    for (std::size_t j = 0; j < cols; ++j)
      s += y[j] = std::exp((std::isnan(x[j]) ? x[j] : std::max(x[j], -1e4f)) - m);
    for (std::size_t j = 0; j < cols; ++j) y[j] /= s;
  }
}

// Bug class: single-column rows mishandled. A fast path for cols == 1 writes 1.0 ("softmax of one
// element is 1"): right for every finite logit, wrong for NaN and +inf (must propagate) and -inf
// (an all -inf row: NaN by contract).
// Expected: special_values (cols = 1).
void single_column_shortcut(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float* y = static_cast<float*>(yv) + r * cols;
    if (cols == 1) {
      y[0] = 1.0f;
      continue;
    }
    shifted_row(x, y, cols);
  }
}

// Bug class: +inf handled inconsistently (overflow avoided by clamping, not by the shift). Logits
// are clamped to [-88, 88] and exp(x) / sum exp(x) computed unshifted: rows inside [-88, 88] are
// right (up to the unshifted algorithm's error), logits above 88 tie at 88, and a +inf logit
// becomes 88: a finite probability vector instead of NaN or one-hot.
// Expected: special_values (one +inf).
void clamp_88(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float* y = static_cast<float*>(yv) + r * cols;
    float s = 0.0f;
    for (std::size_t j = 0; j < cols; ++j)
      s += y[j] = std::exp(std::isnan(x[j]) ? x[j] : std::clamp(x[j], -88.0f, 88.0f));
    for (std::size_t j = 0; j < cols; ++j) y[j] /= s;
  }
}

Contract claims(const char* summary) {
  return softmax_contract("f32_softmax_shifted__scalar", DType::f32, summary);
}

}  // namespace

std::vector<Mutant> wrong_special_kernels() {
  return {
      mutant("nan_swallowed", claims("WRONG ON PURPOSE (tests/mutants): NaN treated as masked"),
             RowwiseFn{nan_swallowed}, BugClass::special_values,
             "NaN treated as a mask (fmaxf, x > -inf)", "special_values", kWhere),
      mutant("masked_row_uniform", claims("WRONG ON PURPOSE (tests/mutants): all -inf gives 1/n"),
             RowwiseFn{masked_row_uniform}, BugClass::special_values, "all -inf row gives 1/n",
             "special_values", kWhere),
      mutant("mask_clamped", claims("WRONG ON PURPOSE (tests/mutants): -inf clamped to -1e4"),
             RowwiseFn{mask_clamped}, BugClass::special_values, "logits clamped to >= -1e4",
             "special_values", kWhere),
      mutant("single_column_shortcut",
             claims("WRONG ON PURPOSE (tests/mutants): cols = 1 writes 1"),
             RowwiseFn{single_column_shortcut}, BugClass::single_column,
             "cols = 1 fast path writes 1", "special_values", kWhere),
      mutant("clamp_88", claims("WRONG ON PURPOSE (tests/mutants): logits clamped to +-88"),
             RowwiseFn{clamp_88}, BugClass::special_values, "logits clamped to [-88, 88]",
             "special_values", kWhere),
  };
}

}  // namespace softcheck::mutants
