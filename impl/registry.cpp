#include "impl/registry.hpp"

#include <algorithm>

#include "adapters/peer_kernels.hpp"

namespace softcheck {

std::span<const Kernel> builtin_kernels() {
  static const std::vector<Kernel> all = [] {
    std::vector<Kernel> v;
    for (auto&& family : {scalar_softmax_kernels(), half_softmax_kernels(), derivative_kernels(),
                          simd_kernels(), peer_kernels()})
      v.insert(v.end(), family.begin(), family.end());
    return v;
  }();
  return all;
}

const Kernel* find_kernel(std::string_view name) {
  auto all = builtin_kernels();
  auto it = std::find_if(all.begin(), all.end(),
                         [&](const Kernel& k) { return k.contract.name == name; });
  return it == all.end() ? nullptr : &*it;
}

}  // namespace softcheck
