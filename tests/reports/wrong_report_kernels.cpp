#include "tests/reports/wrong_report_kernels.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "impl/registry.hpp"

namespace softcheck::reports::testing {
namespace {

Contract contract_of(const char* name) {
  const Kernel* k = find_kernel(name);
  if (!k) throw std::runtime_error(std::string("no built-in kernel ") + name);
  return k->contract;
}

float row_max(const float* x, std::size_t n) {
  float m = -std::numeric_limits<float>::infinity();
  for (std::size_t j = 0; j < n; ++j) m = std::max(m, x[j]);
  return m;
}

void scaled_softmax(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = static_cast<const float*>(xv) + r * cols;
    float* y = static_cast<float*>(yv) + r * cols;
    const float m = row_max(x, cols);
    float sum = 0;
    for (std::size_t j = 0; j < cols; ++j) sum += (y[j] = std::exp(x[j] - m));
    for (std::size_t j = 0; j < cols; ++j) y[j] = y[j] / sum * (1.0f + 0x1p-20f);  // the defect
  }
}

float from_bf16(uint16_t b) {
  const uint32_t u = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

uint16_t truncate_to_bf16(float f) {  // the defect: no rounding
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return static_cast<uint16_t>(u >> 16);
}

void truncating_softmax(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  const auto* x = static_cast<const uint16_t*>(xv);
  auto* y = static_cast<uint16_t*>(yv);
  std::vector<float> e(cols);
  for (std::size_t r = 0; r < rows; ++r, x += cols, y += cols) {
    float m = -std::numeric_limits<float>::infinity();
    for (std::size_t j = 0; j < cols; ++j) m = std::max(m, from_bf16(x[j]));
    float sum = 0;
    for (std::size_t j = 0; j < cols; ++j) sum += (e[j] = std::exp(from_bf16(x[j]) - m));
    for (std::size_t j = 0; j < cols; ++j) y[j] = truncate_to_bf16(e[j] / sum);
  }
}

}  // namespace

Kernel scaled_f32_softmax() {
  return {contract_of("f32_softmax_shifted__scalar"), RowwiseFn{scaled_softmax}};
}

Kernel truncating_bf16_softmax() {
  return {contract_of("bf16_softmax_shifted__scalar"), RowwiseFn{truncating_softmax}};
}

}  // namespace softcheck::reports::testing
