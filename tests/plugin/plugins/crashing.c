/* Kernels that kill their process: the isolated invoker must report `crashed` with the signal. */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "softcheck/kernel_abi.h"

SOFTCHECK_EXPORT void softmax_abort(const float* x, float* y, size_t rows, size_t cols) {
  (void)x, (void)y, (void)rows, (void)cols;
  abort();
}

/* A real store through a null pointer (volatile, so the compiler can neither drop it nor turn it
 * into a trap instruction). */
SOFTCHECK_EXPORT void softmax_null_write(const float* x, float* y, size_t rows, size_t cols) {
  volatile float* volatile p = NULL;
  (void)y, (void)rows, (void)cols;
  *p = x[0];
}

/* Integer division by zero: SIGFPE on x86. (Not 1 / zero: GCC rewrites that as a comparison.) */
SOFTCHECK_EXPORT void softmax_int_div_zero(const float* x, float* y, size_t rows, size_t cols) {
  volatile int zero = 0, seven = 7;
  (void)x, (void)rows, (void)cols;
  y[0] = (float)(seven / zero);
}

/* Unbounded recursion: the stack overflows; the fault handler must still run (alternate stack). */
static size_t recurse(volatile char* prev, size_t depth) {
  volatile char frame[1024];
  frame[0] = (char)depth;
  frame[1023] = prev ? prev[0] : 0;
  if (depth == (size_t)-1) return 0; /* never: the stack runs out long before */
  return recurse(frame, depth + 1) + frame[1023];
}
SOFTCHECK_EXPORT void softmax_stack_overflow(const float* x, float* y, size_t rows, size_t cols) {
  (void)x, (void)rows, (void)cols;
  y[0] = (float)recurse(NULL, 0);
}

/* Ends the process itself with a status. */
SOFTCHECK_EXPORT void softmax_exit3(const float* x, float* y, size_t rows, size_t cols) {
  (void)x, (void)y, (void)rows, (void)cols;
  _exit(3);
}
