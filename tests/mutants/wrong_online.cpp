// Wrong on purpose: the online normaliser (Milakov & Gimelshein, arXiv:1805.02867). One pass keeps
// a running max m and d = sum exp(x_i - m); when m grows, d must be multiplied by exp(m_old -
// m_new). Each kernel gets one step of that wrong and claims the contract of a correct online
// kernel.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

#include "tests/mutants/mutant.hpp"
#include "tests/mutants/mutant_support.hpp"

namespace softcheck::mutants {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr const char* kWhere = "tests/mutants/wrong_online.cpp";

void normalise(const float* x, float* y, std::size_t n, float m, float d) {
  for (std::size_t j = 0; j < n; ++j) y[j] = std::exp(x[j] - m) / d;
}

// Bug class: online softmax with the rescale missing. When the running max grows, the terms
// summed so far stay relative to the old max: d is too large by a factor up to exp(m_new - m_old)
// on those terms. Exact only when the first logit is the max (or ties with it).
// Expected: sum_to_one.
void no_rescale(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float m = -kInf, d = 0.0f;
    for (std::size_t j = 0; j < cols; ++j) {
      if (std::isnan(x[j])) {
        m = x[j];
        break;
      }
      if (x[j] == -kInf) continue;
      if (x[j] > m) m = x[j];
      d += std::exp(x[j] - m);
    }
    normalise(x, static_cast<float*>(yv) + r * cols, cols, m, d);
  }
}

// Bug class: online softmax with the rescale inverted, exp(m_new - m_old) instead of
// exp(m_old - m_new) (the two maxima swapped in the subtraction). Each new maximum inflates the
// earlier terms instead of shrinking them; a jump beyond 88.72 overflows d to inf.
// Expected: sum_to_one.
void inverted_rescale(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float m = -kInf, d = 0.0f;
    for (std::size_t j = 0; j < cols; ++j) {
      if (std::isnan(x[j])) {
        m = x[j];
        break;
      }
      if (x[j] == -kInf) continue;
      if (x[j] > m) {
        d = (m == -kInf ? 0.0f : d * std::exp(x[j] - m)) + 1.0f;
        m = x[j];
      } else {
        d += std::exp(x[j] - m);
      }
    }
    normalise(x, static_cast<float*>(yv) + r * cols, cols, m, d);
  }
}

// Bug class: online softmax with exp(-inf - -inf) = NaN. Algorithm 3 of the paper transcribed
// literally: m_new = max(m, x_j); d = d exp(m - m_new) + exp(x_j - m_new). While every logit so
// far is masked, m = m_new = -inf and -inf - -inf is NaN, so any row that starts with a -inf
// (a causal or padding mask) is NaN everywhere. Unmasked rows are right.
// Expected: special_values (-inf must give 0 and the other outputs stay finite).
void masked_prefix_nan(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float m = -kInf, d = 0.0f;
    for (std::size_t j = 0; j < cols; ++j) {
      if (std::isnan(x[j])) {
        m = x[j];
        break;
      }
      const float m_new = std::max(m, x[j]);
      d = d * std::exp(m - m_new) + std::exp(x[j] - m_new);
      m = m_new;
    }
    normalise(x, static_cast<float*>(yv) + r * cols, cols, m, d);
  }
}

// Bug class: online softmax with a wrong rescale when merging blocks. Blocks of 16 are reduced to
// (max, sum) pairs and merged; the merge rescales the running sum when the block's max is larger
// but adds a block with a smaller max unscaled (one side of the merge forgotten). Exact for rows
// of up to 16 columns, and whenever no later block has a smaller max than the running one.
// Expected: sum_to_one (rows longer than 16).
void block_merge_one_sided(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  constexpr std::size_t kBlock = 16;
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float m = -kInf, d = 0.0f;
    for (std::size_t b = 0; b < cols; b += kBlock) {
      const std::size_t len = std::min(kBlock, cols - b);
      const float mb = nan_max(x + b, len);
      if (mb == -kInf) continue;  // a fully masked block adds nothing
      float db = 0.0f;
      for (std::size_t j = b; j < b + len; ++j) db += std::exp(x[j] - mb);
      if (std::isnan(mb)) {
        m = mb;
        break;
      }
      if (mb > m) {
        d = d * std::exp(m - mb) + db;
        m = mb;
      } else {
        d += db;  // should be db * exp(mb - m)
      }
    }
    normalise(x, static_cast<float*>(yv) + r * cols, cols, m, d);
  }
}

Contract online(const char* summary) {
  return softmax_contract("f32_softmax_online__scalar", DType::f32, summary, Algorithm::online);
}

}  // namespace

std::vector<Mutant> wrong_online_kernels() {
  return {
      mutant("no_rescale", online("WRONG ON PURPOSE (tests/mutants): no rescale"),
             RowwiseFn{no_rescale}, BugClass::online_rescale, "running sum not rescaled",
             "sum_to_one", kWhere),
      mutant("inverted_rescale", online("WRONG ON PURPOSE (tests/mutants): rescale inverted"),
             RowwiseFn{inverted_rescale}, BugClass::online_rescale, "rescale exp(m_new - m_old)",
             "sum_to_one", kWhere),
      mutant("masked_prefix_nan", online("WRONG ON PURPOSE (tests/mutants): -inf - -inf"),
             RowwiseFn{masked_prefix_nan}, BugClass::online_rescale,
             "exp(-inf - -inf) = NaN on masked prefixes", "special_values", kWhere),
      mutant("block_merge_one_sided",
             online("WRONG ON PURPOSE (tests/mutants): block merge rescales one side"),
             RowwiseFn{block_merge_one_sided}, BugClass::online_rescale,
             "block merge rescales one side", "sum_to_one", kWhere),
  };
}

}  // namespace softcheck::mutants
