// Per-target probes of the kernels' exp and conversions (simd_probes.hpp).
#include "impl/simd/simd_config.h"
// The config must precede Highway; foreach_target re-includes this file once per target.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "impl/simd/simd_probes.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include "impl/simd/convert-inl.h"
#include "impl/simd/exp_f32-inl.h"
#include "impl/simd/per_target.h"

HWY_BEFORE_NAMESPACE();
namespace softcheck::simd {
namespace HWY_NAMESPACE {

// Applies op to whole vectors, then to the tail through the same tail loads/stores as the kernels.
template <class InFormat, class OutFormat, class Op>
HWY_INLINE void Map(const typename InFormat::T* in, typename OutFormat::T* out, size_t n, Op op) {
  const hn::ScalableTag<float> d;
  const size_t N = hn::Lanes(d);
  size_t i = 0;
  for (; i + N <= n; i += N)
    StoreVec(OutFormat(), d, op(d, LoadVec(InFormat(), d, in + i)), out + i);
  if (i < n) {
    StoreTail(OutFormat(), d, op(d, LoadTail(InFormat(), d, in + i, n - i)), out + i, n - i);
  }
}

struct ExpOp {
  template <class D>
  HWY_INLINE hn::Vec<D> operator()(D d, hn::Vec<D> v) const {
    return ExpNonPositive(d, v);
  }
};
struct Identity {
  template <class D>
  HWY_INLINE hn::Vec<D> operator()(D, hn::Vec<D> v) const {
    return v;
  }
};

void ProbeExp(const float* t, float* e, size_t n) { Map<F32Format, F32Format>(t, e, n, ExpOp()); }
void ProbeToF16(const float* x, uint16_t* b, size_t n) {
  Map<F32Format, F16Format>(x, b, n, Identity());
}
void ProbeToBF16(const float* x, uint16_t* b, size_t n) {
  Map<F32Format, BF16Format>(x, b, n, Identity());
}
void ProbeFromF16(const uint16_t* b, float* x, size_t n) {
  Map<F16Format, F32Format>(b, x, n, Identity());
}
void ProbeFromBF16(const uint16_t* b, float* x, size_t n) {
  Map<BF16Format, F32Format>(b, x, n, Identity());
}

}  // namespace HWY_NAMESPACE
}  // namespace softcheck::simd
HWY_AFTER_NAMESPACE();

#if HWY_ONCE

#include "impl/simd/simd_probes.hpp"
#include "impl/simd/simd_targets.hpp"

namespace softcheck {
namespace simd {
namespace {

template <class Fn, size_t kN, class... A>
bool run(const TargetFn<Fn> (&table)[kN], std::string_view isa, A... args) {
  if (!simd_target_supported(isa) || isa == "dispatch") return false;
  for (const auto& e : table) {
    if (isa_name(e.target) == isa) {
      e.fn(args...);
      return true;
    }
  }
  return false;
}

const TargetFn<void (*)(const float*, float*, size_t)> kExp[] = SOFTCHECK_SIMD_PER_TARGET(ProbeExp);
const TargetFn<void (*)(const float*, uint16_t*, size_t)> kToF16[] =
    SOFTCHECK_SIMD_PER_TARGET(ProbeToF16);
const TargetFn<void (*)(const float*, uint16_t*, size_t)> kToBF16[] =
    SOFTCHECK_SIMD_PER_TARGET(ProbeToBF16);
const TargetFn<void (*)(const uint16_t*, float*, size_t)> kFromF16[] =
    SOFTCHECK_SIMD_PER_TARGET(ProbeFromF16);
const TargetFn<void (*)(const uint16_t*, float*, size_t)> kFromBF16[] =
    SOFTCHECK_SIMD_PER_TARGET(ProbeFromBF16);

}  // namespace
}  // namespace simd

bool simd_exp_f32(std::string_view isa, const float* t, float* e, std::size_t n) {
  return simd::run(simd::kExp, isa, t, e, n);
}
bool simd_f32_to_f16(std::string_view isa, const float* x, uint16_t* bits, std::size_t n) {
  return simd::run(simd::kToF16, isa, x, bits, n);
}
bool simd_f32_to_bf16(std::string_view isa, const float* x, uint16_t* bits, std::size_t n) {
  return simd::run(simd::kToBF16, isa, x, bits, n);
}
bool simd_f16_to_f32(std::string_view isa, const uint16_t* bits, float* x, std::size_t n) {
  return simd::run(simd::kFromF16, isa, bits, x, n);
}
bool simd_bf16_to_f32(std::string_view isa, const uint16_t* bits, float* x, std::size_t n) {
  return simd::run(simd::kFromBF16, isa, bits, x, n);
}

}  // namespace softcheck

#endif  // HWY_ONCE
