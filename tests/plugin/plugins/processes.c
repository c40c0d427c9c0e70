/* Kernels that end their process or leave processes behind. Otherwise correct softmax. */
#include <math.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* Writes correct outputs, then ends the process with status 0. */
SOFTCHECK_EXPORT void softmax_then_exit0(const float* x, float* y, size_t rows, size_t cols) {
  softmax_rows(x, y, rows, cols);
  exit(0);
}

/* Leaves a child in a session of its own sleeping for a minute. */
SOFTCHECK_EXPORT void softmax_leaves_child(const float* x, float* y, size_t rows, size_t cols) {
  if (fork() == 0) {
    setsid();
    sleep(60);
    _exit(0);
  }
  softmax_rows(x, y, rows, cols);
}

/* Daemonises a grandchild (double fork): it is orphaned before the kernel returns. */
SOFTCHECK_EXPORT void softmax_leaves_daemon(const float* x, float* y, size_t rows, size_t cols) {
  const pid_t child = fork();
  if (child == 0) {
    setsid();
    if (fork() == 0) {
      sleep(60);
      _exit(0);
    }
    _exit(0);
  }
  waitpid(child, NULL, 0);
  softmax_rows(x, y, rows, cols);
}
