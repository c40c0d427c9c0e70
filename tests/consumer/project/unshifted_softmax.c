/* A kernel with the commonest softmax defect (peers.md): no max shift. exp(x_i) overflows to inf
 * for logits above 88.72 (inf / inf = NaN), and a row of logits below -103.97 underflows to
 * 0 / 0 = NaN; a "shifted" contract allows neither. */
#include <math.h>

#include "softcheck/kernel_abi.h"

SOFTCHECK_EXPORT void unshifted_softmax_f32(const float* x, float* y, size_t rows, size_t cols) {
  for (size_t r = 0; r < rows; ++r) {
    float s = 0.0f;
    for (size_t i = 0; i < cols; ++i) s += y[r * cols + i] = expf(x[r * cols + i]);
    for (size_t i = 0; i < cols; ++i) y[r * cols + i] /= s;
  }
}
