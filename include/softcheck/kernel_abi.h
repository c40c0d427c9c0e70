/* softcheck plugin ABI: how a shared library hands softmax-family kernels to `softcheck check`.
 *
 * Plain C (C99 and C++), no softcheck library to link: a plugin includes this header, exports its
 * kernels as C functions and is loaded with dlopen. The boundary is kept small and versioned so
 * that plugins built against one release keep loading in the next (the fmt model: an extern "C"
 * header with an export macro, C++ stays inside softcheck).
 *
 * Kernel signatures
 * -----------------
 * T is `float` (dtype "f32"), `double` ("f64") or `uint16_t` holding the bits of an IEEE binary16
 * ("f16") or bfloat16 ("bf16") value. Buffers are row-major, `rows` x `cols`, contiguous, and
 * outputs never alias inputs.
 *
 *   softmax, log_softmax:  void f(const T* x, T* y, size_t rows, size_t cols);
 *   softmax_temp:          void f(const T* x, T* y, size_t rows, size_t cols, double tau);
 *                          y = softmax(x / tau), tau > 0
 *   softmax_backward:      void f(const T* y, const T* dy, T* dx, size_t rows, size_t cols);
 *                          dx = y * (dy - <dy, y>)
 *   cross_entropy:         void f(const T* x, const int64_t* labels, T* loss, T* dx,
 *                                 size_t rows, size_t cols);
 *                          loss[r] = -log softmax(x_r)[labels[r]],
 *                          dx = softmax(x) - onehot(labels), 0 <= labels[r] < cols
 *
 * What softcheck checks at the boundary (and a kernel must therefore respect)
 * ---------------------------------------------------------------------------
 * - The library is loaded in a separate worker process (softcheck-worker), never in softcheck
 *   itself, and calls are repeated in that process: a crash, abort, exit(), endless loop or a
 *   child process left running is reported as a failure; a fresh worker then continues. Results
 *   must not depend on earlier calls (caches, lazy initialisation, rand()).
 * - Every call starts in the default floating-point environment (round to nearest, FTZ/DAZ off);
 *   a kernel that returns with another rounding mode or flush bits is reported.
 * - Inputs and outputs lie between inaccessible guard pages, each input once against the page
 *   after it and once against the page before it: reading or writing one element outside a
 *   buffer is reported. Buffers are aligned to their element type only.
 * - Outputs are pre-filled with a NaN pattern; every output element must be written.
 * - Inputs are compared after the call; a kernel must not write to them, even temporarily.
 * - Inputs contain NaN, +-inf, -0, subnormals and logits near the exp overflow threshold.
 * - The kernel is called with rows >= 1 and cols >= 1, from one thread (it may use its own
 *   threads). stdout may not be flushed when a worker ends: print debugging output to stderr.
 *
 * Exporting kernels
 * -----------------
 * Either export each kernel under a plain symbol and describe it on the command line:
 *
 *   SOFTCHECK_EXPORT void my_softmax_f32(const float* x, float* y, size_t rows, size_t cols);
 *   softcheck check --lib libmy.so --symbol my_softmax_f32 --op softmax --dtype f32
 *
 * or also export softcheck_kernels(), returning a list of descriptors that carry each kernel's
 * contract, so that `softcheck check --lib libmy.so` checks them all. See examples/plugin/.
 */
#ifndef SOFTCHECK_KERNEL_ABI_H
#define SOFTCHECK_KERNEL_ABI_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define SOFTCHECK_EXPORT __declspec(dllexport)
#else
#define SOFTCHECK_EXPORT __attribute__((visibility("default")))
#endif

/* Version of struct softcheck_kernel_desc / softcheck_kernel_list. A change of layout or meaning
 * increments it; softcheck refuses lists of a version it does not know. */
#define SOFTCHECK_ABI_VERSION 1

/* Name of the descriptor function, for dlsym. */
#define SOFTCHECK_KERNELS_SYMBOL "softcheck_kernels"

#ifdef __cplusplus
extern "C" {
#endif

/* Entry points, with void* buffers (T as above). A plugin may define its functions with typed
 * pointers; the descriptor stores them as softcheck_any_fn and softcheck casts back by `op`. */
typedef void (*softcheck_rowwise_fn)(const void* x, void* y, size_t rows, size_t cols);
typedef void (*softcheck_temperature_fn)(const void* x, void* y, size_t rows, size_t cols,
                                         double tau);
typedef void (*softcheck_backward_fn)(const void* y, const void* dy, void* dx, size_t rows,
                                      size_t cols);
typedef void (*softcheck_cross_entropy_fn)(const void* x, const int64_t* labels, void* loss,
                                           void* dx, size_t rows, size_t cols);
/* Generic function pointer type (converting function pointers to void* is not portable C). */
typedef void (*softcheck_any_fn)(void);

/* One kernel and its contract: what it computes and the factors its error bound is derived from.
 * String fields use softcheck's names; NULL (or 0 where noted) selects the default. Initialise it
 * with designated initializers (.name = ..., .fn = ...): omitted fields are then NULL or 0. */
struct softcheck_kernel_desc {
  const char* name;       /* unique in the list; softcheck convention dtype_op_algorithm__isa */
  const char* op;         /* "softmax" | "log_softmax" | "softmax_temp" | "softmax_backward" |
                             "cross_entropy" */
  const char* dtype;      /* storage of inputs and outputs: "f32" | "f64" | "f16" | "bf16" */
  const char* accum;      /* format of the exp values and the sum; NULL: dtype for f32/f64, "f32"
                             for f16/bf16 (accumulating in a 16-bit format is a defect) */
  const char* algorithm;  /* "naive" (no max shift) | "shifted" | "division_free" | "online" |
                             "two_pass"; NULL: "shifted" */
  const char* summation;  /* denominator tree: "serial" | "k_lane" | "pairwise" | "kahan";
                             NULL: "serial" */
  int lanes;              /* k for "k_lane" summation (>= 2); 0 otherwise */
  double exp_ulps;        /* max error of the exp in accum ulps; 0: 4.0 (vectorised expf
                             polynomials are typically 1-3 ulps, glibc's expf below 1) */
  const char* all_masked; /* output for a row of only -inf: "nan" | "zero" | "uniform" |
                             "unspecified"; NULL: "nan" */
  int flushes_subnormals; /* 1 if results below the smallest normal of accum may be flushed to 0 */
  int monotone_exp;       /* 1 if the exp is monotone, so x_i <= x_j must give y_i <= y_j exactly;
                             0: not claimed, the ordering property is skipped */
  softcheck_any_fn fn;    /* the entry point, cast to softcheck_any_fn */
};

struct softcheck_kernel_list {
  uint32_t abi_version; /* SOFTCHECK_ABI_VERSION the plugin was built with */
  uint32_t count;       /* number of entries in kernels */
  const struct softcheck_kernel_desc* kernels;
};

/* Optional export of a plugin: the kernels it provides. The returned list and its strings must stay
 * valid while the library is loaded (static storage). Called once per worker process, after
 * softcheck_init(). */
SOFTCHECK_EXPORT const struct softcheck_kernel_list* softcheck_kernels(void);

/* Optional exports, for state a kernel keeps across calls (a device context, a thread pool, a JIT
 * cache): softcheck_init() is called once in each worker process, after loading and before any
 * other call, and returns 0 on success (anything else is reported as a loading error, exit status
 * 2); softcheck_teardown() is called when the worker is shut down normally (not after a crash).
 * Plugins without them work unchanged. See examples/threaded_plugin/. */
#define SOFTCHECK_INIT_SYMBOL "softcheck_init"
#define SOFTCHECK_TEARDOWN_SYMBOL "softcheck_teardown"
SOFTCHECK_EXPORT int softcheck_init(void);
SOFTCHECK_EXPORT void softcheck_teardown(void);

#ifdef __cplusplus
}
#endif

#endif /* SOFTCHECK_KERNEL_ABI_H */
