/* Kernels (and a constructor) that change the floating-point environment: FTZ/DAZ in MXCSR, the
 * rounding mode. A kernel must return with the caller's environment; a library's constructor must
 * not change that of the process that checks it. Otherwise correct max-shifted softmax. */
#include <fenv.h>
#include <math.h>

#include "softcheck/kernel_abi.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
static void set_ftz_daz(void) { _mm_setcsr(_mm_getcsr() | 0x8040u); }
#else
static void set_ftz_daz(void) {}
#endif

/* Loading the library leaves flush-to-zero, denormals-are-zero and upward rounding behind. */
__attribute__((constructor)) static void contaminate_on_load(void) {
  set_ftz_daz();
  fesetround(FE_UPWARD);
}

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

/* Correct, and leaves the environment as it found it. */
SOFTCHECK_EXPORT void softmax_clean(const float* x, float* y, size_t rows, size_t cols) {
  softmax_rows(x, y, rows, cols);
}

/* Sets FTZ and DAZ for speed and does not restore them. */
SOFTCHECK_EXPORT void softmax_leaves_ftz(const float* x, float* y, size_t rows, size_t cols) {
  set_ftz_daz();
  softmax_rows(x, y, rows, cols);
}

/* Leaves the rounding mode upward. */
SOFTCHECK_EXPORT void softmax_leaves_upward(const float* x, float* y, size_t rows, size_t cols) {
  softmax_rows(x, y, rows, cols);
  fesetround(FE_UPWARD);
}

/* Changes the environment inside and restores it: fine. */
SOFTCHECK_EXPORT void softmax_restores(const float* x, float* y, size_t rows, size_t cols) {
  fenv_t saved;
  fegetenv(&saved);
  fesetround(FE_TOWARDZERO);
  softmax_rows(x, y, rows, cols);
  fesetenv(&saved);
}
