// Softmax backward pass: dx = y * (dy - <dy, y>), given the forward output y and the upstream
// gradient dy. This is J dy with the Jacobian J = diag(y) - y y^T of softmax (error-model.md,
// "Exact facts"), applied without forming J: one dot product, then one fused pass.
//
// The dot product <dy, y> is accumulated serially in the accumulation type (the f32 kernel in f32,
// as its contract says: Summation::serial, accum f32). Each term is the product dy_i y_i rounded
// once (no FMA is assumed), so, in the accum type with u its unit roundoff and
// gamma_n = n u / (1 - n u):
//   |dot^ - dot| <= gamma_n S,   S = sum_i |dy_i y_i|
//   |dx^_j - dx_j| <= |y_j| (gamma_n S + 2 u |dy_j - dot|)   (first order)
// (Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed., sec. 3.1, for the dot
// product; then one rounding for the subtraction and one for the product with y_j.)
//
// Exact identities the catalogue checks through this kernel: backward(dy = 1) = y (1 - sum y), i.e.
// 0 when y sums to 1; sum(dx) = 0; symmetry and PSD of J. NaN or inf in y or dy propagate through
// the dot product to the whole row.
#include <cstddef>

#include "impl/ops/ops_families.hpp"
#include "impl/ops/row_io.hpp"

namespace softcheck::ops {
namespace {

template <DType D>
void softmax_backward_serial(const void* yv, const void* dyv, void* dxv, std::size_t rows,
                             std::size_t cols) {
  using IO = Io<D>;
  using Acc = typename IO::Acc;
  const auto* y = static_cast<const typename IO::Storage*>(yv);
  const auto* dy = static_cast<const typename IO::Storage*>(dyv);
  auto* dx = static_cast<typename IO::Storage*>(dxv);
  for (std::size_t r = 0; r < rows; ++r) {
    const auto* yr = y + r * cols;
    const auto* dyr = dy + r * cols;
    auto* dxr = dx + r * cols;
    Acc dot = 0;
    for (std::size_t i = 0; i < cols; ++i) dot += IO::load(dyr[i]) * IO::load(yr[i]);
    for (std::size_t j = 0; j < cols; ++j)
      dxr[j] = IO::store(IO::load(yr[j]) * (IO::load(dyr[j]) - dot));
  }
}

Kernel make(DType dtype, BackwardFn fn, const char* summary) {
  return Kernel{ops_contract(Op::softmax_backward, dtype, summary), fn};
}

}  // namespace

std::vector<Kernel> softmax_backward_kernels() {
  return {
      make(DType::f32, &softmax_backward_serial<DType::f32>,
           "softmax backward y * (dy - <dy, y>), f32, dot product accumulated serially in f32"),
      make(DType::f64, &softmax_backward_serial<DType::f64>,
           "softmax backward y * (dy - <dy, y>), f64, dot product accumulated serially in f64"),
  };
}

}  // namespace softcheck::ops
