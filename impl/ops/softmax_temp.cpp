// Temperature softmax: y = softmax(x / tau), tau > 0 a kernel argument (double).
//
// Computed as t_j = (x_j - a) / tau with a = max x, then exp(t_j) / sum_i exp(t_i). The shift comes
// before the division; since tau > 0, max(x / tau) = a / tau, so this is the max-shifted softmax of
// x / tau (Blanchard, Higham & Higham 2021, sec. 4) with a different rounding order:
// - x_j - a is rounded once in the accum type (the |x_j - a| u term of the shifted softmax), then
//   divided by tau and the quotient rounded to the accum type: in f64 once; in f32 the f32 value
//   x_j - a is divided by the double tau in f64 and that quotient rounded to f32 (tau is generally
//   not an f32 value, and rounding it first would add a third error; the double rounding costs at
//   most u32 (1 + 2^-29 + 2^-53) relative). So |t^_j - t_j| <= (2 + 2^-28) |t_j| u.
//   This enters the bound like an input perturbation of z = x / tau, and it is never larger than
//   dividing first and shifting after (|z_j| u + |a / tau| u + |z_j - a / tau| u, since
//   |z_j - a / tau| <= |z_j| + |a / tau|).
// - Dividing first would overflow x / tau to inf for tiny tau and finite large x (a NaN row where
//   the answer is one-hot) and would round x / tau at the magnitude of the offset; shifting first
//   keeps shift invariance bitwise (x + c with every x_i + c exact gives the same t_j).
// Error, componentwise relative, first order in u of the accum type (n = cols, z = x / tau,
// Delta_z = (xmax - xmin) / tau, d_j = (a - x_j) / tau):
//   |y^_j - y_j| / y_j <= [n + 4 exp_ulps + (2 + 2^-28) (d_j + Delta_z)] u.
//
// Limits (error-model.md, "Temperature"): tau -> inf gives exp(t_j) = 1 exactly once |t_j| < u / 2
// (the spacing just below 1 is u), hence exactly uniform 1/n; tau -> 0 gives exp(t_j) = 0 for every
// non-maximal entry (exactly one-hot in f32 once (xmax - x_j) / tau > 103.97) and exactly equal
// shares 1/k on k tied maxima (their t is exactly 0).
// Preconditions and special values: tau must be > 0 (Domain::min_tau = 0, exclusive); tau <= 0 or
// NaN writes NaN to every output. tau = +inf is accepted (uniform over the finite entries). A -inf
// logit gives exactly 0 (kept -inf through the division, also for tau = inf); NaN or +inf in a row
// makes the row NaN; an all -inf row gives NaN.
#include <cmath>
#include <cstddef>
#include <limits>
#include <type_traits>
#include <utility>

#include "impl/ops/ops_families.hpp"
#include "impl/ops/row_io.hpp"

namespace softcheck::ops {
namespace {

// (x_j - a) / tau rounded to the accum type; -inf (a masked entry) stays -inf whatever tau is.
inline float scale_shift(float d, double tau) {
  return std::isinf(d) ? d : static_cast<float>(static_cast<double>(d) / tau);
}
inline double scale_shift(double d, double tau) { return std::isinf(d) ? d : d / tau; }

template <DType D>
void softmax_temp_shifted(const void* xv, void* yv, std::size_t rows, std::size_t cols,
                          double tau) {
  using IO = Io<D>;
  using Acc = typename IO::Acc;
  // y holds the unnormalised exp values between the passes; a 16-bit storage would round them.
  static_assert(std::is_same_v<typename IO::Storage, Acc>, "storage must be the accum type");
  if (cols == 0) return;
  const auto* x = static_cast<const typename IO::Storage*>(xv);
  auto* y = static_cast<typename IO::Storage*>(yv);
  if (!(tau > 0)) {
    for (std::size_t i = 0; i < rows * cols; ++i) y[i] = std::numeric_limits<Acc>::quiet_NaN();
    return;
  }
  for (std::size_t r = 0; r < rows; ++r) {
    const auto* xr = x + r * cols;
    auto* yr = y + r * cols;
    const Acc a = row_max<D>(xr, cols);
    Acc s = 0;
    for (std::size_t i = 0; i < cols; ++i) {
      const Acc e = std::exp(scale_shift(IO::load(xr[i]) - a, tau));
      yr[i] = e;
      s += e;
    }
    for (std::size_t j = 0; j < cols; ++j) yr[j] = yr[j] / s;
  }
}

Kernel make(DType dtype, TemperatureFn fn, const char* summary) {
  Contract c = ops_contract(Op::softmax_temp, dtype, summary);
  c.domain.min_tau = 0.0;
  return Kernel{std::move(c), fn};
}

}  // namespace

std::vector<Kernel> softmax_temp_kernels() {
  return {
      make(DType::f32, &softmax_temp_shifted<DType::f32>,
           "softmax(x / tau) as exp((x - max) / tau) / sum, f32, quotient rounded once"),
      make(DType::f64, &softmax_temp_shifted<DType::f64>,
           "softmax(x / tau) as exp((x - max) / tau) / sum, f64"),
  };
}

}  // namespace softcheck::ops
