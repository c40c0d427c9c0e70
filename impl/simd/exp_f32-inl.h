// exp(t) for f32 lanes with t <= 0: the exponent of a max-shifted softmax, t = x - max(x).
// Highway "-inl" header: foreach_target.h re-includes it once per target (the guard toggles).
//
// Contract of ExpNonPositive (the number the kernels' contracts carry as exp_ulps):
//   Valid lane type: float32.  Valid range: t in [-inf, 0] and NaN (softmax never passes t > 0).
//   Max error: targets with FMA (AVX3, AVX2): 1.0 ulp; targets without (SSE4, scalar): 1.5 ulp,
//     ulp in the glibc sense (|y - e^t| / ulp(e^t), ulp floored at the smallest subnormal).
//     Derivation and measurements below.
//   Special values: e^-inf = +0 exactly (masked logits), e^t = +0 for t < -104 (the exact value is
//     below 2^-150, half the smallest subnormal), subnormal results for t in [-103.97, -87.34]
//     (not flushed), e^0 = 1 exactly, NaN -> NaN (a NaN logit must poison the row's sum).
//
// Why not hwy::Exp (contrib/math, max error 1 ulp)? It is valid on the whole float range, which
// costs range checks, a degree-7 polynomial and two multiplications by powers of two on every lane
// (about 28 instructions per vector), and it maps NaN to 0 (IfThenElseZero(x >= -104)), so a NaN
// logit would vanish from the sum. Softmax only needs t <= 0; this version takes 12 instructions on
// AVX-512.
//
// Algorithm (Cody-Waite reduction and a minimax polynomial, as in Cephes expf and the XNNPACK
// "rr2_p6" kernels; Dukhan & Ablavatski, arXiv:2001.04438, Sec. 4 for the softmax setting):
//   n = round(t * log2(e))                    (adding 1.5*2^23 rounds to the nearest integer)
//   r = t - n * ln2_hi - n * ln2_lo            |r| <= ln2 / 2 (+ 3e-6 for the rounding of t*log2e)
//   p = 1 + r + r^2 (c2 + c3 r + c4 r^2 + c5 r^3 + c6 r^4)   by Horner's rule
//   e^t = p * 2^n                               (AVX-512: vscalefps; else two exact power-of-two
//                                                factors so that subnormal results round once)
// Error budget, in ulps of the result (p in [0.70, 1.42]; p / ulp(p) < 2^24 so a relative error
// eps is at most eps * 2^24 ulps):
//   - polynomial: relative minimax error of the float coefficients on |r| <= 0.34674:
//     3.63e-9 = 0.061 u (Remez exchange in long double, then coefficients rounded to float and the
//     error re-measured on 10^6 points);
//   - reduction: n * ln2_hi is exact (ln2_hi has 16 significant bits, |n| <= 150 < 2^8) and t - n *
//     ln2_hi is exact (Sterbenz); the second step rounds once: |dr| <= ulp(r)/2 <= 2^-26, which
//     perturbs e^r by a relative 2^-26 = 0.25 ulp; ln2_hi + ln2_lo misses ln2 by 5.5e-14, times
//     |n| <= 150: 8e-12, negligible;
//   - Horner with FMA: the final fma(h, r, 1) rounds once (0.5 ulp); the error of h (< 1 ulp of
//     h ~ 1 + r/2, i.e. < 2^-23) enters multiplied by |r| <= 0.347: < 0.35 ulp; inner steps enter
//     multiplied by higher powers of r: < 0.05 ulp;
//   - 2^n scaling is exact for normal results; a subnormal result is rounded once more, but the
//     error above shrinks by the same factor, so it stays within the same bound in subnormal ulps.
//   Sum: 0.5 + 0.35 + 0.05 + 0.25 + 0.061 = 1.21 ulp a priori. Without FMA (SSE4, scalar) every
//   multiply-add rounds twice: the last product adds <= 0.25 ulp, the reduction's product another
//   0.25 and the inner steps < 0.2: 1.7 ulp a priori.
// Measured on every float of the domain [-104, 0] (tests/simd/exp_f32_exhaustive_test.cpp, label
// slow): max 0.8822 ulp with FMA (at t = -0x1.aaf86cp+4), 1.1622 ulp without (t = -0x1.4c97p+2).
// The contract states 1.0 and 1.5: bounds the exhaustive test proves for the whole domain (below
// -104 the result is exactly 0) and that the strided walk of tests/simd/exp_f32_test.cpp asserts on
// every run. Not monotone: 2880 (FMA) and 2925 (no FMA) pairs of neighbouring floats give
// decreasing results, the first near t = -0.25 (contract.monotone_exp = false).
#if defined(SOFTCHECK_IMPL_SIMD_EXP_F32_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef SOFTCHECK_IMPL_SIMD_EXP_F32_INL_H_
#undef SOFTCHECK_IMPL_SIMD_EXP_F32_INL_H_
#else
#define SOFTCHECK_IMPL_SIMD_EXP_F32_INL_H_
#endif

#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace softcheck::simd {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Multiplies p by 2^n (n integral, as float, for lanes with t >= kExpCutoff) and zeroes the lanes
// where `zero` is set. Lanes with t < kExpCutoff hold garbage in p and n and are always zeroed.
template <class D, class V = hn::Vec<D>, class M = hn::Mask<D>>
HWY_INLINE V ScaleByPow2OrZero(D d, V p, V n, V n_magic, V magic, M zero) {
#if HWY_TARGET <= HWY_AVX3
  // vscalefps computes p * 2^floor(n) with a single rounding, subnormal results included; the
  // zero-masking form also applies the cutoff mask in the same instruction.
  (void)n_magic;
  (void)magic;
  (void)d;
  constexpr size_t kBytes = hn::MaxLanes(D()) * sizeof(hn::TFromD<D>);
  if constexpr (kBytes == 64) {
    return V{_mm512_maskz_scalef_ps(static_cast<__mmask16>(~zero.raw), p.raw, n.raw)};
  } else if constexpr (kBytes == 32) {
    return V{_mm256_maskz_scalef_ps(static_cast<__mmask8>(~zero.raw), p.raw, n.raw)};
  } else {
    return V{_mm_maskz_scalef_ps(static_cast<__mmask8>(~zero.raw), p.raw, n.raw)};
  }
#else
  (void)n;
  // n in [-150, 0] here (lower t are zeroed): split 2^n = 2^e1 * 2^e2 with e1, e2 >= -75, both
  // normal; p * 2^e1 is exact and the second product rounds once, also into the subnormal range.
  // n's integer value is read from the low mantissa bits of n + 1.5*2^23.
  const hn::RebindToSigned<D> di;
  const auto ni = hn::Sub(hn::BitCast(di, n_magic), hn::BitCast(di, magic));
  const auto e1 = hn::ShiftRight<1>(ni);
  const auto e2 = hn::Sub(ni, e1);
  const auto bias = hn::Set(di, 127);
  const V s1 = hn::BitCast(d, hn::ShiftLeft<23>(hn::Add(e1, bias)));
  const V s2 = hn::BitCast(d, hn::ShiftLeft<23>(hn::Add(e2, bias)));
  return hn::IfThenZeroElse(zero, hn::Mul(hn::Mul(p, s1), s2));
#endif
}

// Below this, e^t < 2^-150 rounds to +0 (error-model.md: exp rounds to 0 at x <= -103.97208 in
// f32); it also keeps |t * log2(e)| far below 2^22, where the rounding trick is exact.
inline constexpr float kExpCutoff = -104.0f;

// The contract's exp_ulps for this target (derivation in the header comment).
#if HWY_TARGET <= HWY_AVX2
inline constexpr double kExpMaxUlps = 1.0;  // fused multiply-add
#else
inline constexpr double kExpMaxUlps = 1.5;  // MulAdd is a multiply and an add
#endif

template <class D, class V = hn::Vec<D>>
HWY_INLINE V ExpNonPositive(D d, V t) {
  const V kLog2e = hn::Set(d, 0x1.715476p+0f);
  const V kMagic = hn::Set(d, 0x1.8p+23f);       // x + 1.5*2^23 - 1.5*2^23 = rint(x), |x| < 2^22
  const V kLn2Hi = hn::Set(d, 0x1.62e4p-1f);     // 16 significant bits
  const V kLn2Lo = hn::Set(d, 0x1.7f7d1cp-20f);  // ln2 - kLn2Hi, rounded
  // Minimax coefficients (relative error, |r| <= 0.34674), see the header comment.
  const V c6 = hn::Set(d, 0x1.6a23dp-10f);
  const V c5 = hn::Set(d, 0x1.123a2p-7f);
  const V c4 = hn::Set(d, 0x1.5558f2p-5f);
  const V c3 = hn::Set(d, 0x1.555492p-3f);
  const V c2 = hn::Set(d, 0x1.fffffcp-2f);
  const V one = hn::Set(d, 1.0f);

  const V n_magic = hn::MulAdd(t, kLog2e, kMagic);
  const V n = hn::Sub(n_magic, kMagic);
  V r = hn::NegMulAdd(n, kLn2Hi, t);
  r = hn::NegMulAdd(n, kLn2Lo, r);

  V h = hn::MulAdd(c6, r, c5);
  h = hn::MulAdd(h, r, c4);
  h = hn::MulAdd(h, r, c3);
  h = hn::MulAdd(h, r, c2);
  h = hn::MulAdd(h, r, one);
  const V p = hn::MulAdd(h, r, one);

  // t < cutoff is false for NaN, so a NaN t keeps the (NaN) polynomial value; -inf is zeroed.
  const auto zero = hn::Lt(t, hn::Set(d, kExpCutoff));
  return ScaleByPow2OrZero(d, p, n, n_magic, kMagic, zero);
}

}  // namespace HWY_NAMESPACE
}  // namespace softcheck::simd
HWY_AFTER_NAMESPACE();

#endif  // SOFTCHECK_IMPL_SIMD_EXP_F32_INL_H_ toggle
