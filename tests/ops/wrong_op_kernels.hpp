// Kernels of the softmax-derived ops that are wrong on purpose, each a bug class seen in public
// code (docs peers.md, "Bug classes"). They are never registered (impl/registry.cpp does not list
// them): tests feed them to the property catalogue, which must fail each one through the property
// named in its comment. Each contract claims what the correct kernel of the same op claims.
#pragma once

#include <vector>

#include "softcheck/kernel.hpp"

namespace softcheck::testing {

std::vector<Kernel> wrong_op_kernels();

}  // namespace softcheck::testing
