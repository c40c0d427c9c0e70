// Max-shifted log-softmax: l_j = (x_j - a) - log(sum_i exp(x_i - a)), a = max_i x_i.
//
// Why this form (Blanchard, Higham & Higham, "Accurately computing the log-sum-exp and softmax
// functions", IMA J. Numer. Anal. 41(4), 2021; error-model.md "Log-softmax"):
// - x_j - a is formed first, so the large common offset of the logits cancels exactly before
//   anything is rounded: logits near +-1e7 with a small spread keep their fractional
//   log-probabilities. Computing x_j - (a + log s) instead rounds a + log s at the magnitude of a
//   and returns whole numbers there (the known bug class; tests/ops/wrong_op_kernels.cpp has it).
// - log is taken of the sum, never of the probabilities: log(softmax(x)) underflows to -inf once
//   x_j - a < -103.97 in f32, while l_j here stays finite for every finite row (up to overflow of
//   x_j - a itself, i.e. a spread beyond the largest finite value, where -inf is the correctly
//   rounded result).
// - Every l_j <= 0 exactly in floating point: x_j - a <= 0 is rounded monotonically, s >= 1 because
//   the max term is exp(0) = 1 and the others are >= 0, so log(s) >= 0.
//
// Error (absolute; log-probabilities are judged by absolute error), first order in u of the accum
// type, with n the row length and Delta = xmax - xmin over the finite entries:
//   |l^_j - l_j| <= [2 |l_j| + (n - 1) + Delta + 2 exp_ulps + 2 log_ulps ln n] u.
// |l_j| u from the final subtraction and |x_j - a| u <= |l_j| u from the shift; (n - 1) u from the
// serial sum; Delta u from the shifted exp arguments' own rounding; 2 u per ulp of exp (each term)
// and of log (log s <= ln n). f16/bf16 storage: computed in f32 with u = 2^-24, then rounded once
// to the storage format (+ half an ulp of the output format).
//
// Special values: a -inf logit gives exactly -inf (exp(-inf) = 0 adds nothing to s); a NaN or +inf
// logit makes the max or the shift NaN and the whole row NaN; an all -inf row gives NaN everywhere
// (MaskedRowPolicy::nan).
#include <cmath>
#include <cstddef>

#include "impl/ops/ops_families.hpp"
#include "impl/ops/row_io.hpp"

namespace softcheck::ops {
namespace {

template <DType D>
void log_softmax_shifted(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  using IO = Io<D>;
  using Acc = typename IO::Acc;
  if (cols == 0) return;
  const auto* x = static_cast<const typename IO::Storage*>(xv);
  auto* y = static_cast<typename IO::Storage*>(yv);
  for (std::size_t r = 0; r < rows; ++r) {
    const auto* xr = x + r * cols;
    auto* yr = y + r * cols;
    const Acc a = row_max<D>(xr, cols);
    Acc s = 0;
    for (std::size_t i = 0; i < cols; ++i) s += std::exp(IO::load(xr[i]) - a);
    const Acc log_s = std::log(s);
    for (std::size_t j = 0; j < cols; ++j) yr[j] = IO::store((IO::load(xr[j]) - a) - log_s);
  }
}

Kernel make(DType dtype, RowwiseFn fn, const char* summary) {
  return Kernel{ops_contract(Op::log_softmax, dtype, summary), fn};
}

}  // namespace

std::vector<Kernel> log_softmax_kernels() {
  return {
      make(DType::f32, &log_softmax_shifted<DType::f32>,
           "log-softmax (x - max) - log(sum exp(x - max)), f32, serial sum, glibc expf/logf"),
      make(DType::f64, &log_softmax_shifted<DType::f64>,
           "log-softmax (x - max) - log(sum exp(x - max)), f64, serial sum, glibc exp/log"),
      make(DType::f16, &log_softmax_shifted<DType::f16>,
           "log-softmax, f16 storage, f32 compute, one round-to-nearest-even at the end"),
      make(DType::bf16, &log_softmax_shifted<DType::bf16>,
           "log-softmax, bf16 storage, f32 compute, one round-to-nearest-even at the end"),
  };
}

}  // namespace softcheck::ops
