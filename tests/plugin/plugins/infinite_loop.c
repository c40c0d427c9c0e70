/* Never returns: the isolated invoker must kill it at the timeout and report `timed_out`. */
#include "softcheck/kernel_abi.h"

SOFTCHECK_EXPORT void softmax_spins(const float* x, float* y, size_t rows, size_t cols) {
  volatile int spin = 1;
  (void)x, (void)y, (void)rows, (void)cols;
  while (spin) {
  }
}
