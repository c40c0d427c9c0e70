// Wrong-on-purpose kernels of the softmax-derived ops (issue 4). Each is written the way such code
// is written in the wild, in f32 where the defects show first, and carries the contract of the
// correct kernel of its op (impl/ops/ops_families.hpp): the suite has to find the bug, not read it
// off the contract. The comment above each names the bug class and the property expected to
// catch it.
#include "tests/ops/wrong_op_kernels.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

#include "impl/ops/ops_families.hpp"

namespace softcheck::testing {
namespace {

float row_max(const float* x, std::size_t n) {
  float m = x[0];
  for (std::size_t i = 1; i < n; ++i)
    if (x[i] > m || std::isnan(x[i])) m = x[i];
  return m;
}

// Bug class: log-softmax as log(softmax(x)). Correct near the max, but p_j = exp(x_j - a) / s
// becomes subnormal below x_j - a = -87.34 (losing relative accuracy) and 0 below -103.97, where
// the log gives -inf for a finite logit.
// Caught by: "log-softmax is finite for finite inputs" (a row with a spread beyond
// 104, e.g. [0, -200]), and by the absolute error against the oracle.
void log_of_softmax_f32(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  if (cols == 0) return;
  const auto* x = static_cast<const float*>(xv);
  auto* y = static_cast<float*>(yv);
  for (std::size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    const float a = row_max(xr, cols);
    float s = 0;
    for (std::size_t i = 0; i < cols; ++i) s += std::exp(xr[i] - a);
    for (std::size_t j = 0; j < cols; ++j) yr[j] = std::log(std::exp(xr[j] - a) / s);
  }
}

// Bug class: log-softmax as x - lse with lse = max + log(sum) formed first. a + log(s) is rounded
// at the magnitude of a, so for logits offset by +-1e7 (f32 ulp 1 there) with a small spread the
// result is x_j minus a whole number: whole-number log-probabilities, off by up to half an ulp of
// the offset.
// Caught by: "absolute error against the oracle within the bound" on logits offset by
// +-1e7 with a small spread.
void lse_cancellation_f32(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  if (cols == 0) return;
  const auto* x = static_cast<const float*>(xv);
  auto* y = static_cast<float*>(yv);
  for (std::size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    const float a = row_max(xr, cols);
    float s = 0;
    for (std::size_t i = 0; i < cols; ++i) s += std::exp(xr[i] - a);
    const float lse = a + std::log(s);
    for (std::size_t j = 0; j < cols; ++j) yr[j] = xr[j] - lse;
  }
}

// Bug class: wrong backward formula, the dot product without the y weighting:
// dx = y * (dy - sum(dy)) instead of y * (dy - <dy, y>).
// Caught by: "backward(dy = 1) = 0" (this returns y (1 - n)); also sum(dx) = 0, the symmetry
// <u, backward(v)> = <backward(u), v> and the invariance of dx under dy + c 1.
void unweighted_dot_backward_f32(const void* yv, const void* dyv, void* dxv, std::size_t rows,
                                 std::size_t cols) {
  const auto* y = static_cast<const float*>(yv);
  const auto* dy = static_cast<const float*>(dyv);
  auto* dx = static_cast<float*>(dxv);
  for (std::size_t r = 0; r < rows; ++r) {
    const float* yr = y + r * cols;
    const float* dyr = dy + r * cols;
    float* dxr = dx + r * cols;
    float sum = 0;
    for (std::size_t i = 0; i < cols; ++i) sum += dyr[i];
    for (std::size_t j = 0; j < cols; ++j) dxr[j] = yr[j] * (dyr[j] - sum);
  }
}

// Bug class: cross-entropy label handling, the one-hot built as if labels were 1-based
// (j + 1 == label). The loss reads x[label] correctly, so loss-only checks pass; the gradient
// subtracts 1 at label - 1 (nothing at all for label 0).
// Caught by: "cross-entropy dx against the oracle"; "dx[label] in [-1, 0]"
// (dx[label] = p_label > 0); "dx sums to 0" for label 0 (the sum is 1).
void one_based_label_cross_entropy_f32(const void* xv, const int64_t* labels, void* lossv,
                                       void* dxv, std::size_t rows, std::size_t cols) {
  const auto* x = static_cast<const float*>(xv);
  auto* loss = static_cast<float*>(lossv);
  auto* dx = static_cast<float*>(dxv);
  for (std::size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* dxr = dx + r * cols;
    const int64_t label = labels[r];
    if (label < 0 || static_cast<uint64_t>(label) >= cols) {
      loss[r] = std::numeric_limits<float>::quiet_NaN();
      for (std::size_t j = 0; j < cols; ++j) dxr[j] = std::numeric_limits<float>::quiet_NaN();
      continue;
    }
    const float a = row_max(xr, cols);
    float s = 0;
    for (std::size_t i = 0; i < cols; ++i) s += std::exp(xr[i] - a);
    for (std::size_t j = 0; j < cols; ++j) {
      const float onehot = static_cast<int64_t>(j) + 1 == label ? 1.0f : 0.0f;
      dxr[j] = std::exp(xr[j] - a) / s - onehot;
    }
    loss[r] = std::log(s) + (a - xr[label]);
  }
}

// Bug class: temperature applied the wrong way, softmax(x * tau) instead of softmax(x / tau)
// (temperature confused with the inverse temperature beta = 1 / tau). Identical at tau = 1.
// Caught by: "tau -> inf approaches uniform 1/n" (this sharpens to one-hot), "tau -> 0 gives
// one-hot" (this flattens to uniform), "entropy decreases as tau decreases", and
// "softmax_temp(x, tau) agrees with softmax(x / tau)" for any tau != 1.
void multiplied_temperature_f32(const void* xv, void* yv, std::size_t rows, std::size_t cols,
                                double tau) {
  if (cols == 0) return;
  const auto* x = static_cast<const float*>(xv);
  auto* y = static_cast<float*>(yv);
  for (std::size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    const float a = row_max(xr, cols);
    float s = 0;
    for (std::size_t i = 0; i < cols; ++i) {
      yr[i] = std::exp(static_cast<float>(static_cast<double>(xr[i] - a) * tau));
      s += yr[i];
    }
    for (std::size_t j = 0; j < cols; ++j) yr[j] /= s;
  }
}

Kernel wrong(Op op, KernelEntry entry, const char* bug, const char* summary) {
  Contract c = ops::ops_contract(op, DType::f32, summary);
  if (op == Op::softmax_temp) c.domain.min_tau = 0.0;
  c.name += std::string("_wrong_") + bug;  // dtype_op_algorithm__isa_variant: never a built-in name
  return Kernel{std::move(c), entry};
}

}  // namespace

std::vector<Kernel> wrong_op_kernels() {
  return {
      wrong(Op::log_softmax, RowwiseFn{&log_of_softmax_f32}, "log_of_softmax",
            "log-softmax as log(softmax(x)) (WRONG ON PURPOSE: -inf below x - max = -103.97)"),
      wrong(Op::log_softmax, RowwiseFn{&lse_cancellation_f32}, "lse_cancellation",
            "log-softmax as x - (max + log(sum)) (WRONG ON PURPOSE: cancels at large offsets)"),
      wrong(Op::softmax_backward, BackwardFn{&unweighted_dot_backward_f32}, "unweighted_dot",
            "softmax backward y * (dy - sum(dy)) (WRONG ON PURPOSE: dot product without y)"),
      wrong(Op::cross_entropy, CrossEntropyFn{&one_based_label_cross_entropy_f32},
            "one_based_label",
            "cross-entropy with a 1-based one-hot (WRONG ON PURPOSE: gradient at label - 1)"),
      wrong(Op::softmax_temp, TemperatureFn{&multiplied_temperature_f32}, "multiplied_tau",
            "softmax(x * tau) (WRONG ON PURPOSE: temperature multiplied instead of divided)"),
  };
}

}  // namespace softcheck::testing
