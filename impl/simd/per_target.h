// Per-target function tables for impl/simd. Highway's HWY_EXPORT table is only indexed through the
// chosen (best) target; registering every target as its own kernel needs the per-target functions
// themselves: SOFTCHECK_SIMD_PER_TARGET(Fn) expands to an initializer list of TargetFn entries,
// one per target compiled in (HWY_TARGETS), best first. Include after foreach_target.h, in the
// HWY_ONCE part of the translation unit.
#pragma once

#include <hwy/highway.h>

#include <cstdint>
#include <string_view>

namespace softcheck::simd {

// hwy::SupportedTargets() & target, computed once per target (cpuid is costly, above all in a VM).
bool cpu_supports(int64_t target);
std::string_view isa_name(int64_t target);
[[noreturn]] void die_unsupported(int64_t target);

// Wraps a per-target entry point so that calling it on a CPU without the target stops with a
// message (instead of SIGILL somewhere inside).
template <int64_t kTarget, auto kFn>
struct Guarded;
template <int64_t kTarget, class R, class... A, R (*kFn)(A...)>
struct Guarded<kTarget, kFn> {
  static R call(A... a) {
    if (!cpu_supports(kTarget)) die_unsupported(kTarget);
    return kFn(a...);
  }
};

// The contract factors that differ between targets (compile-time constants of each target).
struct TargetFacts {
  int sum_lanes;    // k of the k-lane summation
  double exp_ulps;  // max error of ExpNonPositive on this target
};

template <class Fn>
struct TargetFn {
  int64_t target;
  Fn fn;
};

}  // namespace softcheck::simd

// SOFTCHECK_SIMD_FOREACH(X, ARG) expands X(TARGET, NS, ARG) for each target compiled in, best
// first.
#if HWY_TARGETS & HWY_AVX3
#define SOFTCHECK_SIMD_X_AVX3(X, ARG) X(HWY_AVX3, N_AVX3, ARG)
#else
#define SOFTCHECK_SIMD_X_AVX3(X, ARG)
#endif
#if HWY_TARGETS & HWY_AVX2
#define SOFTCHECK_SIMD_X_AVX2(X, ARG) X(HWY_AVX2, N_AVX2, ARG)
#else
#define SOFTCHECK_SIMD_X_AVX2(X, ARG)
#endif
#if HWY_TARGETS & HWY_SSE4
#define SOFTCHECK_SIMD_X_SSE4(X, ARG) X(HWY_SSE4, N_SSE4, ARG)
#else
#define SOFTCHECK_SIMD_X_SSE4(X, ARG)
#endif
#if HWY_TARGETS & HWY_EMU128
#define SOFTCHECK_SIMD_X_EMU128(X, ARG) X(HWY_EMU128, N_EMU128, ARG)
#else
#define SOFTCHECK_SIMD_X_EMU128(X, ARG)
#endif
#if HWY_TARGETS & HWY_SCALAR
#define SOFTCHECK_SIMD_X_SCALAR(X, ARG) X(HWY_SCALAR, N_SCALAR, ARG)
#else
#define SOFTCHECK_SIMD_X_SCALAR(X, ARG)
#endif
#define SOFTCHECK_SIMD_FOREACH(X, ARG) \
  SOFTCHECK_SIMD_X_AVX3(X, ARG)        \
  SOFTCHECK_SIMD_X_AVX2(X, ARG)        \
  SOFTCHECK_SIMD_X_SSE4(X, ARG) SOFTCHECK_SIMD_X_EMU128(X, ARG) SOFTCHECK_SIMD_X_SCALAR(X, ARG)

// {target, guarded function pointer} for function FN of each target.
#define SOFTCHECK_SIMD_GUARDED_ENTRY(TARGET, NS, FN) \
  {TARGET, &::softcheck::simd::Guarded<TARGET, &::softcheck::simd::NS::FN>::call},
#define SOFTCHECK_SIMD_PER_TARGET(FN) \
  { SOFTCHECK_SIMD_FOREACH(SOFTCHECK_SIMD_GUARDED_ENTRY, FN) }

// {target, value} for a constexpr variable NAME of each target (no code of the target runs).
#define SOFTCHECK_SIMD_VALUE_ENTRY(TARGET, NS, NAME) {TARGET, ::softcheck::simd::NS::NAME},
#define SOFTCHECK_SIMD_PER_TARGET_VALUE(NAME) \
  { SOFTCHECK_SIMD_FOREACH(SOFTCHECK_SIMD_VALUE_ENTRY, NAME) }
