/* Correct f32/f64 kernels of every op, exported as plain symbols and through softcheck_kernels().
 * The isolated invoker must return them ok and bitwise equal to an in-process call. */
#include <math.h>

#include "softcheck/kernel_abi.h"

/* Max-shifted softmax of one row (BHH 2021, Alg. 4.1), serial sum, divide last. */
static void softmax_row_f32(const float* x, float* y, size_t n, float inv_tau) {
  float m = x[0] * inv_tau, s = 0.0f;
  for (size_t i = 1; i < n; ++i)
    if (x[i] * inv_tau > m) m = x[i] * inv_tau;
  for (size_t i = 0; i < n; ++i) s += y[i] = expf(x[i] * inv_tau - m);
  for (size_t i = 0; i < n; ++i) y[i] /= s;
}

SOFTCHECK_EXPORT void good_softmax_f32(const float* x, float* y, size_t rows, size_t cols) {
  for (size_t r = 0; r < rows; ++r) softmax_row_f32(x + r * cols, y + r * cols, cols, 1.0f);
}

SOFTCHECK_EXPORT void good_softmax_f64(const double* x, double* y, size_t rows, size_t cols) {
  for (size_t r = 0; r < rows; ++r) {
    const double* xr = x + r * cols;
    double* yr = y + r * cols;
    double m = xr[0], s = 0.0;
    for (size_t i = 1; i < cols; ++i)
      if (xr[i] > m) m = xr[i];
    for (size_t i = 0; i < cols; ++i) s += yr[i] = exp(xr[i] - m);
    for (size_t i = 0; i < cols; ++i) yr[i] /= s;
  }
}

SOFTCHECK_EXPORT void good_softmax_temp_f32(const float* x, float* y, size_t rows, size_t cols,
                                            double tau) {
  for (size_t r = 0; r < rows; ++r)
    softmax_row_f32(x + r * cols, y + r * cols, cols, (float)(1.0 / tau));
}

/* l_j = (x_j - m) - log(sum exp(x_i - m)). */
SOFTCHECK_EXPORT void good_log_softmax_f32(const float* x, float* y, size_t rows, size_t cols) {
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float m = xr[0], s = 0.0f;
    for (size_t i = 1; i < cols; ++i)
      if (xr[i] > m) m = xr[i];
    for (size_t i = 0; i < cols; ++i) s += expf(xr[i] - m);
    const float ls = logf(s);
    for (size_t i = 0; i < cols; ++i) y[r * cols + i] = (xr[i] - m) - ls;
  }
}

/* dx = y * (dy - <dy, y>). */
SOFTCHECK_EXPORT void good_softmax_backward_f32(const float* y, const float* dy, float* dx,
                                                size_t rows, size_t cols) {
  for (size_t r = 0; r < rows; ++r) {
    float dot = 0.0f;
    for (size_t i = 0; i < cols; ++i) dot += dy[r * cols + i] * y[r * cols + i];
    for (size_t i = 0; i < cols; ++i) dx[r * cols + i] = y[r * cols + i] * (dy[r * cols + i] - dot);
  }
}

/* loss = lse(x) - x[label], dx = softmax(x) - onehot(label). */
SOFTCHECK_EXPORT void good_cross_entropy_f32(const float* x, const int64_t* labels, float* loss,
                                             float* dx, size_t rows, size_t cols) {
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    softmax_row_f32(xr, dx + r * cols, cols, 1.0f);
    float m = xr[0], s = 0.0f;
    for (size_t i = 1; i < cols; ++i)
      if (xr[i] > m) m = xr[i];
    for (size_t i = 0; i < cols; ++i) s += expf(xr[i] - m);
    loss[r] = (m + logf(s)) - xr[labels[r]];
    dx[r * cols + (size_t)labels[r]] -= 1.0f;
  }
}

/* Positional initialisers on purpose: they pin the field order of ABI version 1. */
static const struct softcheck_kernel_desc kKernels[] = {
    {"f32_softmax_shifted__scalar", "softmax", "f32", NULL, "shifted", "serial", 0, 1.0, "nan", 0,
     1, (softcheck_any_fn)good_softmax_f32},
    {"f64_softmax_shifted__scalar", "softmax", "f64", "f64", NULL, NULL, 0, 0.0, NULL, 0, 0,
     (softcheck_any_fn)good_softmax_f64},
    {"f32_softmax_temp_shifted__scalar", "softmax_temp", "f32", NULL, NULL, NULL, 0, 0.0, NULL, 0,
     0, (softcheck_any_fn)good_softmax_temp_f32},
    {"f32_log_softmax_shifted__scalar", "log_softmax", "f32", NULL, NULL, NULL, 0, 0.0, NULL, 0, 0,
     (softcheck_any_fn)good_log_softmax_f32},
    {"f32_softmax_backward__scalar", "softmax_backward", "f32", NULL, NULL, NULL, 0, 0.0,
     "unspecified", 0, 0, (softcheck_any_fn)good_softmax_backward_f32},
    {"f32_cross_entropy_shifted__avx2", "cross_entropy", "f32", "f32", "shifted", "k_lane", 8, 2.0,
     "zero", 1, 0, (softcheck_any_fn)good_cross_entropy_f32},
};

const struct softcheck_kernel_list* softcheck_kernels(void) {
  static const struct softcheck_kernel_list list = {SOFTCHECK_ABI_VERSION,
                                                    sizeof kKernels / sizeof kKernels[0], kKernels};
  return &list;
}
