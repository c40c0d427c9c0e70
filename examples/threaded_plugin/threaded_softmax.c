/* A plugin that keeps a device-like context across calls: the template for CUDA, HIP or any kernel
 * whose library holds state (a thread pool, a JIT cache, a device context).
 *
 * softcheck_init() creates the context once per softcheck-worker process: here a pool of worker
 * threads and a staging buffer standing in for device memory. Each call then does what a GPU
 * kernel wrapper does:
 *   1. copy in   (host x -> "device" buffer; cudaMemcpy / hipMemcpy HostToDevice)
 *   2. launch    (rows handed to the pool threads; a <<<grid, block>>> launch)
 *   3. wait      (the pool reports completion; cudaDeviceSynchronize / hipStreamSynchronize)
 *   4. copy out  ("device" buffer -> host y; DeviceToHost)
 * softcheck_teardown() stops the threads and frees the context (cudaFree, cuCtxDestroy).
 *
 * Check it with the default isolation, which runs every call in one persistent worker:
 *   softcheck check --lib build/lib/libthreaded_softmax.so
 * (Under --isolation fork the pool threads do not exist in the forked child, as a CUDA context
 * does not survive fork: every call would wait for them until the timeout.) */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "softcheck/kernel_abi.h"

#define POOL_THREADS 2

/* The context: threads, and the "device" memory they work on. */
static struct {
  pthread_t threads[POOL_THREADS];
  pthread_mutex_t lock;
  pthread_cond_t work, done;
  int started, stopping;
  unsigned long generation; /* one per launch */
  int finished;             /* threads done with the current launch */
  float* device;            /* staging buffer: x copied in, y computed in place */
  size_t capacity, rows, cols;
} ctx = {.lock = PTHREAD_MUTEX_INITIALIZER,
         .work = PTHREAD_COND_INITIALIZER,
         .done = PTHREAD_COND_INITIALIZER};

/* Max-shifted softmax of one row, in place. */
static void softmax_row(float* v, size_t cols) {
  float m = v[0], s = 0.0f;
  for (size_t i = 1; i < cols; ++i)
    if (v[i] > m) m = v[i];
  for (size_t i = 0; i < cols; ++i) s += v[i] = expf(v[i] - m);
  for (size_t i = 0; i < cols; ++i) v[i] /= s;
}

static void* pool_thread(void* arg) {
  const size_t id = (size_t)arg;
  unsigned long seen = 0;
  pthread_mutex_lock(&ctx.lock);
  for (;;) {
    while (!ctx.stopping && ctx.generation == seen) pthread_cond_wait(&ctx.work, &ctx.lock);
    if (ctx.stopping) break;
    seen = ctx.generation;
    const size_t rows = ctx.rows, cols = ctx.cols;
    float* device = ctx.device;
    pthread_mutex_unlock(&ctx.lock);
    for (size_t r = id; r < rows; r += POOL_THREADS) softmax_row(device + r * cols, cols);
    pthread_mutex_lock(&ctx.lock);
    if (++ctx.finished == POOL_THREADS) pthread_cond_signal(&ctx.done);
  }
  pthread_mutex_unlock(&ctx.lock);
  return NULL;
}

SOFTCHECK_EXPORT int softcheck_init(void) {
  for (size_t i = 0; i < POOL_THREADS; ++i)
    if (pthread_create(&ctx.threads[i], NULL, pool_thread, (void*)i) != 0) return 1;
  ctx.started = 1;
  return 0;
}

SOFTCHECK_EXPORT void softcheck_teardown(void) {
  pthread_mutex_lock(&ctx.lock);
  ctx.stopping = 1;
  pthread_cond_broadcast(&ctx.work);
  pthread_mutex_unlock(&ctx.lock);
  for (size_t i = 0; i < POOL_THREADS; ++i) pthread_join(ctx.threads[i], NULL);
  free(ctx.device);
}

SOFTCHECK_EXPORT void threaded_softmax_f32(const float* x, float* y, size_t rows, size_t cols) {
  if (!ctx.started) {
    fputs("threaded_softmax_f32: softcheck_init() was not called\n", stderr);
    abort();
  }
  const size_t n = rows * cols;
  if (n > ctx.capacity) { /* grow the "device" allocation (cudaMalloc) */
    free(ctx.device);
    ctx.device = malloc(n * sizeof(float));
    if (!ctx.device) abort();
    ctx.capacity = n;
  }
  memcpy(ctx.device, x, n * sizeof(float)); /* 1. copy in */
  pthread_mutex_lock(&ctx.lock);            /* 2. launch */
  ctx.rows = rows;
  ctx.cols = cols;
  ctx.finished = 0;
  ++ctx.generation;
  pthread_cond_broadcast(&ctx.work);
  while (ctx.finished < POOL_THREADS) pthread_cond_wait(&ctx.done, &ctx.lock); /* 3. wait */
  pthread_mutex_unlock(&ctx.lock);
  memcpy(y, ctx.device, n * sizeof(float)); /* 4. copy out */
}

static const struct softcheck_kernel_desc kernels[] = {
    {.name = "f32_softmax_shifted__threaded",
     .op = "softmax",
     .dtype = "f32",
     .algorithm = "shifted",
     .summation = "serial",
     .exp_ulps = 1.0, /* glibc's expf */
     .fn = (softcheck_any_fn)threaded_softmax_f32},
};
static const struct softcheck_kernel_list list = {SOFTCHECK_ABI_VERSION, 1, kernels};

SOFTCHECK_EXPORT const struct softcheck_kernel_list* softcheck_kernels(void) { return &list; }
