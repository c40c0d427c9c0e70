// Highway SIMD softmax kernels (issue 5): f32 softmax and log-softmax, f16 and bf16 softmax with
// f32 compute, each compiled for every Highway target (AVX3, AVX2, SSE4 and the scalar fallback)
// and registered once per target plus once as a run-time dispatch ("best supported target") kernel.
// The row algorithms are in softmax-inl.h, the exponential and its error bound in exp_f32-inl.h.
#include "impl/simd/simd_config.h"
// The config must precede Highway; foreach_target re-includes this file once per target.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "impl/simd/simd_kernels.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include "impl/simd/per_target.h"
#include "impl/simd/softmax-inl.h"

HWY_BEFORE_NAMESPACE();
namespace softcheck::simd {
namespace HWY_NAMESPACE {

// Entry points with the kernel ABI (rows x cols, row-major, contiguous).
void F32Softmax(const void* x, void* y, size_t rows, size_t cols) {
  SoftmaxRowsF32(DF(), static_cast<const float*>(x), static_cast<float*>(y), rows, cols);
}

void F32LogSoftmax(const void* x, void* y, size_t rows, size_t cols) {
  LogSoftmaxRowsF32(DF(), static_cast<const float*>(x), static_cast<float*>(y), rows, cols);
}

template <class Format>
void HalfSoftmax(const void* x, void* y, size_t rows, size_t cols) {
  SoftmaxRowsHalf(Format(), DF(), static_cast<const uint16_t*>(x), static_cast<uint16_t*>(y), rows,
                  cols);
}

void F16Softmax(const void* x, void* y, size_t rows, size_t cols) {
  HalfSoftmax<F16Format>(x, y, rows, cols);
}

void BF16Softmax(const void* x, void* y, size_t rows, size_t cols) {
  HalfSoftmax<BF16Format>(x, y, rows, cols);
}

// Contract factors of this target (compile-time constants, read without running target code).
inline constexpr TargetFacts kFacts{static_cast<int>(kSumLanes), kExpMaxUlps};

}  // namespace HWY_NAMESPACE
}  // namespace softcheck::simd
HWY_AFTER_NAMESPACE();

#if HWY_ONCE

#include <string>
#include <vector>

#include "impl/registry.hpp"
#include "impl/simd/simd_targets.hpp"

namespace softcheck {
namespace simd {

HWY_EXPORT(F32Softmax);
HWY_EXPORT(F32LogSoftmax);
HWY_EXPORT(F16Softmax);
HWY_EXPORT(BF16Softmax);

namespace {

void f32_softmax_dispatch(const void* x, void* y, size_t rows, size_t cols) {
  HWY_DYNAMIC_DISPATCH(F32Softmax)(x, y, rows, cols);
}
void f32_log_softmax_dispatch(const void* x, void* y, size_t rows, size_t cols) {
  HWY_DYNAMIC_DISPATCH(F32LogSoftmax)(x, y, rows, cols);
}
void f16_softmax_dispatch(const void* x, void* y, size_t rows, size_t cols) {
  HWY_DYNAMIC_DISPATCH(F16Softmax)(x, y, rows, cols);
}
void bf16_softmax_dispatch(const void* x, void* y, size_t rows, size_t cols) {
  HWY_DYNAMIC_DISPATCH(BF16Softmax)(x, y, rows, cols);
}

using Entry = TargetFn<RowwiseFn>;
const Entry kF32Softmax[] = SOFTCHECK_SIMD_PER_TARGET(F32Softmax);
const Entry kF32LogSoftmax[] = SOFTCHECK_SIMD_PER_TARGET(F32LogSoftmax);
const Entry kF16Softmax[] = SOFTCHECK_SIMD_PER_TARGET(F16Softmax);
const Entry kBF16Softmax[] = SOFTCHECK_SIMD_PER_TARGET(BF16Softmax);

const TargetFn<TargetFacts> kTargetFacts[] = SOFTCHECK_SIMD_PER_TARGET_VALUE(kFacts);

TargetFacts facts_of(int64_t target) {
  for (const auto& f : kTargetFacts)
    if (f.target == target) return f.fn;
  return {1, 0};  // not reached: every registered target has its facts
}

struct OpSpec {
  Op op;
  DType dtype;
  const char* what;
  const char* passes;
};

Contract contract_for(const OpSpec& spec, std::string_view isa, int lanes, double exp_ulps,
                      const std::string& note) {
  Contract c;
  c.name = std::string(name_of(spec.dtype)) + "_" + std::string(name_of(spec.op)) + "_shifted__" +
           std::string(isa);
  c.op = spec.op;
  c.dtype = spec.dtype;
  c.accum = DType::f32;  // f16/bf16 are converted on load; exps, sum and quotient stay f32
  c.algorithm = Algorithm::shifted;
  c.summation = Summation::k_lane;
  c.lanes = lanes;
  c.exp_ulps = exp_ulps;
  // log(S) once per row in double, rounded to f32: 0.5 ulp plus glibc log's < 1 ulp of double.
  c.log_ulps = 0.5 + 0x1p-28;
  // Masked logits give exactly 0 (log-softmax: -inf); a row of -inf is 0/0: NaN everywhere.
  c.domain.accepts_neg_inf = true;
  c.domain.propagates_nan = true;
  c.all_masked = MaskedRowPolicy::nan;
  c.flushes_subnormals = false;  // exp keeps subnormal results (scalef / split 2^n), no FTZ
  // Not monotone: where neighbouring floats t map into the same output ulp (|t| < ~1), an error
  // above 0.5 ulp lets a result step down by one ulp. Every float of [-104, 0] gives 2880 such
  // decreasing neighbours with FMA, 2925 without (tests/simd/exp_f32_exhaustive_test.cpp).
  c.monotone_exp = false;
  c.isa = std::string(isa);
  c.summary = std::string("Highway ") + note + ": " + spec.what + ", three passes (" + spec.passes +
              "), " + std::to_string(lanes) + "-lane sums, degree-6 exp (" +
              std::to_string(exp_ulps).substr(0, 3) + " ulp)";
  return c;
}

}  // namespace
}  // namespace simd

std::vector<Kernel> simd_kernels() {
  using namespace simd;
  struct Family {
    OpSpec spec;
    const Entry* per_target;
    size_t count;
    RowwiseFn dispatch;
  };
  const Family families[] = {
      {{Op::softmax, DType::f32, "f32 softmax", "max, exp stored and summed, divide"},
       kF32Softmax,
       std::size(kF32Softmax),
       &f32_softmax_dispatch},
      {{Op::log_softmax, DType::f32, "f32 log-softmax (x - max) - log(sum)",
        "max, sum exp, subtract"},
       kF32LogSoftmax,
       std::size(kF32LogSoftmax),
       &f32_log_softmax_dispatch},
      {{Op::softmax, DType::f16, "f16 softmax, f32 compute, RNE output",
        "max, sum exp, exp again and divide"},
       kF16Softmax,
       std::size(kF16Softmax),
       &f16_softmax_dispatch},
      {{Op::softmax, DType::bf16, "bf16 softmax, f32 compute, RNE output",
        "max, sum exp, exp again and divide"},
       kBF16Softmax,
       std::size(kBF16Softmax),
       &bf16_softmax_dispatch},
  };
  std::vector<Kernel> out;
  for (const Family& fam : families) {
    for (size_t i = 0; i < fam.count; ++i) {
      const int64_t t = fam.per_target[i].target;
      const std::string isa(isa_name(t));
      out.push_back({contract_for(fam.spec, isa, facts_of(t).sum_lanes, facts_of(t).exp_ulps, isa),
                     fam.per_target[i].fn, [isa] { return simd_unrunnable_reason(isa); }});
    }
    // The dispatch kernel computes exactly what the best supported target computes.
    int64_t best = 0;
    for (size_t i = 0; i < fam.count && best == 0; ++i)
      if (cpu_supports(fam.per_target[i].target)) best = fam.per_target[i].target;
    out.push_back(
        {contract_for(fam.spec, "dispatch", facts_of(best).sum_lanes, facts_of(best).exp_ulps,
                      "dispatch -> " + std::string(isa_name(best))),
         fam.dispatch});
  }
  return out;
}

}  // namespace softcheck

#endif  // HWY_ONCE
