// Fused softmax cross-entropy, loss and gradient in one pass over the logits:
//   loss_r = lse(x_r) - x_r[label_r] = log(s) + (a - x_label),   a = max x_r, s = sum exp(x_i - a)
//   dx_r   = softmax(x_r) - onehot(label_r),   softmax computed as exp(x_j - a) / s.
//
// Why this form:
// - lse = a + log(s) (Blanchard, Higham & Higham 2021, sec. 2) but the loss is assembled as
//   log(s) + (a - x_label): the offset a cancels exactly against x_label before anything is rounded
//   at its magnitude, so logits near +-1e7 do not lose the loss to cancellation (the same reason as
//   in log_softmax.cpp). Both terms are >= 0, hence loss >= 0 exactly in floating point.
// - p_j is the shifted-divide softmax, whose outputs lie in [0, 1] exactly; dx[label] = p_label - 1
//   is then rounded once and lies in [-1, 0].
// - Cross-entropy's gradient p - e_label sums to 0 (error-model.md, "Exact facts").
//
// Error, first order in u of the accum type (n = cols, Delta = xmax - xmin over finite entries,
// d_j = a - x_j):
//   loss:  |loss^ - loss| <= [2 loss + (n - 1) + Delta + 2 exp_ulps + 2 log_ulps ln n] u
//          (as for log-softmax with |l_label| = loss);
//   dx:    |dx^_j - dx_j| <= p_j (n + d_j + Delta + 4 exp_ulps) u + u |dx_j|
//          (componentwise bound of the shifted softmax, BHH Thm 4.3 and error-model.md, plus the
//          rounding of p_label - 1).
//
// Labels are int64. A label outside [0, cols) is a precondition violation; the kernel never reads
// x at it: it writes NaN to that row's loss and to its whole dx row (nothing is left unwritten), so
// the violation cannot pass for a finite result. Other rows are unaffected.
// Special values: a -inf logit gets p = 0 exactly (dx = 0, or -1 at the label, where the loss is
// +inf); NaN or +inf anywhere in the row makes loss and dx NaN; an all -inf row gives NaN.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "impl/ops/ops_families.hpp"
#include "impl/ops/row_io.hpp"

namespace softcheck::ops {
namespace {

template <DType D>
void cross_entropy_shifted(const void* xv, const int64_t* labels, void* lossv, void* dxv,
                           std::size_t rows, std::size_t cols) {
  using IO = Io<D>;
  using Acc = typename IO::Acc;
  // dx holds the unnormalised e_i between the passes; a 16-bit storage would round them.
  static_assert(std::is_same_v<typename IO::Storage, Acc>, "storage must be the accum type");
  const auto* x = static_cast<const typename IO::Storage*>(xv);
  auto* loss = static_cast<typename IO::Storage*>(lossv);
  auto* dx = static_cast<typename IO::Storage*>(dxv);
  constexpr Acc kNaN = std::numeric_limits<Acc>::quiet_NaN();
  for (std::size_t r = 0; r < rows; ++r) {
    const auto* xr = x + r * cols;
    auto* dxr = dx + r * cols;
    const int64_t label = labels[r];
    if (label < 0 || static_cast<uint64_t>(label) >= cols) {
      loss[r] = IO::store(kNaN);
      for (std::size_t j = 0; j < cols; ++j) dxr[j] = IO::store(kNaN);
      continue;
    }
    const auto k = static_cast<std::size_t>(label);
    const Acc a = row_max<D>(xr, cols);
    // Pass 1: e_i = exp(x_i - a) kept in dx (storage type = accum type for f32/f64), s = sum e_i.
    Acc s = 0;
    for (std::size_t i = 0; i < cols; ++i) {
      const Acc e = std::exp(IO::load(xr[i]) - a);
      dxr[i] = IO::store(e);
      s += e;
    }
    // Pass 2: p_j = e_j / s (a division, not a multiplication by 1/s: one rounding per output).
    for (std::size_t j = 0; j < cols; ++j) dxr[j] = IO::store(IO::load(dxr[j]) / s);
    dxr[k] = IO::store(IO::load(dxr[k]) - Acc{1});
    loss[r] = IO::store(std::log(s) + (a - IO::load(xr[k])));
  }
}

Kernel make(DType dtype, CrossEntropyFn fn, const char* summary) {
  return Kernel{ops_contract(Op::cross_entropy, dtype, summary), fn};
}

}  // namespace

std::vector<Kernel> cross_entropy_kernels() {
  return {
      make(DType::f32, &cross_entropy_shifted<DType::f32>,
           "fused cross-entropy: loss log(s) + (max - x_label), dx = softmax - onehot, f32"),
      make(DType::f64, &cross_entropy_shifted<DType::f64>,
           "fused cross-entropy: loss log(s) + (max - x_label), dx = softmax - onehot, f64"),
  };
}

}  // namespace softcheck::ops
