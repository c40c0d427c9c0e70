// A kernel as softcheck sees it: a contract and a type-erased entry point whose shape is the plugin
// C ABI (kernel_abi.h), so built-in and plugin kernels are called the same way. T is float, double,
// or uint16_t bits for f16/bf16; buffers are row-major rows x cols, contiguous, never aliased.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
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

// Whether a kernel can run on this machine: std::nullopt when it can, otherwise the reason it
// cannot (an instruction set this CPU lacks or that was disabled at run time, a library missing).
// Only the code that owns the kernel knows; every consumer asks the kernel, never the ISA name.
using RunnableCheck = std::function<std::optional<std::string>()>;

struct Kernel {
  Kernel() = default;
  Kernel(Contract c, KernelEntry e, RunnableCheck check = {})
      : contract(std::move(c)), entry(e), runnable_check(std::move(check)) {}

  Contract contract;
  KernelEntry entry;
  RunnableCheck runnable_check;  // empty: runs everywhere

  // The reason this kernel cannot run here, or std::nullopt when it can. Asked anew each time:
  // targets may be disabled at run time (impl/simd/simd_targets.hpp).
  std::optional<std::string> unrunnable_reason() const {
    return runnable_check ? runnable_check() : std::nullopt;
  }
  bool runnable() const { return !unrunnable_reason(); }
};

}  // namespace softcheck
