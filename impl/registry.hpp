// The one list of built-in kernels. Tests, benchmarks, reports and the CLI all enumerate it.
// Each family file exposes a function returning its kernels (contract next to code); adding a kernel
// is one entry in its family's list.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "softcheck/kernel.hpp"

namespace softcheck {

std::span<const Kernel> builtin_kernels();
const Kernel* find_kernel(std::string_view name);

// Family lists, concatenated by builtin_kernels() in impl/registry.cpp.
std::vector<Kernel> scalar_softmax_kernels();   // impl/scalar/
std::vector<Kernel> half_softmax_kernels();     // impl/half/
std::vector<Kernel> derivative_kernels();       // impl/ops/: log_softmax, backward, cross_entropy, temp
std::vector<Kernel> simd_kernels();             // impl/simd/ (Highway, dynamic dispatch)
// peer_kernels() (adapters/peer_kernels.hpp): oneDNN, XNNPACK, libtorch where built; last, so the
// built-in kernels keep their positions.

}  // namespace softcheck
