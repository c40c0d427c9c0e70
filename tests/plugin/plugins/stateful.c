/* Kernels whose results depend on what happened before the call: correct on the first call of a
 * process only (a stale cache, lazy initialisation gone wrong), or on rand(). Under a fork per call
 * every call starts from the same state and both pass; in a persistent worker they are caught. */
#include <math.h>
#include <stdlib.h>

#include "softcheck/kernel_abi.h"

static void softmax_rows(const float* x, float* y, size_t rows, size_t cols) {
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    float m = xr[0], s = 0.0f;
    for (size_t i = 1; i < cols; ++i)
      if (xr[i] > m) m = xr[i];
    for (size_t i = 0; i < cols; ++i) s += yr[i] = expf(xr[i] - m);
    for (size_t i = 0; i < cols; ++i) yr[i] /= s;
  }
}

/* From its second call on, the first output is doubled. */
SOFTCHECK_EXPORT void softmax_wrong_after_first_call(const float* x, float* y, size_t rows,
                                                     size_t cols) {
  static int calls = 0;
  softmax_rows(x, y, rows, cols);
  if (calls++ > 0) y[0] *= 2.0f;
}

/* The first output moves by one ulp when rand() is odd. */
SOFTCHECK_EXPORT void softmax_rand_ulp(const float* x, float* y, size_t rows, size_t cols) {
  softmax_rows(x, y, rows, cols);
  if (rand() & 1) y[0] = nextafterf(y[0], 0.0f);
}
