/* softcheck_init() fails (no device, say): a loading error, exit status 2. */
#include "softcheck/kernel_abi.h"

SOFTCHECK_EXPORT int softcheck_init(void) { return 7; }

SOFTCHECK_EXPORT void never_called_f32(const float* x, float* y, size_t rows, size_t cols) {
  for (size_t i = 0; i < rows * cols; ++i) y[i] = x[i];
}
