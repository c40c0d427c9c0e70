// A kernel as softcheck sees it: a contract and a type-erased entry point whose shape is the plugin
// C ABI (kernel_abi.h), so built-in and plugin kernels are called the same way. T is float, double,
// or uint16_t bits for f16/bf16; buffers are row-major rows x cols, contiguous, never aliased.
#pragma once

#include <cstddef>
#include <cstdint>
#include <variant>

#include "softcheck/contract.hpp"

namespace softcheck {

// softmax, log_softmax
using RowwiseFn = void (*)(const void* x, void* y, std::size_t rows, std::size_t cols);
// softmax_temp
using TemperatureFn = void (*)(const void* x, void* y, std::size_t rows, std::size_t cols, double tau);
// softmax_backward: dx = y * (dy - <dy, y>)
using BackwardFn = void (*)(const void* y, const void* dy, void* dx, std::size_t rows, std::size_t cols);
// cross_entropy: loss[r] = lse(x_r) - x_r[label_r], dx = softmax(x) - onehot(label)
using CrossEntropyFn = void (*)(const void* x, const int64_t* labels, void* loss, void* dx,
                                std::size_t rows, std::size_t cols);

using KernelEntry = std::variant<RowwiseFn, TemperatureFn, BackwardFn, CrossEntropyFn>;

struct Kernel {
  Contract contract;
  KernelEntry entry;
};

}  // namespace softcheck
