// The Highway targets the SIMD kernels are compiled for, which of them this process may run, and
// the run-time switch that hides targets so the path of a smaller CPU can be tested on any host.
// Each target is registered as its own kernel (name suffix __<isa>), so the property catalogue runs
// once per target; a target the CPU lacks (or that was disabled) stays listed, and its kernels
// answer Kernel::runnable() with the reason, so every consumer skips them visibly. Calling such a
// kernel anyway aborts with a message instead of dying on an illegal instruction.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace softcheck {

// isa names of impl/simd: "avx3" (AVX-512), "avx2", "sse4", the portable fallback ("hwy_scalar":
// Highway's HWY_SCALAR, which Highway 1.0.3 uses instead of EMU128 with GCC < 12.3; "emu128"
// otherwise; "hwy_" keeps the names apart from impl/scalar's __scalar kernels) and "dispatch" (the
// best runnable target, chosen at run time).

// Run-time target masking (Highway's hwy::DisableTargets): a comma-separated list of target names
// in this variable, e.g. SOFTCHECK_DISABLE_TARGETS=avx3,avx2, makes the process behave as a CPU
// without them: their kernels become visible skips and the dispatch kernels use the best target
// left. "avx512" is accepted for avx3. Read once, before the first kernel is registered; the CLI's
// --disable-targets sets it too, so child and worker processes inherit the mask.
inline constexpr const char* kDisableTargetsEnv = "SOFTCHECK_DISABLE_TARGETS";

// The target names of a comma-separated list, validated; throws std::invalid_argument naming an
// unknown target and listing the known ones. The portable fallback cannot be disabled (Highway
// always keeps one target) and is rejected too.
std::vector<std::string> parse_simd_target_list(std::string_view list);

// Disables the named targets for this process and its children (sets kDisableTargetsEnv). Must be
// called before the registry is first used: the dispatch kernels' contracts are fixed then.
void simd_disable_targets(std::string_view list);

// The targets disabled at run time in this process, best first.
std::vector<std::string> simd_disabled_targets();

// Why a kernel with Contract::isa == isa cannot run here (not compiled in, disabled at run time,
// or not supported by this CPU), or std::nullopt when it can. std::nullopt for "dispatch" and for
// any isa that is not an impl/simd target name.
std::optional<std::string> simd_unrunnable_reason(std::string_view isa);

// !simd_unrunnable_reason(isa); for the tests of impl/simd itself, which walk target names.
bool simd_target_supported(std::string_view isa);

// The targets compiled in, best first (e.g. avx3 avx2 sse4 hwy_scalar on x86-64 with GCC 12.2).
std::vector<std::string> simd_compiled_targets();

// The target that "dispatch" resolves to in this process.
std::string simd_best_target();

}  // namespace softcheck
