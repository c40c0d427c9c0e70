// The Highway targets the SIMD kernels are compiled for, and which of them this CPU runs.
// Each target is registered as its own kernel (name suffix __<isa>), so the property catalogue runs
// once per target; a target the CPU lacks stays listed, and its tests must skip visibly
// (GTEST_SKIP() << reason) after asking simd_target_supported(). Calling such a kernel aborts with
// a message instead of dying on an illegal instruction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace softcheck {

// Whether a kernel with Contract::isa == isa can run on this CPU. isa names of impl/simd: "avx3"
// (AVX-512), "avx2", "sse4", the portable fallback ("hwy_scalar": Highway's HWY_SCALAR, which
// Highway 1.0.3 uses instead of EMU128 with GCC < 12.3; "emu128" otherwise; "hwy_" keeps the names
// apart from impl/scalar's __scalar kernels) and "dispatch" (the best supported target, chosen at
// run time). False only for those Highway target names when the target is not compiled in or the
// CPU lacks it; true for "dispatch" and for any other isa (kernels outside impl/simd), so callers
// may ask it for every registered kernel and skip (visibly) where it says false.
bool simd_target_supported(std::string_view isa);

// The targets compiled in, best first (e.g. avx3 avx2 sse4 hwy_scalar on x86-64 with GCC 12.2).
std::vector<std::string> simd_compiled_targets();

// The target that "dispatch" resolves to on this CPU.
std::string simd_best_target();

}  // namespace softcheck
