/* A plugin kernel for softcheck: f32 softmax with the max shift, in plain C.
 *
 * Copy this file to start your own. It exports the kernel twice:
 * - as a plain symbol, checked with
 *     softcheck check --lib build/lib/libmy_softmax.so --symbol my_softmax_f32 \
 *                     --op softmax --dtype f32
 * - through softcheck_kernels(), whose descriptor carries the contract, checked with
 *     softcheck check --lib build/lib/libmy_softmax.so
 *
 * Algorithm (Blanchard, Higham & Higham, "Accurately computing the log-sum-exp and softmax
 * functions", IMA J. Numer. Anal. 2021, Alg. 4.1): a = max x, e_i = exp(x_i - a), s = sum e_i,
 * y_i = e_i / s. Subtracting the max keeps every exp argument <= 0, so nothing overflows; the error
 * is at most [n + 2 + 2 (xmax - xmin)] u (their Thm 4.3), which is what softcheck checks for a
 * "shifted" kernel with "serial" summation.
 */
#include <math.h>

#include "softcheck/kernel_abi.h"

static void softmax_row(const float* x, float* y, size_t n) {
  /* Start the running max from x[0], not from a sentinel such as 0 or -1e30, which is wrong for
   * rows whose logits all lie below it (their exps underflow to 0 and the row becomes 0/0).
   * An all -inf row gives a = -inf and x_i - a = NaN, hence NaN outputs: the "nan" all_masked
   * policy declared below. A NaN or +inf logit also gives NaN, never a row of finite values. */
  float a = x[0];
  for (size_t i = 1; i < n; ++i)
    if (x[i] > a) a = x[i];
  /* f32 accumulation, left to right: the "serial" summation of the contract. */
  float s = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    y[i] = expf(x[i] - a); /* glibc expf: < 1 ulp, the exp_ulps of the contract */
    s += y[i];
  }
  /* Divide rather than multiply by 1/s: one rounding instead of two, and y_i <= 1 exactly. */
  for (size_t i = 0; i < n; ++i) y[i] /= s;
}

SOFTCHECK_EXPORT void my_softmax_f32(const float* x, float* y, size_t rows, size_t cols) {
  for (size_t r = 0; r < rows; ++r) softmax_row(x + r * cols, y + r * cols, cols);
}

/* The contract next to the code: what `softcheck check --lib` derives its tolerances from. */
static const struct softcheck_kernel_desc kKernels[] = {
    {
        .name = "f32_softmax_shifted__scalar", /* dtype_op_algorithm__isa */
        .op = "softmax",
        .dtype = "f32",          /* of x and y */
        .accum = "f32",          /* the exp values and the sum are f32 */
        .algorithm = "shifted",  /* max-shifted, three passes */
        .summation = "serial",   /* recursive, left to right */
        .exp_ulps = 1.0,         /* glibc expf is below 1 ulp */
        .all_masked = "nan",     /* an all -inf row gives NaN */
        .flushes_subnormals = 0, /* tiny probabilities are kept */
        .monotone_exp = 0,       /* not claimed: libm does not promise a monotone expf */
        .fn = (softcheck_any_fn)my_softmax_f32,
    },
};

const struct softcheck_kernel_list* softcheck_kernels(void) {
  static const struct softcheck_kernel_list list = {SOFTCHECK_ABI_VERSION,
                                                    sizeof kKernels / sizeof kKernels[0], kKernels};
  return &list;
}
