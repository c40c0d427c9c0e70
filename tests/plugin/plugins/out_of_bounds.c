/* Kernels that touch memory just outside their buffers (a vector tail past the row end is the
 * common defect: peers.md). Otherwise correct max-shifted softmax. */
#include <math.h>

#include "softcheck/kernel_abi.h"

static void softmax_rows(const float* x, float* y, size_t rows, size_t cols, float bias) {
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    float m = xr[0], s = 0.0f;
    for (size_t i = 1; i < cols; ++i)
      if (xr[i] > m) m = xr[i];
    for (size_t i = 0; i < cols; ++i) s += yr[i] = expf(xr[i] - m);
    for (size_t i = 0; i < cols; ++i) yr[i] = yr[i] / s + bias;
  }
}

/* Reads one element past each row, i.e. x[cols] of the last row = x[rows * cols]. */
SOFTCHECK_EXPORT void softmax_reads_past_end(const float* x, float* y, size_t rows, size_t cols) {
  float extra = 0.0f;
  for (size_t r = 0; r < rows; ++r) extra += ((const volatile float*)x)[r * cols + cols] * 0.0f;
  softmax_rows(x, y, rows, cols, extra);
}

/* Reads x[-1]. */
SOFTCHECK_EXPORT void softmax_reads_before_start(const float* x, float* y, size_t rows,
                                                 size_t cols) {
  const float extra = ((const volatile float*)x)[-1] * 0.0f;
  softmax_rows(x, y, rows, cols, extra);
}

/* Writes y[rows * cols]. */
SOFTCHECK_EXPORT void softmax_writes_past_end(const float* x, float* y, size_t rows, size_t cols) {
  softmax_rows(x, y, rows, cols, 0.0f);
  ((volatile float*)y)[rows * cols] = 0.0f;
}

/* Writes y[-1]. */
SOFTCHECK_EXPORT void softmax_writes_before_start(const float* x, float* y, size_t rows,
                                                  size_t cols) {
  softmax_rows(x, y, rows, cols, 0.0f);
  ((volatile float*)y)[-1] = 0.0f;
}
