/* A plugin with the optional softcheck_init()/softcheck_teardown() exports: init takes 200 ms (a
 * device context or a JIT warm-up) and counts its calls; kernels report that count and the process
 * they run in, so tests can see that init runs once per worker and calls share the worker. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "softcheck/kernel_abi.h"

static int init_calls = 0;

SOFTCHECK_EXPORT int softcheck_init(void) {
  const struct timespec t = {0, 200 * 1000 * 1000};
  nanosleep(&t, NULL);
  ++init_calls;
  return 0;
}

/* Writes "torn down" to $SOFTCHECK_TEST_TEARDOWN_FILE, if set. */
SOFTCHECK_EXPORT void softcheck_teardown(void) {
  const char* path = getenv("SOFTCHECK_TEST_TEARDOWN_FILE");
  if (!path) return;
  FILE* f = fopen(path, "w");
  if (f) {
    fputs("torn down\n", f);
    fclose(f);
  }
}

/* y[i] = number of softcheck_init() calls in this process. */
SOFTCHECK_EXPORT void init_calls_f32(const float* x, float* y, size_t rows, size_t cols) {
  (void)x;
  for (size_t i = 0; i < rows * cols; ++i) y[i] = (float)init_calls;
}

/* y[i] = the process id. */
SOFTCHECK_EXPORT void process_id_f32(const float* x, float* y, size_t rows, size_t cols) {
  (void)x;
  for (size_t i = 0; i < rows * cols; ++i) y[i] = (float)getpid();
}

SOFTCHECK_EXPORT void abort_f32(const float* x, float* y, size_t rows, size_t cols) {
  (void)x, (void)y, (void)rows, (void)cols;
  abort();
}
