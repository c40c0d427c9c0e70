// Wrong on purpose: memory. Reads and writes outside the buffers, stores into the input, outputs
// never written. In a padded allocation (XNNPACK's XNN_EXTRA_BYTES, peers.md) most of these go
// unnoticed; the gallery runs them through the IsolatedInvoker, whose guard pages, read-only
// inputs and poisoned outputs turn each into a failed call with a named status. Never call these
// in-process: the accesses are real.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

#include "tests/mutants/mutant.hpp"
#include "tests/mutants/mutant_support.hpp"

namespace softcheck::mutants {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr const char* kWhere = "tests/mutants/wrong_memory.cpp";
constexpr std::size_t kLanes = 8;

// Bug class: out-of-bounds read. The max loop runs to j <= cols, reading x[cols]: the first logit
// of the next row (which can even raise the max), past the end of the buffer on the last row.
// Expected: any property's first call; status out_of_bounds (read past the end of x).
void max_reads_one_past(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float* y = static_cast<float*>(yv) + r * cols;
    float m = -kInf;
    for (std::size_t j = 0; j <= cols; ++j)
      if (x[j] > m || std::isnan(x[j])) m = x[j];
    float s = 0.0f;
    for (std::size_t j = 0; j < cols; ++j) s += y[j] = std::exp(x[j] - m);
    for (std::size_t j = 0; j < cols; ++j) y[j] /= s;
  }
}

// Bug class: out-of-bounds write. The tail is run as one more full 8-lane block: the loads are
// masked (lanes past the row read as -inf) but the stores are not, so y[cols .. roundup8(cols))
// is written: the next row's first outputs (rewritten later, so the results look right) and, on
// the last row, past the end of the buffer.
// Expected: any property's first call; status out_of_bounds (write past the end of y).
void tail_full_store(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float* y = static_cast<float*>(yv) + r * cols;
    const float m = nan_max(x, cols);
    float acc[kLanes] = {};
    for (std::size_t j = 0; j < cols; j += kLanes)
      for (std::size_t l = 0; l < kLanes; ++l) {
        const float v = j + l < cols ? x[j + l] : -kInf;
        acc[l] += y[j + l] = std::exp(v - m);
      }
    const float s =
        ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (std::size_t j = 0; j < cols; j += kLanes)
      for (std::size_t l = 0; l < kLanes; ++l) y[j + l] /= s;
  }
}

// Bug class: input modified. The exps are stored into x (through a const_cast: "the caller does
// not need the logits any more") and divided out into y. The outputs are right; the caller's
// logits are gone.
// Expected: any property's first call; status wrote_input.
void exp_in_place(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    float* x = const_cast<float*>(static_cast<const float*>(xv)) + r * cols;
    float* y = static_cast<float*>(yv) + r * cols;
    const float m = nan_max(x, cols);
    float s = 0.0f;
    for (std::size_t j = 0; j < cols; ++j) s += x[j] = std::exp(x[j] - m);
    for (std::size_t j = 0; j < cols; ++j) y[j] = x[j] / s;
  }
}

// Bug class: vector body and scalar tail disagree (tail outputs unwritten). The sum covers the
// whole row, but the final pass, written for the 8-lane body, has no tail: the last cols % 8
// outputs are never stored (all of them when cols < 8).
// Expected: any property's first call on such a width; status left_unwritten.
void tail_unwritten(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float* y = static_cast<float*>(yv) + r * cols;
    const float m = nan_max(x, cols);
    float acc[kLanes] = {};
    std::size_t j = 0;
    for (; j + kLanes <= cols; j += kLanes)
      for (std::size_t l = 0; l < kLanes; ++l) acc[l] += std::exp(x[j + l] - m);
    for (; j < cols; ++j) acc[0] += std::exp(x[j] - m);
    const float inv_s =
        1.0f / (((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])));
    for (j = 0; j + kLanes <= cols; j += kLanes)
      for (std::size_t l = 0; l < kLanes; ++l) y[j + l] = std::exp(x[j + l] - m) * inv_s;
  }
}

// Bug class: wrong row stride. The input rows are addressed with a stride padded to a multiple of
// 8 (the layout of the library the kernel came from), the output rows with cols. One row, or a
// width that is a multiple of 8, is right; otherwise row r > 0 reads the wrong logits and the last
// row reads past the end of x.
// Expected: batch_independence (the first property with several rows); status out_of_bounds.
void padded_input_stride(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  const std::size_t ld = (cols + kLanes - 1) / kLanes * kLanes;
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * ld;
    float* y = static_cast<float*>(yv) + r * cols;
    const float m = nan_max(x, cols);
    float s = 0.0f;
    for (std::size_t j = 0; j < cols; ++j) s += y[j] = std::exp(x[j] - m);
    for (std::size_t j = 0; j < cols; ++j) y[j] /= s;
  }
}

Contract claims(const char* summary) {
  return softmax_contract("f32_softmax_shifted__scalar", DType::f32, summary);
}
Contract lanes8(const char* summary) {
  return softmax_contract("f32_softmax_shifted__scalar_x8", DType::f32, summary, Algorithm::shifted,
                          Summation::k_lane, kLanes);
}

}  // namespace

std::vector<Mutant> wrong_memory_kernels() {
  return {
      mutant("max_reads_one_past", claims("WRONG ON PURPOSE (tests/mutants): reads x[cols]"),
             RowwiseFn{max_reads_one_past}, BugClass::out_of_bounds, "max loop reads x[cols]",
             "unit_interval", kWhere, CallStatus::out_of_bounds),
      mutant("tail_full_store", lanes8("WRONG ON PURPOSE (tests/mutants): full-width tail store"),
             RowwiseFn{tail_full_store}, BugClass::out_of_bounds, "full-width store of the tail",
             "unit_interval", kWhere, CallStatus::out_of_bounds),
      mutant("exp_in_place", claims("WRONG ON PURPOSE (tests/mutants): exps stored into x"),
             RowwiseFn{exp_in_place}, BugClass::input_modified, "exps stored into x",
             "unit_interval", kWhere, CallStatus::wrote_input),
      mutant("tail_unwritten", lanes8("WRONG ON PURPOSE (tests/mutants): tail never stored"),
             RowwiseFn{tail_unwritten}, BugClass::body_tail, "tail outputs never stored",
             "unit_interval", kWhere, CallStatus::left_unwritten),
      mutant("padded_input_stride", claims("WRONG ON PURPOSE (tests/mutants): padded row stride"),
             RowwiseFn{padded_input_stride}, BugClass::axis_or_stride,
             "input rows padded to a multiple of 8", "batch_independence", kWhere,
             CallStatus::out_of_bounds),
  };
}

}  // namespace softcheck::mutants
