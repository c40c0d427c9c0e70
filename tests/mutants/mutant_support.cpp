#include "tests/mutants/mutant_support.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace softcheck::mutants {

Contract softmax_contract(std::string name, DType dtype, std::string summary, Algorithm algorithm,
                          Summation summation, int lanes) {
  Contract c;
  c.name = std::move(name);
  c.op = Op::softmax;
  c.dtype = dtype;
  c.accum = dtype == DType::f64 ? DType::f64 : DType::f32;
  c.algorithm = algorithm;
  c.summation = summation;
  c.lanes = lanes;
  c.exp_ulps = 1.0;  // glibc expf: < 1 ulp
  c.log_ulps = 1.0;
  c.all_masked = MaskedRowPolicy::nan;
  c.isa = "scalar";
  c.summary = std::move(summary);
  return c;
}

float nan_max(const float* x, std::size_t n) {
  float m = -std::numeric_limits<float>::infinity();
  for (std::size_t j = 0; j < n; ++j) {
    if (std::isnan(x[j])) return x[j];
    if (x[j] > m) m = x[j];
  }
  return m;
}

namespace {

// XNNPACK's f32 "rr2_p5" exp (src/f32-raddstoreexpminusmax): ln 2 split in two for the
// reduction f = r - n ln2, |f| <= ln2/2, and a degree-5 polynomial e^f = 1 + f p(f).
constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0x1.62E400p-1f;
constexpr float kLn2Lo = 0x1.7F7D1Cp-20f;

float reduce(float r, float n) { return (r - n * kLn2Hi) - n * kLn2Lo; }

float poly(float f) {
  float p = 0x1.0F9F9Cp-7f;
  p = p * f + 0x1.573A1Ap-5f;
  p = p * f + 0x1.555A80p-3f;
  p = p * f + 0x1.FFFDC6p-2f;
  p = p * f + 0x1.FFFFF6p-1f;
  return 1.0f + f * p;
}

}  // namespace

float poly_expf(float r) {
  if (std::isnan(r)) return r;
  if (r < -104.0f) return 0.0f;  // below -103.97 the correctly rounded result is 0
  const float n = std::nearbyint(r * kLog2e);
  return std::ldexp(poly(reduce(r, n)), static_cast<int>(n));
}

float poly_expf_bits(float r) {
  const long n = std::lrint(r * kLog2e);  // unspecified for -inf/NaN (LONG_MIN on x86-64)
  const float f = reduce(r, static_cast<float>(n));
  // 2^n as a bit pattern: the exponent field is n + 127, valid only for -126 <= n <= 127.
  const uint32_t bits = static_cast<uint32_t>(n + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return poly(f) * scale;
}

}  // namespace softcheck::mutants
