/* A descriptor list of an ABI version softcheck does not know: reading it must fail clearly. */
#include "softcheck/kernel_abi.h"

SOFTCHECK_EXPORT void future_softmax_f32(const float* x, float* y, size_t rows, size_t cols) {
  for (size_t i = 0; i < rows * cols; ++i) y[i] = x[i];
}

static const struct softcheck_kernel_desc kKernels[] = {
    {.name = "f32_softmax_future__scalar",
     .op = "softmax",
     .dtype = "f32",
     .fn = (softcheck_any_fn)future_softmax_f32},
};

const struct softcheck_kernel_list* softcheck_kernels(void) {
  static const struct softcheck_kernel_list list = {999, 1, kKernels};
  return &list;
}
