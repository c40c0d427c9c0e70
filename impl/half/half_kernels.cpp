// Half-precision softmax: f16 and bf16 storage (uint16_t bits) in and out, f32 computation, one
// round-to-nearest-even to the output format at the end.
//
// Error bound (error-model.md, "Mixed precision"): computing in f32 and rounding once to the output
// format gives, against the exact softmax of the inputs received,
//     |y_j - p_j| <= 0.5 + (n + 2 + 2 Delta) u32 / u_out   ulps of the output format,
// Delta = xmax - xmin: the f32 max-shifted bound of Blanchard, Higham & Higham (IMA J. Numer. Anal.
// 41(4), 2021, Thm 4.3) plus the final rounding. For bf16 (u_out = 2^-8) that is 0.56 ulp at
// n = 4096, Delta = 20, and about 1.0 ulp for f16: a correct kernel here is correctly rounded or
// one ulp off. Keeping the exp values or the sum in 16 bits breaks this
// (tests/half/wrong_half_kernels).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "impl/half/half_convert.hpp"
#include "impl/registry.hpp"

namespace softcheck {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

struct F16 {
  static float load(uint16_t b) { return f16_bits_to_float(b); }
  static uint16_t store(float v) { return float_to_f16_bits(v); }
};
struct BF16 {
  static float load(uint16_t b) { return bf16_bits_to_float(b); }
  static uint16_t store(float v) { return float_to_bf16_bits(v); }
};

// Three passes (BHH section 4): a = max x, s = sum exp(x_i - a) serially in f32,
// y_j = exp(x_j - a) / s rounded once to the output format. x_i - a <= 0, so nothing overflows
// whatever the offset (f16 logits reach 65504, bf16 ~3.4e38; a bf16 difference that overflows f32
// becomes -inf, whose exp 0 is the correctly rounded result anyway). The rounding of x_i - a is the
// |x_j - a| u32 term of the bound. The max starts at -inf, not at a finite sentinel, so
// all-negative rows keep their max. Special rows follow from IEEE arithmetic: a -inf logit gives
// exp(-inf) = 0 exactly; an all -inf row gives -inf - -inf = NaN everywhere (policy nan); a NaN
// logit makes s NaN; a +inf logit makes a = +inf and inf - inf = NaN.
template <class Fmt>
void softmax_shifted(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  const auto* x = static_cast<const uint16_t*>(xv);
  auto* y = static_cast<uint16_t*>(yv);
  for (std::size_t r = 0; r < rows; ++r, x += cols, y += cols) {
    float a = kNegInf;
    for (std::size_t j = 0; j < cols; ++j) {
      const float v = Fmt::load(x[j]);
      if (v > a) a = v;
    }
    float s = 0.0f;
    for (std::size_t j = 0; j < cols; ++j) s += std::exp(Fmt::load(x[j]) - a);
    for (std::size_t j = 0; j < cols; ++j) y[j] = Fmt::store(std::exp(Fmt::load(x[j]) - a) / s);
  }
}

// Online normaliser (Milakov & Gimelshein, arXiv:1805.02867, "online normalizer calculation"): one
// pass keeps the running max m and d = sum exp(x_i - m), rescaling d by exp(m_old - m_new) when the
// max grows; a second pass writes exp(x_j - m) / d. Each rescale adds one rounding: error-model.md
// adds (R + xmax - xmin) u32 to the shifted bound, R <= n - 1 rescales, at most (n - 1) u32 / u_out
// more ulps (0.5 f16 ulp, 0.06 bf16 ulp at n = 4096 with a new max at every element). A -inf logit
// is skipped rather than added as exp(x - m): while m is still -inf (a masked prefix) that would be
// exp(-inf - -inf) = NaN, the known bug of masked online softmax; it adds exactly 0 otherwise. An
// all -inf row keeps m = -inf, d = 0 and writes NaN (policy nan); a NaN logit makes d NaN; a +inf
// logit becomes the max, and its own output is exp(inf - inf) = NaN.
template <class Fmt>
void softmax_online(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  const auto* x = static_cast<const uint16_t*>(xv);
  auto* y = static_cast<uint16_t*>(yv);
  for (std::size_t r = 0; r < rows; ++r, x += cols, y += cols) {
    float m = kNegInf;
    float d = 0.0f;
    for (std::size_t j = 0; j < cols; ++j) {
      const float v = Fmt::load(x[j]);
      if (v > m) {
        d = d * std::exp(m - v) + 1.0f;  // exp(v - v) = 1 for the new max itself
        m = v;
      } else if (v != kNegInf) {
        d += std::exp(v - m);
      }
    }
    for (std::size_t j = 0; j < cols; ++j) y[j] = Fmt::store(std::exp(Fmt::load(x[j]) - m) / d);
  }
}

// Unshifted softmax with the exp values rounded to f16 (as code that keeps exp(x) in the input
// format does): e_i = f16(exp(x_i)), s = sum e_i in f32, y_j = e_j / s (BHH Thm 3.3: (n + 3) u,
// only where nothing over- or underflows).
// - Overflow: exp(x) overflows f16 for x >= ln(65520) = 11.09011 (error-model.md, thresholds). The
//   largest f16 logit with a finite f16 exp is 11.0859375 (exp = 65247.1, stored as 65248); from
//   11.09375 on e = inf and the row becomes NaN/0. Hence domain.max_logit.
// - Underflow: the sum is at least exp(row max); once that exp is an f16 subnormal (x < -14 ln 2 =
//   -9.70406; 0 from -17.33 on) the denominator itself loses relative accuracy. Hence
//   domain.min_row_max = -9.703125, the smallest f16 value whose exp is an f16 normal. Smaller
//   entries may still have subnormal exps: each is then off by up to half an f16 subnormal ulp
//   (2^-25), which reaches y_j divided by s >= exp(row max): the bound's absolute floor in the
//   accumulation format.
// accum is f16 because the exp values are f16 (the contract's "format of the exp values and the
// sum"): that puts the f16 rounding of each exp (<= 0.5 f16 ulp, plus expf's < 1 f32 ulp = 2^-13
// f16 ulp) in exp_ulps and the subnormal floor at f16's 2^-24. The sum is in f32, so the summation
// term h u16 overstates its error: sound, not tight. Declaring accum f32 instead would understate
// the error of f16-subnormal exp values (2^-25 absolute, against an f32 floor of ~2^-149).
constexpr double kF16NaiveMaxLogit = 11.0859375;    // f16 0x498b; exp = 65247.1, finite in f16
constexpr double kF16NaiveMinRowMax = -9.703125;    // f16 0xc8da; exp = 6.109e-5 >= 2^-14, normal
constexpr double kF16NaiveExpUlps = 0.5 + 0x1p-13;  // in f16 ulps: rounding + expf's error

void f16_softmax_naive(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  const auto* x = static_cast<const uint16_t*>(xv);
  auto* y = static_cast<uint16_t*>(yv);
  for (std::size_t r = 0; r < rows; ++r, x += cols, y += cols) {
    float s = 0.0f;
    for (std::size_t j = 0; j < cols; ++j) s += round_to_f16(std::exp(F16::load(x[j])));
    for (std::size_t j = 0; j < cols; ++j)
      y[j] = F16::store(round_to_f16(std::exp(F16::load(x[j]))) / s);
  }
}

Contract half_contract(const char* name, DType dtype, Algorithm algorithm, const char* summary) {
  Contract c;
  c.name = name;
  c.op = Op::softmax;
  c.dtype = dtype;
  c.accum = DType::f32;
  c.algorithm = algorithm;
  c.summation = Summation::serial;
  c.exp_ulps = 1.0;  // std::exp(float) is glibc expf: < 1 ulp
  c.all_masked = MaskedRowPolicy::nan;
  c.isa = "scalar";
  c.summary = summary;
  return c;
}

}  // namespace

std::vector<Kernel> half_softmax_kernels() {
  Contract naive = half_contract("f16_softmax_naive__scalar", DType::f16, Algorithm::naive,
                                 "f16 unshifted softmax, exp rounded to f16, f32 sum; logits <= "
                                 "11.0859375, row max >= -9.703125");
  naive.accum = DType::f16;
  naive.exp_ulps = kF16NaiveExpUlps;
  naive.domain.max_logit = kF16NaiveMaxLogit;
  naive.domain.min_row_max = kF16NaiveMinRowMax;
  return {
      {half_contract("f16_softmax_shifted__scalar", DType::f16, Algorithm::shifted,
                     "f16 storage, three-pass max-shifted softmax in f32, one RNE rounding"),
       RowwiseFn{softmax_shifted<F16>}},
      {half_contract("f16_softmax_online__scalar", DType::f16, Algorithm::online,
                     "f16 storage, online (Milakov-Gimelshein) softmax in f32, one RNE rounding"),
       RowwiseFn{softmax_online<F16>}},
      {naive, RowwiseFn{f16_softmax_naive}},
      {half_contract("bf16_softmax_shifted__scalar", DType::bf16, Algorithm::shifted,
                     "bf16 storage, three-pass max-shifted softmax in f32, one RNE rounding"),
       RowwiseFn{softmax_shifted<BF16>}},
      {half_contract("bf16_softmax_online__scalar", DType::bf16, Algorithm::online,
                     "bf16 storage, online (Milakov-Gimelshein) softmax in f32, one RNE rounding"),
       RowwiseFn{softmax_online<BF16>}},
  };
}

}  // namespace softcheck
