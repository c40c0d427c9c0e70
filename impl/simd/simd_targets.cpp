// Target names and CPU support for impl/simd (see simd_targets.hpp).
#include "impl/simd/simd_config.h"
// clang-format: the config must precede Highway.
#include <hwy/highway.h>
#include <hwy/targets.h>

#include <cstdio>
#include <cstdlib>

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

}  // namespace

bool cpu_supports(int64_t target) {
  static const int64_t supported = hwy::SupportedTargets();
  return (supported & target) != 0;
}

std::string_view isa_name(int64_t target) {
  for (const Target& t : kTargets)
    if (t.bit == target) return t.isa;
  return "unknown";
}

void die_unsupported(int64_t target) {
  std::fprintf(stderr,
               "softcheck: an impl/simd kernel for target %.*s was called, but this CPU does not "
               "support it; check simd_target_supported(contract.isa) before calling.\n",
               static_cast<int>(isa_name(target).size()), isa_name(target).data());
  std::abort();
}

}  // namespace simd

bool simd_target_supported(std::string_view isa) {
  for (const simd::Target& t : simd::kTargets)
    if (t.isa == isa) return (HWY_TARGETS & t.bit) != 0 && simd::cpu_supports(t.bit);
  return true;  // "dispatch", or not an impl/simd target name
}

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
