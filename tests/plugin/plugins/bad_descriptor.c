/* A descriptor whose second entry names an op that does not exist. */
#include "softcheck/kernel_abi.h"

SOFTCHECK_EXPORT void copy_f32(const float* x, float* y, size_t rows, size_t cols) {
  for (size_t i = 0; i < rows * cols; ++i) y[i] = x[i];
}

static const struct softcheck_kernel_desc kKernels[] = {
    {.name = "f32_softmax_copy__scalar",
     .op = "softmax",
     .dtype = "f32",
     .fn = (softcheck_any_fn)copy_f32},
    {.name = "f32_softmaxx_copy__scalar",
     .op = "softmaxx",
     .dtype = "f32",
     .fn = (softcheck_any_fn)copy_f32},
};

const struct softcheck_kernel_list* softcheck_kernels(void) {
  static const struct softcheck_kernel_list list = {SOFTCHECK_ABI_VERSION, 2, kKernels};
  return &list;
}
