/* A library whose constructor dereferences NULL: loading it must not take softcheck down. */
#include "softcheck/kernel_abi.h"

/* Read through a volatile pointer so the compiler cannot prove the store faults and drop it. */
static int* volatile target = 0;
__attribute__((constructor)) static void crash_on_load(void) { *target = 1; }

SOFTCHECK_EXPORT void softmax_never_reached(const float* x, float* y, size_t rows, size_t cols) {
  for (size_t i = 0; i < rows * cols; ++i) y[i] = x[i];
}
