// The impl/ops family of the registry: log-softmax, softmax backward, fused cross-entropy and
// temperature softmax (issue 4). Each op's kernels and contracts live in its own file.
#include "impl/ops/ops_families.hpp"
#include "impl/registry.hpp"

namespace softcheck {

std::vector<Kernel> derivative_kernels() {
  std::vector<Kernel> all;
  for (auto&& op_kernels : {ops::log_softmax_kernels(), ops::softmax_backward_kernels(),
                            ops::cross_entropy_kernels(), ops::softmax_temp_kernels()})
    all.insert(all.end(), op_kernels.begin(), op_kernels.end());
  return all;
}

}  // namespace softcheck
