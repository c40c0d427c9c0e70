// Half-precision softmax kernels that are wrong on purpose, each with a bug class seen in public
// kernels (shared/docs/peers.md) and a contract that claims it is correct. Not in the registry: the
// tests link softcheck_wrong_half and assert that the property catalogue catches each one and names
// the expected property.
#pragma once

#include <vector>

#include "softcheck/kernel.hpp"

namespace softcheck {

// f16_softmax_shifted_f16sum__scalar, bf16_softmax_shifted_truncate__scalar,
// f16_softmax_unshifted_f16exp__scalar (see wrong_half_kernels.cpp for the defect of each).
std::vector<Kernel> wrong_half_kernels();

}  // namespace softcheck
