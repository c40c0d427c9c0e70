// Loads and stores of f32 lanes from and to the kernel's storage format (f32, or f16 / bf16 as
// uint16_t bits), for whole vectors and for row tails. Highway "-inl" header, one copy per target.
//
// Conversions to a 16-bit format round to nearest, ties to even, once (error-model.md, "Bias":
// truncation has mean error -0.5 ulp). Highway 1.0.3 is not used for them where it falls short:
//   - DemoteTo(bfloat16_t, float) truncates on every x86 target (it keeps the upper 16 bits);
//   - DemoteTo(float16_t, float) truncates on SSE4 and the scalar fallbacks (no F16C), and its
//   PromoteTo from
//     float16_t there maps f16 inf/NaN (exponent 31) to 2^16 * (1 + m) instead of inf/NaN.
// F16C (vcvtps2ph with rounding immediate 0 = nearest even, vcvtph2ps) is exact and used on AVX2
// and AVX3. tests/simd/convert_test.cpp checks every f16 and bf16 value and every tie.
//
// Row tails never touch memory past the row: AVX2/AVX3 use masked loads and stores for f32
// (masked-off lanes do not fault); the other cases go through a small stack buffer.
#if defined(SOFTCHECK_IMPL_SIMD_CONVERT_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef SOFTCHECK_IMPL_SIMD_CONVERT_INL_H_
#undef SOFTCHECK_IMPL_SIMD_CONVERT_INL_H_
#else
#define SOFTCHECK_IMPL_SIMD_CONVERT_INL_H_
#endif

#include <hwy/highway.h>

#include <cstdint>
#include <cstring>

HWY_BEFORE_NAMESPACE();
namespace softcheck::simd {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Storage formats at the kernel boundary. T is the element type of the buffers.
struct F32Format {
  using T = float;
};
struct F16Format {
  using T = uint16_t;
};
struct BF16Format {
  using T = uint16_t;
};

// ------------------------------ 16-bit patterns <-> f32 lanes (D: full f32 vector)

// f16 bits (one per u32 lane) to f32, exactly: normal numbers rebias the exponent (+112), inf/NaN
// keep the all-ones exponent and the payload, zeros and subnormals are m * 2^-24 (m < 1024, exact).
template <class D>
HWY_INLINE hn::Vec<D> F32FromF16Bits(D d, hn::Vec<hn::RebindToUnsigned<D>> h) {
  const hn::RebindToUnsigned<D> du;
  const hn::RebindToSigned<D> di;
  const auto em = hn::And(h, hn::Set(du, 0x7FFFu));
  const auto sign = hn::ShiftLeft<16>(hn::And(h, hn::Set(du, 0x8000u)));
  auto normal = hn::Add(hn::ShiftLeft<13>(em), hn::Set(du, 112u << 23));
  const auto is_inf_nan = hn::Gt(em, hn::Set(du, 0x7BFFu));  // exponent 31
  normal = hn::IfThenElse(is_inf_nan, hn::Add(normal, hn::Set(du, 112u << 23)), normal);
  const auto tiny =
      hn::BitCast(du, hn::Mul(hn::ConvertTo(d, hn::BitCast(di, em)), hn::Set(d, 0x1.0p-24f)));
  const auto is_tiny = hn::Lt(em, hn::Set(du, 0x0400u));
  return hn::BitCast(d, hn::Or(sign, hn::IfThenElse(is_tiny, tiny, normal)));
}

// f32 to f16 bits, round to nearest even (F. Giesen, "float_to_half_fast3_rtne", 2016):
// results that are f16 subnormals are rounded by a float addition of 0.5 (the addition rounds to
// nearest even at exactly the f16 subnormal spacing 2^-24); normal results add 0xFFF plus the
// parity of the kept mantissa before dropping 13 bits; overflow to inf, NaN stays (quiet) NaN.
template <class D>
HWY_INLINE hn::Vec<hn::RebindToUnsigned<D>> F16BitsFromF32(D d, hn::Vec<D> v) {
  const hn::RebindToUnsigned<D> du;
  const auto bits = hn::BitCast(du, v);
  const auto sign = hn::And(bits, hn::Set(du, 0x80000000u));
  const auto a = hn::Xor(bits, sign);  // |v|
  // |v| >= 2^16: inf or NaN (0x7E00); values in [65520, 2^16) overflow through the normal path.
  const auto big = hn::IfThenElse(hn::Gt(a, hn::Set(du, 0x7F800000u)), hn::Set(du, 0x7E00u),
                                  hn::Set(du, 0x7C00u));
  const auto is_big = hn::Gt(a, hn::Set(du, (143u << 23) - 1));  // >= 2^16
  // |v| < 2^-14: f16 subnormal or zero.
  const auto denorm_magic = hn::Set(d, 0.5f);  // ((127 - 15) + (23 - 10) + 1) << 23
  const auto sub = hn::Sub(hn::BitCast(du, hn::Add(hn::BitCast(d, a), denorm_magic)),
                           hn::BitCast(du, denorm_magic));
  const auto is_sub = hn::Lt(a, hn::Set(du, 113u << 23));
  const auto odd = hn::And(hn::ShiftRight<13>(a), hn::Set(du, 1u));
  const auto rebias = hn::Set(du, static_cast<uint32_t>((15 - 127) << 23) + 0xFFFu);
  const auto normal = hn::ShiftRight<13>(hn::Add(hn::Add(a, rebias), odd));
  const auto mag = hn::IfThenElse(is_big, big, hn::IfThenElse(is_sub, sub, normal));
  return hn::Or(mag, hn::ShiftRight<16>(sign));
}

// f32 to bf16 bits, round to nearest even: add 0x7FFF plus the parity of bit 16, keep the top half.
// NaN is kept quiet instead (the addition could carry a NaN payload into inf).
template <class D>
HWY_INLINE hn::Vec<hn::RebindToUnsigned<D>> BF16BitsFromF32(D, hn::Vec<D> v) {
  const hn::RebindToUnsigned<D> du;
  const auto bits = hn::BitCast(du, v);
  const auto odd = hn::And(hn::ShiftRight<16>(bits), hn::Set(du, 1u));
  const auto rounded = hn::ShiftRight<16>(hn::Add(hn::Add(bits, hn::Set(du, 0x7FFFu)), odd));
  const auto quiet_nan = hn::Or(hn::ShiftRight<16>(bits), hn::Set(du, 0x0040u));
  const auto is_nan = hn::Gt(hn::And(bits, hn::Set(du, 0x7FFFFFFFu)), hn::Set(du, 0x7F800000u));
  return hn::IfThenElse(is_nan, quiet_nan, rounded);
}

// ------------------------------ whole vectors

template <class D>
HWY_INLINE hn::Vec<D> LoadVec(F32Format, D d, const float* HWY_RESTRICT p) {
  return hn::LoadU(d, p);
}

template <class D>
HWY_INLINE void StoreVec(F32Format, D d, hn::Vec<D> v, float* HWY_RESTRICT p) {
  hn::StoreU(v, d, p);
}

template <class D>
HWY_INLINE hn::Vec<D> LoadVec(F16Format, D d, const uint16_t* HWY_RESTRICT p) {
#if HWY_TARGET <= HWY_AVX2
  const hn::Rebind<hwy::float16_t, D> df16;
  return hn::PromoteTo(d, hn::LoadU(df16, reinterpret_cast<const hwy::float16_t*>(p)));
#else
  const hn::Rebind<uint16_t, D> du16;
  return F32FromF16Bits(d, hn::PromoteTo(hn::RebindToUnsigned<D>(), hn::LoadU(du16, p)));
#endif
}

template <class D>
HWY_INLINE void StoreVec(F16Format, D d, hn::Vec<D> v, uint16_t* HWY_RESTRICT p) {
#if HWY_TARGET <= HWY_AVX2
  const hn::Rebind<hwy::float16_t, D> df16;
  hn::StoreU(hn::DemoteTo(df16, v), df16, reinterpret_cast<hwy::float16_t*>(p));
#else
  const hn::Rebind<uint16_t, D> du16;
  const hn::RebindToSigned<D> di;
  hn::StoreU(hn::DemoteTo(du16, hn::BitCast(di, F16BitsFromF32(d, v))), du16, p);
#endif
}

template <class D>
HWY_INLINE hn::Vec<D> LoadVec(BF16Format, D d, const uint16_t* HWY_RESTRICT p) {
  const hn::Rebind<uint16_t, D> du16;
  const hn::RebindToUnsigned<D> du;
  return hn::BitCast(d, hn::ShiftLeft<16>(hn::PromoteTo(du, hn::LoadU(du16, p))));
}

template <class D>
HWY_INLINE void StoreVec(BF16Format, D d, hn::Vec<D> v, uint16_t* HWY_RESTRICT p) {
  const hn::Rebind<uint16_t, D> du16;
  const hn::RebindToSigned<D> di;
  // Values are <= 0xFFFF, so the saturating i32 -> u16 demotion keeps them.
  hn::StoreU(hn::DemoteTo(du16, hn::BitCast(di, BF16BitsFromF32(d, v))), du16, p);
}

// ------------------------------ row tails: 0 < count < Lanes(d)

// Lanes at and above `count` are zero.
template <class Format, class D>
HWY_INLINE hn::Vec<D> LoadTail(Format f, D d, const typename Format::T* HWY_RESTRICT p,
                               size_t count) {
#if HWY_TARGET <= HWY_AVX2
  if constexpr (sizeof(typename Format::T) == 4) {
    return hn::MaskedLoad(hn::FirstN(d, count), d, p);
  }
#endif
  HWY_ALIGN typename Format::T buf[hn::MaxLanes(D())] = {};
  std::memcpy(buf, p, count * sizeof(buf[0]));
  return LoadVec(f, d, buf);
}

template <class Format, class D>
HWY_INLINE void StoreTail(Format f, D d, hn::Vec<D> v, typename Format::T* HWY_RESTRICT p,
                          size_t count) {
#if HWY_TARGET <= HWY_AVX2
  if constexpr (sizeof(typename Format::T) == 4) {
    hn::BlendedStore(v, hn::FirstN(d, count), d, p);
    return;
  }
#endif
  HWY_ALIGN typename Format::T buf[hn::MaxLanes(D())];
  StoreVec(f, d, v, buf);
  std::memcpy(p, buf, count * sizeof(buf[0]));
}

}  // namespace HWY_NAMESPACE
}  // namespace softcheck::simd
HWY_AFTER_NAMESPACE();

#endif  // SOFTCHECK_IMPL_SIMD_CONVERT_INL_H_ toggle
