/* Kernels that never write the last element of their output (a dropped scalar tail: peers.md). */
#include <math.h>
#include <stdint.h>

#include "softcheck/kernel_abi.h"

SOFTCHECK_EXPORT void softmax_skips_last_f32(const float* x, float* y, size_t rows, size_t cols) {
  const size_t n = rows * cols;
  for (size_t i = 0; i + 1 < n; ++i) y[i] = 1.0f / (float)cols + 0.0f * x[i];
}

SOFTCHECK_EXPORT void softmax_skips_last_f64(const double* x, double* y, size_t rows, size_t cols) {
  const size_t n = rows * cols;
  for (size_t i = 0; i + 1 < n; ++i) y[i] = 1.0 / (double)cols + 0.0 * x[i];
}

/* f16/bf16 storage: writes +0 bits everywhere but the last element. */
SOFTCHECK_EXPORT void softmax_skips_last_u16(const uint16_t* x, uint16_t* y, size_t rows,
                                             size_t cols) {
  const size_t n = rows * cols;
  (void)x;
  for (size_t i = 0; i + 1 < n; ++i) y[i] = 0;
}

/* cross_entropy that writes dx but forgets the loss of the last row. */
SOFTCHECK_EXPORT void cross_entropy_skips_last_loss(const float* x, const int64_t* labels,
                                                    float* loss, float* dx, size_t rows,
                                                    size_t cols) {
  for (size_t r = 0; r < rows; ++r) {
    for (size_t i = 0; i < cols; ++i)
      dx[r * cols + i] = 1.0f / (float)cols + 0.0f * x[r * cols + i];
    dx[r * cols + (size_t)labels[r]] -= 1.0f;
    if (r + 1 < rows) loss[r] = logf((float)cols);
  }
}
