// Target names, CPU support and run-time target masking for impl/simd (see simd_targets.hpp).
#include "impl/simd/simd_config.h"
// clang-format: the config must precede Highway.
#include <hwy/highway.h>
#include <hwy/targets.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <stdexcept>

#include "impl/simd/per_target.h"
#include "impl/simd/simd_targets.hpp"

namespace softcheck {
namespace simd {
namespace {

struct Target {
  int64_t bit;
  std::string_view isa;
};
// Best first; the names are the kernel-name suffixes (Contract::isa).
constexpr Target kTargets[] = {
    {HWY_AVX3, "avx3"},     {HWY_AVX2, "avx2"},         {HWY_SSE4, "sse4"},
    {HWY_EMU128, "emu128"}, {HWY_SCALAR, "hwy_scalar"},
};
// Highway never disables the last resort: SupportedTargets() falls back to it.
constexpr int64_t kFallbacks = HWY_EMU128 | HWY_SCALAR;

const Target* find_target(std::string_view isa) {
  if (isa == "avx512") isa = "avx3";
  for (const Target& t : kTargets)
    if (t.isa == isa) return &t;
  return nullptr;
}

int64_t mask_of(std::string_view list) {
  int64_t mask = 0;
  for (const std::string& name : parse_simd_target_list(list)) mask |= find_target(name)->bit;
  return mask;
}

// What this process may run: the CPU's targets less the disabled ones. Computed once (cpuid is
// costly, above all in a VM) and again after simd_disable_targets().
struct TargetState {
  std::mutex mutex;
  int64_t disabled = 0;
  int64_t supported = 0;

  TargetState() {
    if (const char* env = std::getenv(kDisableTargetsEnv)) {
      try {
        disabled = mask_of(env);
      } catch (const std::invalid_argument& e) {
        // The CLI rejects this before any work (exit 2); other programs (tests, bench) warn.
        std::fprintf(stderr, "softcheck: ignoring %s: %s\n", kDisableTargetsEnv, e.what());
      }
    }
    apply();
  }
  void apply() {
    if (disabled != 0) hwy::DisableTargets(disabled);
    supported = hwy::SupportedTargets();
    // Highway 1.0.3's SupportedTargets() re-detects and initialises the dispatch table with every
    // target of the CPU, masked or not, leaving the masked update to "a caller": without this,
    // HWY_DYNAMIC_DISPATCH would still pick a disabled target.
    hwy::GetChosenTarget().Update(supported);
  }
};

TargetState& state() {
  static TargetState s;
  return s;
}

}  // namespace

bool cpu_supports(int64_t target) { return (state().supported & target) != 0; }

std::string_view isa_name(int64_t target) {
  for (const Target& t : kTargets)
    if (t.bit == target) return t.isa;
  return "unknown";
}

void die_unsupported(int64_t target) {
  std::fprintf(stderr,
               "softcheck: an impl/simd kernel for target %.*s was called, but this process cannot "
               "run it (%s); ask Kernel::runnable() before calling.\n",
               static_cast<int>(isa_name(target).size()), isa_name(target).data(),
               simd_unrunnable_reason(isa_name(target)).value_or("?").c_str());
  std::abort();
}

}  // namespace simd

std::vector<std::string> parse_simd_target_list(std::string_view list) {
  std::vector<std::string> names;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t comma = std::min(list.find(',', start), list.size());
    const std::string_view name = list.substr(start, comma - start);
    start = comma + 1;
    if (name.empty()) continue;
    const simd::Target* t = simd::find_target(name);
    if (t == nullptr || (t->bit & simd::kFallbacks) != 0) {
      std::string known;
      for (const simd::Target& k : simd::kTargets)
        if ((k.bit & simd::kFallbacks) == 0) known += (known.empty() ? "" : ", ") + std::string(k.isa);
      throw std::invalid_argument(
          t == nullptr ? "unknown SIMD target '" + std::string(name) + "' (targets: " + known +
                             "; avx512 = avx3)"
                       : "the portable fallback '" + std::string(name) +
                             "' cannot be disabled (targets: " + known + ")");
    }
    names.emplace_back(t->isa);
  }
  return names;
}

void simd_disable_targets(std::string_view list) {
  const int64_t mask = simd::mask_of(list);
  simd::TargetState& s = simd::state();
  std::lock_guard lock(s.mutex);
  s.disabled |= mask;
  s.apply();
  std::string all;
  for (const std::string& name : simd_disabled_targets()) all += (all.empty() ? "" : ",") + name;
  ::setenv(kDisableTargetsEnv, all.c_str(), 1);
}

std::vector<std::string> simd_disabled_targets() {
  std::vector<std::string> v;
  for (const simd::Target& t : simd::kTargets)
    if (simd::state().disabled & t.bit) v.emplace_back(t.isa);
  return v;
}

std::optional<std::string> simd_unrunnable_reason(std::string_view isa) {
  const simd::Target* t = nullptr;
  for (const simd::Target& k : simd::kTargets)
    if (k.isa == isa) t = &k;
  if (t == nullptr) return std::nullopt;  // "dispatch", or not an impl/simd target name
  if ((HWY_TARGETS & t->bit) == 0)
    return "target " + std::string(isa) + " is not compiled into this build";
  if (simd::state().disabled & t->bit)
    return "target " + std::string(isa) + " disabled at run time (" + kDisableTargetsEnv + ")";
  if (!simd::cpu_supports(t->bit))
    return "this CPU does not support " + std::string(isa) + " (best target here: " +
           simd_best_target() + ")";
  return std::nullopt;
}

bool simd_target_supported(std::string_view isa) { return !simd_unrunnable_reason(isa); }

std::vector<std::string> simd_compiled_targets() {
  std::vector<std::string> v;
  for (const simd::Target& t : simd::kTargets)
    if (HWY_TARGETS & t.bit) v.emplace_back(t.isa);
  return v;
}

std::string simd_best_target() {
  for (const simd::Target& t : simd::kTargets)
    if ((HWY_TARGETS & t.bit) && simd::cpu_supports(t.bit)) return std::string(t.isa);
  return "none";
}

}  // namespace softcheck
