// Softmax and log-softmax rows, one copy per Highway target (foreach_target re-includes this file).
//
// Algorithm: max-shifted, three passes (BHH Alg. 4.1; Dukhan & Ablavatski, arXiv:2001.04438,
// "three-pass with reloading"): (1) a = max x; (2) e_j = exp(x_j - a), S = sum e_j, e_j stored
// into y (f32 output); (3) y_j = e_j / S. The exponential is evaluated once per element, which is
// what limits speed in cache on one core; passes 1 and 3 are a load and a load+store per vector.
// Rows up to ~1 MB stay in L2 between the passes, so out of cache the row is read from DRAM once
// and written once; pass 1 of row r + 1 runs inside pass 2 of row r, so that its loads from
// L3/DRAM overlap the exponentials instead of stalling a separate pass (rows of <= 1 vector stay in
// one register instead). For f16/bf16 storage the exponentials are recomputed in pass 3 instead of
// being stored, since y cannot hold f32 values (all arithmetic stays f32, rounding to the output
// format once at the end).
//
// Summation: kAccumulators independent vector accumulators (k = kAccumulators * lanes partial
// sums); whole groups of kAccumulators vectors go to accumulators 0..3, the remaining full vectors
// to accumulators 0, 1, 2 and the tail to accumulator 3, so that no lane sums more than ceil(n / k)
// terms; then (acc0 + acc1) + (acc2 + acc3) and a balanced tree over the lanes. The height of the
// tree is ceil(n / k) - 1 + log2(k): Summation::k_lane with lanes = k in the contract.
//
// Division: y_j = e_j / S. Vector division is slow (vdivps zmm: ~10-16 cycles per vector), so on
// FMA targets it is q = e * (1/S) followed by one correction q' = q + (1/S) * (e - q*S) with the
// residual e - q*S exact in an FMA (Markstein): q' is within u + 2u^2 of e/S, the bound of a
// division. Targets without FMA divide.
//
// Special values: -inf logits give e = 0 exactly; a row of -inf has a = -inf, x - a = NaN, and
// gives NaN everywhere (MaskedRowPolicy::nan); a NaN logit makes its e NaN (the exp propagates
// NaN), so S and the whole row are NaN; +inf makes a = +inf and inf - inf = NaN, same. Log-softmax:
// y_j = (x_j - a) - log(S), never log(softmax) or x - (a + log S) (error-model.md).
#if defined(SOFTCHECK_IMPL_SIMD_SOFTMAX_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef SOFTCHECK_IMPL_SIMD_SOFTMAX_INL_H_
#undef SOFTCHECK_IMPL_SIMD_SOFTMAX_INL_H_
#else
#define SOFTCHECK_IMPL_SIMD_SOFTMAX_INL_H_
#endif

#include <hwy/highway.h>

#include <cmath>
#include <cstddef>
#include <limits>

#include "impl/simd/convert-inl.h"
#include "impl/simd/exp_f32-inl.h"

HWY_BEFORE_NAMESPACE();
namespace softcheck::simd {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

inline constexpr size_t kAccumulators = 4;
using DF = hn::ScalableTag<float>;
// Partial sums of the denominator (k in the contract's k_lane summation).
inline constexpr size_t kSumLanes = kAccumulators * hn::MaxLanes(DF());

// Sum of the lanes by a balanced tree (height log2(lanes)), broadcast to every lane.
template <class D>
HWY_INLINE hn::Vec<D> SumLanesTree(D d, hn::Vec<D> v) {
#if HWY_TARGET == HWY_EMU128 || HWY_TARGET == HWY_SCALAR
  // Highway's emulated SumOfLanes adds the lanes serially; keep the tree of the x86 targets.
  constexpr size_t kN = hn::MaxLanes(D());
  HWY_ALIGN float lanes[kN];
  hn::Store(v, d, lanes);
  for (size_t width = kN / 2; width >= 1; width /= 2) {
    for (size_t i = 0; i < width; ++i) lanes[i] = lanes[i] + lanes[i + width];
  }
  return hn::Set(d, lanes[0]);
#else
  // x86: _mm512_reduce_add_ps and the 256/128-bit shuffle-add sequences are balanced trees.
  return hn::SumOfLanes(d, v);
#endif
}

// Pass 1: a = max x (broadcast). Max order does not matter; NaN handling is left to pass 2.
template <class Format, class D>
HWY_INLINE hn::Vec<D> RowMax(Format f, D d, const typename Format::T* HWY_RESTRICT x, size_t n) {
  const size_t N = hn::Lanes(d);
  const auto neg_inf = hn::Set(d, -std::numeric_limits<float>::infinity());
  auto m0 = neg_inf, m1 = neg_inf, m2 = neg_inf, m3 = neg_inf;
  size_t i = 0;
  for (; i + 4 * N <= n; i += 4 * N) {
    m0 = hn::Max(m0, LoadVec(f, d, x + i));
    m1 = hn::Max(m1, LoadVec(f, d, x + i + N));
    m2 = hn::Max(m2, LoadVec(f, d, x + i + 2 * N));
    m3 = hn::Max(m3, LoadVec(f, d, x + i + 3 * N));
  }
  for (; i + N <= n; i += N) m0 = hn::Max(m0, LoadVec(f, d, x + i));
  if (i < n) {
    const auto mask = hn::FirstN(d, n - i);
    m1 = hn::Max(m1, hn::IfThenElse(mask, LoadTail(f, d, x + i, n - i), neg_inf));
  }
  return hn::MaxOfLanes(d, hn::Max(hn::Max(m0, m1), hn::Max(m2, m3)));
}

// Pass 2: S = sum exp(x - a) (broadcast), in the k-lane order described above. With kStore, the
// exponentials are also written to y (f32 output only). With kNextMax, the same loop also computes
// the maximum of the next row (`next`, n elements, into *next_max): its loads from L3/DRAM then
// overlap this row's exponentials instead of stalling a separate pass 1 (rows of equal length;
// max is exact, so the order in which it is taken does not change any result).
template <bool kStore, bool kNextMax, class Format, class D>
HWY_INLINE hn::Vec<D> RowSumExp(Format f, D d, const typename Format::T* HWY_RESTRICT x,
                                float* HWY_RESTRICT y, size_t n, hn::Vec<D> a,
                                const typename Format::T* HWY_RESTRICT next = nullptr,
                                hn::Vec<D>* next_max = nullptr) {
  const size_t N = hn::Lanes(d);
  const auto neg_inf = hn::Set(d, -std::numeric_limits<float>::infinity());
  auto s0 = hn::Zero(d), s1 = hn::Zero(d), s2 = hn::Zero(d), s3 = hn::Zero(d);
  auto m0 = neg_inf, m1 = neg_inf, m2 = neg_inf, m3 = neg_inf;
  auto exp_at = [&](size_t i) HWY_ATTR {
    const auto e = ExpNonPositive(d, hn::Sub(LoadVec(f, d, x + i), a));
    if constexpr (kStore) hn::StoreU(e, d, y + i);
    return e;
  };
  size_t i = 0;
  for (; i + 4 * N <= n; i += 4 * N) {
    if constexpr (kNextMax) {
      m0 = hn::Max(m0, LoadVec(f, d, next + i));
      m1 = hn::Max(m1, LoadVec(f, d, next + i + N));
      m2 = hn::Max(m2, LoadVec(f, d, next + i + 2 * N));
      m3 = hn::Max(m3, LoadVec(f, d, next + i + 3 * N));
    }
    s0 = hn::Add(s0, exp_at(i));
    s1 = hn::Add(s1, exp_at(i + N));
    s2 = hn::Add(s2, exp_at(i + 2 * N));
    s3 = hn::Add(s3, exp_at(i + 3 * N));
  }
  if (i + N <= n) {
    if constexpr (kNextMax) m0 = hn::Max(m0, LoadVec(f, d, next + i));
    s0 = hn::Add(s0, exp_at(i));
    i += N;
    if (i + N <= n) {
      if constexpr (kNextMax) m1 = hn::Max(m1, LoadVec(f, d, next + i));
      s1 = hn::Add(s1, exp_at(i));
      i += N;
      if (i + N <= n) {
        if constexpr (kNextMax) m2 = hn::Max(m2, LoadVec(f, d, next + i));
        s2 = hn::Add(s2, exp_at(i));
        i += N;
      }
    }
  }
  if (i < n) {
    const size_t count = n - i;
    const auto mask = hn::FirstN(d, count);
    if constexpr (kNextMax) {
      m3 = hn::Max(m3, hn::IfThenElse(mask, LoadTail(f, d, next + i, count), neg_inf));
    }
    const auto e =
        hn::IfThenElseZero(mask, ExpNonPositive(d, hn::Sub(LoadTail(f, d, x + i, count), a)));
    if constexpr (kStore) StoreTail(F32Format(), d, e, y + i, count);
    s3 = hn::Add(s3, e);
  }
  if constexpr (kNextMax) {
    *next_max = hn::MaxOfLanes(d, hn::Max(hn::Max(m0, m1), hn::Max(m2, m3)));
  }
  return SumLanesTree(d, hn::Add(hn::Add(s0, s1), hn::Add(s2, s3)));
}

// Pass 2 for row r of `rows` contiguous rows of n elements; also yields the max of row r + 1.
template <bool kStore, class Format, class D>
HWY_INLINE hn::Vec<D> RowSumExpAndNextMax(Format f, D d, const typename Format::T* HWY_RESTRICT x,
                                          float* HWY_RESTRICT y, size_t n, hn::Vec<D> a,
                                          bool has_next, hn::Vec<D>* next_max) {
  if (has_next) return RowSumExp<kStore, true>(f, d, x, y, n, a, x + n, next_max);
  return RowSumExp<kStore, false>(f, d, x, y, n, a);
}

// e / S, rounded once up to O(u^2) (see the header comment).
// 1/S is a scalar division (vdivss: a few cycles per row, where a 512-bit vdivps costs ~16 and
// matters for short rows), correctly rounded as Markstein's correction assumes.
template <class D>
struct Divider {
  hn::Vec<D> s, inv;
  Divider(D d, hn::Vec<D> sum) : s(sum), inv(hn::Set(d, 1.0f / hn::GetLane(sum))) {}
  HWY_INLINE hn::Vec<D> operator()(hn::Vec<D> e) const {
#if HWY_TARGET <= HWY_AVX2
    const auto q = hn::Mul(e, inv);
    return hn::MulAdd(hn::NegMulAdd(q, s, e), inv, q);
#else
    return hn::Div(e, s);
#endif
  }
};

// ------------------------------ row kernels

// A row of at most one vector stays in a register: one load, one store. Same operations and order
// as the general path (whose other accumulators would hold zeros), so the same results bitwise.
template <class D>
HWY_INLINE void SoftmaxShortRowF32(D d, const float* HWY_RESTRICT x, float* HWY_RESTRICT y,
                                   size_t n) {
  const F32Format f;
  const auto neg_inf = hn::Set(d, -std::numeric_limits<float>::infinity());
  const bool full = n == hn::Lanes(d);
  const auto mask = hn::FirstN(d, n);
  const auto v = full ? hn::LoadU(d, x) : hn::IfThenElse(mask, LoadTail(f, d, x, n), neg_inf);
  const auto a = hn::MaxOfLanes(d, v);
  const auto e = hn::IfThenElseZero(mask, ExpNonPositive(d, hn::Sub(v, a)));
  const Divider<D> div(d, SumLanesTree(d, e));
  if (full) {
    hn::StoreU(div(e), d, y);
  } else {
    StoreTail(f, d, div(e), y, n);
  }
}

template <class D>
HWY_INLINE void SoftmaxRowsF32(D d, const float* HWY_RESTRICT x, float* HWY_RESTRICT y, size_t rows,
                               size_t n) {
  if (rows == 0) return;
  if (n <= hn::Lanes(d)) {
    for (size_t r = 0; r < rows; ++r) SoftmaxShortRowF32(d, x + r * n, y + r * n, n);
    return;
  }
  const F32Format f;
  const size_t N = hn::Lanes(d);
  auto a = RowMax(f, d, x, n);
  for (size_t r = 0; r < rows; ++r, x += n, y += n) {
    auto next_a = a;
    const Divider<D> div(
        d, RowSumExpAndNextMax</*kStore=*/true>(f, d, x, y, n, a, r + 1 < rows, &next_a));
    size_t i = 0;
    for (; i + 2 * N <= n; i += 2 * N) {
      hn::StoreU(div(hn::LoadU(d, y + i)), d, y + i);
      hn::StoreU(div(hn::LoadU(d, y + i + N)), d, y + i + N);
    }
    for (; i + N <= n; i += N) hn::StoreU(div(hn::LoadU(d, y + i)), d, y + i);
    if (i < n) StoreTail(f, d, div(LoadTail(f, d, y + i, n - i)), y + i, n - i);
    a = next_a;
  }
}

// f16 / bf16 storage: exponentials recomputed in pass 3 (bitwise the same values as in pass 2).
template <class Format, class D>
HWY_INLINE void SoftmaxRowsHalf(Format f, D d, const uint16_t* HWY_RESTRICT x,
                                uint16_t* HWY_RESTRICT y, size_t rows, size_t n) {
  if (rows == 0) return;
  const size_t N = hn::Lanes(d);
  auto a = RowMax(f, d, x, n);
  for (size_t r = 0; r < rows; ++r, x += n, y += n) {
    auto next_a = a;
    const Divider<D> div(
        d, RowSumExpAndNextMax</*kStore=*/false>(f, d, x, nullptr, n, a, r + 1 < rows, &next_a));
    size_t i = 0;
    for (; i + N <= n; i += N) {
      StoreVec(f, d, div(ExpNonPositive(d, hn::Sub(LoadVec(f, d, x + i), a))), y + i);
    }
    if (i < n) {
      const auto e = ExpNonPositive(d, hn::Sub(LoadTail(f, d, x + i, n - i), a));
      StoreTail(f, d, div(e), y + i, n - i);
    }
    a = next_a;
  }
}

// y_j = (x_j - a) - log(S). log(S) is evaluated once per row in double and rounded to f32 (error
// below 0.5 ulp + 2^-29 ulp), so the kernel's log error is that of one rounding.
template <class D>
HWY_INLINE void LogSoftmaxRowsF32(D d, const float* HWY_RESTRICT x, float* HWY_RESTRICT y,
                                  size_t rows, size_t n) {
  if (rows == 0) return;
  const F32Format f;
  const size_t N = hn::Lanes(d);
  auto a = RowMax(f, d, x, n);
  for (size_t r = 0; r < rows; ++r, x += n, y += n) {
    auto next_a = a;
    const float sum = hn::GetLane(
        RowSumExpAndNextMax</*kStore=*/false>(f, d, x, nullptr, n, a, r + 1 < rows, &next_a));
    const auto log_sum = hn::Set(d, static_cast<float>(std::log(static_cast<double>(sum))));
    size_t i = 0;
    for (; i + N <= n; i += N) {
      hn::StoreU(hn::Sub(hn::Sub(hn::LoadU(d, x + i), a), log_sum), d, y + i);
    }
    if (i < n) {
      const auto v = hn::Sub(hn::Sub(LoadTail(f, d, x + i, n - i), a), log_sum);
      StoreTail(f, d, v, y + i, n - i);
    }
    a = next_a;
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace softcheck::simd
HWY_AFTER_NAMESPACE();

#endif  // SOFTCHECK_IMPL_SIMD_SOFTMAX_INL_H_ toggle
