/* Kernels that write to their input. */
#include <math.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "softcheck/kernel_abi.h"

/* Uses its input as scratch space: stores the shifted logit x[0] - max back into x[0]. */
SOFTCHECK_EXPORT void softmax_scribbles_input(const float* x, float* y, size_t rows, size_t cols) {
  float* xw = (float*)x;
  for (size_t r = 0; r < rows; ++r) {
    float* xr = xw + r * cols;
    float m = xr[0], s = 0.0f;
    for (size_t i = 1; i < cols; ++i)
      if (xr[i] > m) m = xr[i];
    if (r == 0) xr[0] -= m; /* the defect: x[0] changes unless the row max is 0 */
    const float x0 = r == 0 ? xr[0] + m : xr[0];
    for (size_t i = 0; i < cols; ++i) s += y[r * cols + i] = expf((i ? xr[i] : x0) - m);
    for (size_t i = 0; i < cols; ++i) y[r * cols + i] /= s;
  }
}

/* Borrows x[row 1, col 2] as scratch and puts the value back before returning: the input is
 * unchanged afterwards, but a caller sharing x with another thread would have seen the write. */
SOFTCHECK_EXPORT void softmax_borrows_input(const float* x, float* y, size_t rows, size_t cols) {
  volatile float* xw = (volatile float*)x; /* volatile: the compiler must not drop the pair */
  const size_t k = rows > 1 && cols > 2 ? cols + 2 : 0;
  const float saved = xw[k];
  xw[k] = 0.0f;
  xw[k] = saved;
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float m = xr[0], s = 0.0f;
    for (size_t i = 1; i < cols; ++i)
      if (xr[i] > m) m = xr[i];
    for (size_t i = 0; i < cols; ++i) s += y[r * cols + i] = expf(xr[i] - m);
    for (size_t i = 0; i < cols; ++i) y[r * cols + i] /= s;
  }
}

/* Lifts the read-only protection of its input first, then stores into x[cols - 1]: the store no
 * longer faults and only the comparison after the call can see it. */
SOFTCHECK_EXPORT void softmax_unprotects_input(const float* x, float* y, size_t rows, size_t cols) {
  const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
  const uintptr_t first = (uintptr_t)x & ~(page - 1);
  const uintptr_t end = (uintptr_t)(x + rows * cols);
  if (mprotect((void*)first, end - first, PROT_READ | PROT_WRITE) != 0) return;
  ((float*)x)[cols - 1] = 1.5f;
  for (size_t i = 0; i < rows * cols; ++i) y[i] = 1.0f / (float)cols;
}
