/* Kernels that complete every call but compute the wrong numbers, as a foreign library might:
 * the failure diagnosis (properties/diagnosis) must name their defect through the isolated
 * invoker exactly as it does for built-in kernels. */
#include <float.h>
#include <math.h>

#include "softcheck/kernel_abi.h"

/* Max-shifted softmax whose exps below FLT_MIN are flushed to 0 (an FTZ build of expf). */
SOFTCHECK_EXPORT void softmax_flushes_f32(const float* x, float* y, size_t rows, size_t cols) {
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    float m = -INFINITY, s = 0.0f;
    for (size_t i = 0; i < cols; ++i)
      if (xr[i] > m || isnan(xr[i])) m = xr[i];
    for (size_t i = 0; i < cols; ++i) {
      float e = expf(xr[i] - m);
      if (e < FLT_MIN) e = 0.0f;
      s += yr[i] = e;
    }
    for (size_t i = 0; i < cols; ++i) yr[i] /= s;
  }
}

/* exp(x) / sum exp(x) without the max shift. */
SOFTCHECK_EXPORT void softmax_unshifted_f32(const float* x, float* y, size_t rows, size_t cols) {
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    float s = 0.0f;
    for (size_t i = 0; i < cols; ++i) s += yr[i] = expf(xr[i]);
    for (size_t i = 0; i < cols; ++i) yr[i] /= s;
  }
}
