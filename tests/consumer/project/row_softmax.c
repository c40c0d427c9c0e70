/* The consumer's correct kernel: f64 softmax with the max shift (Blanchard, Higham & Higham,
 * IMA J. Numer. Anal. 2021, Alg. 4.1), exported as a plain symbol and through softcheck_kernels().
 * Its error is within [n + 2 + 2 (xmax - xmin)] u (their Thm 4.3): the "shifted", "serial"
 * contract. */
#include <math.h>

#include "softcheck/kernel_abi.h"

SOFTCHECK_EXPORT void row_softmax_f64(const double* x, double* y, size_t rows, size_t cols) {
  for (size_t r = 0; r < rows; ++r) {
    const double* xr = x + r * cols;
    double* yr = y + r * cols;
    double a = xr[0]; /* from x[0], not a sentinel: rows far below any sentinel stay correct */
    for (size_t i = 1; i < cols; ++i)
      if (xr[i] > a) a = xr[i];
    double s = 0.0;
    for (size_t i = 0; i < cols; ++i) s += yr[i] = exp(xr[i] - a);
    for (size_t i = 0; i < cols; ++i) yr[i] /= s;
  }
}

static const struct softcheck_kernel_desc kKernels[] = {
    {.name = "f64_softmax_shifted__scalar",
     .op = "softmax",
     .dtype = "f64",
     .accum = "f64",
     .algorithm = "shifted",
     .summation = "serial",
     .exp_ulps = 1.0, /* glibc exp is below 1 ulp */
     .all_masked = "nan",
     .fn = (softcheck_any_fn)row_softmax_f64},
};

const struct softcheck_kernel_list* softcheck_kernels(void) {
  static const struct softcheck_kernel_list list = {SOFTCHECK_ABI_VERSION,
                                                    sizeof kKernels / sizeof kKernels[0], kKernels};
  return &list;
}
