// Reference rows of the benchmark, the only file built with -O3 -march=native -ffast-math
// (bench/CMakeLists.txt): what a plain C++ loop gets from the compiler and glibc on this machine.
//   - f32_softmax_threepass_fastmath: max, e = exp(x - max) stored and summed, y = e * (1 / sum).
//     With -ffast-math GCC vectorises std::exp(float) into calls of glibc's libmvec (_ZGV*_expf)
//     and reassociates the sums: the "-ffast-math three-pass baseline" of issue 5 (docs/peers.md:
//     about 2.1 G elements/s in cache on the project's machines).
//   - stream_scale_f32: y = x * c, one read and one write per element: the bandwidth limit.
#include <algorithm>
#include <cmath>
#include <cstddef>

namespace softcheck::bench {

void f32_softmax_threepass_fastmath(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float* y = static_cast<float*>(yv) + r * cols;
    float m = x[0];
    for (std::size_t j = 1; j < cols; ++j) m = std::max(m, x[j]);
    float sum = 0;
    for (std::size_t j = 0; j < cols; ++j) {
      const float e = std::exp(x[j] - m);
      y[j] = e;
      sum += e;
    }
    const float inv = 1.0f / sum;
    for (std::size_t j = 0; j < cols; ++j) y[j] *= inv;
  }
}

void stream_scale_f32(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  const float* x = static_cast<const float*>(xv);
  float* y = static_cast<float*>(yv);
  const std::size_t n = rows * cols;
  for (std::size_t i = 0; i < n; ++i) y[i] = x[i] * 0.5f;
}

}  // namespace softcheck::bench
