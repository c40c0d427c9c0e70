/* A correct f32 temperature softmax in a library that, like one linked with -ffast-math (GCC's
 * crtfastmath.o), sets flush-to-zero and denormals-are-zero for the whole process when it is
 * loaded. softcheck must keep its own floating-point environment: under DAZ a subnormal
 * temperature compares equal to 0, and softcheck's oracle refused it as tau <= 0. */
#include <math.h>

#include "softcheck/kernel_abi.h"

#if defined(__SSE__)
#include <xmmintrin.h>
__attribute__((constructor)) static void set_flush_to_zero(void) {
  _mm_setcsr(_mm_getcsr() | 0x8040); /* FTZ (bit 15) | DAZ (bit 6) */
}
#endif

/* t_j = (x_j - max) / tau in double, rounded to f32 (as impl/ops/softmax_temp.cpp); -inf stays
 * -inf, tau <= 0 or NaN gives NaN. */
SOFTCHECK_EXPORT void fast_math_softmax_temp_f32(const float* x, float* y, size_t rows,
                                                 size_t cols, double tau) {
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    float m = xr[0], s = 0.0f;
    for (size_t i = 1; i < cols; ++i)
      if (xr[i] > m) m = xr[i];
    for (size_t i = 0; i < cols; ++i) {
      if (!(tau > 0)) {
        yr[i] = NAN;
        continue;
      }
      const float t = isinf(xr[i]) && xr[i] < 0 ? -INFINITY : (float)((double)(xr[i] - m) / tau);
      s += yr[i] = expf(t);
    }
    for (size_t i = 0; i < cols; ++i) yr[i] /= s;
  }
}
