// Walk over the floats of [-104, 0] through the kernels' exp probe, shared by exp_f32_test
// (strided) and exp_f32_exhaustive_test (every float).
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "impl/registry.hpp"
#include "impl/simd/simd_probes.hpp"
#include "softcheck/dtype.hpp"

namespace softcheck::test {

inline double contract_exp_ulps(const std::string& isa) {
  for (const Kernel& k : simd_kernels())
    if (k.contract.isa == isa) return k.contract.exp_ulps;
  return 0;
}

inline bool contract_monotone_exp(const std::string& isa) {
  for (const Kernel& k : simd_kernels())
    if (k.contract.isa == isa) return k.contract.monotone_exp;
  return true;
}

// Error of e = exp(t) in f32 ulps of the exact value (ulp floored at the smallest subnormal).
inline double ulp_error(float t, float e) {
  const double exact = std::exp(static_cast<double>(t));
  return std::fabs(static_cast<double>(e) - exact) / ulp(DType::f32, exact);
}

struct WalkResult {
  double max_ulps = 0;
  float worst = 0;
  uint64_t count = 0;
  uint64_t non_monotone = 0;  // e(t_i) > e(t_{i+1}) for t_i < t_{i+1} in the walk
  float non_monotone_at = 0;
};

// Walks t from -104 up to -0 through the float bit patterns with the given stride (1: every float),
// in chunks so that consecutive results can be compared for monotonicity.
inline WalkResult walk(const std::string& isa, uint32_t stride) {
  WalkResult r;
  const uint32_t lo = std::bit_cast<uint32_t>(-104.0f);  // negative floats: larger bits = smaller t
  const uint32_t hi = std::bit_cast<uint32_t>(-0.0f);
  constexpr std::size_t kChunk = 1 << 16;
  std::vector<float> t(kChunk), e(kChunk);
  float prev_e = 0;
  uint64_t bits = lo;
  while (bits >= hi) {
    std::size_t n = 0;
    for (; n < kChunk && bits >= hi; ++n, bits -= stride) {
      t[n] = std::bit_cast<float>(static_cast<uint32_t>(bits));
    }
    // The last chunk has any length, which also takes the probe through the tail path.
    if (!simd_exp_f32(isa, t.data(), e.data(), n)) return r;
    for (std::size_t i = 0; i < n; ++i) {
      const double err = ulp_error(t[i], e[i]);
      if (err > r.max_ulps) {
        r.max_ulps = err;
        r.worst = t[i];
      }
      if (e[i] < prev_e && r.non_monotone++ == 0) r.non_monotone_at = t[i];
      prev_e = e[i];
    }
    r.count += n;
  }
  return r;
}

}  // namespace softcheck::test
