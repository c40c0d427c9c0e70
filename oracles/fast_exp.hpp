// The fast tier's exponential: exp(d) for d <= 0 in double with a proven error bound
// (docs/error-model.md, "The fast tier", where each constant below is derived). Not libm: its
// accuracy is a documented claim of the library, not a bound this project can state and test.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cmath>
#include <cstdint>

namespace softcheck::oracle::fast {

// |exp_nonpositive(d) - exp(d)| <= kExpRel * exp(d) + kExpAbs for every double d <= 0 (and -inf).
// Derivation: reduction 0.52u, truncation 0.16u, Horner with rounded coefficients 54.01u, the
// scaling exact unless the result is subnormal (then kExpAbs); 54.7u < 56u.
inline constexpr double kExpRel = 56 * 0x1p-53;
inline constexpr double kExpAbs = 0x1p-1074;

// Arguments below this give a result below 2^-1075: exp_nonpositive returns 0 (error < kExpAbs).
inline constexpr double kExpUnderflow = -745.2;

// How many Taylor terms the polynomial has (degree + 1). The bound above holds for 14 only;
// `terms` exists so that a test can build a weakened tier that claims the same bound and must be
// caught by the equivalence test (tests/oracles/fast_tier_equivalence_test.cpp).
inline constexpr int kExpTerms = 14;

template <int Terms = kExpTerms>
inline double exp_nonpositive(double d) {
  if (!(d > kExpUnderflow)) return d != d ? d : 0.0;  // NaN stays NaN; -inf and far below give 0
  // Cody-Waite: k = nearest integer to d / ln2, r = d - k ln2 with ln2 = L1 + L2, L1 of 32 bits so
  // that k * L1 is exact for |k| <= 1076 and d - k * L1 is exact (Sterbenz).
  constexpr double kLog2e = 1.4426950408889634;
  constexpr double kL1 = 0x1.62e42fep-1;            // ln2 to 32 bits
  constexpr double kL2 = 0x1.f473de6af278fp-30;     // ln2 - L1, rounded (error 2^-84.4)
  // Round to the nearest integer by adding and removing 1.5 * 2^52 (|d / ln2| < 1076).
  constexpr double kRound = 0x1.8p52;
  const double k = (d * kLog2e + kRound) - kRound;
  const double r = (d - k * kL1) - k * kL2;
  // Taylor coefficients 1/i!, each correctly rounded (i! is exact in double for i <= 13).
  constexpr auto c = [] {
    std::array<double, kExpTerms> v{};
    double f = 1;
    for (int i = 0; i < kExpTerms; ++i) {
      if (i > 0) f *= i;
      v[static_cast<std::size_t>(i)] = 1.0 / f;
    }
    return v;
  }();
  static_assert(Terms >= 1 && Terms <= kExpTerms);
  double p = c[Terms - 1];
  for (int i = Terms - 2; i >= 0; --i) p = p * r + c[static_cast<std::size_t>(i)];
  // Scale by 2^k in two exact steps while the result is normal; below 2^-1022 the last product
  // rounds once (absolute error <= 2^-1075).
  const int ki = static_cast<int>(k);
  const auto pow2 = [](int e) { return std::bit_cast<double>(static_cast<uint64_t>(e + 1023) << 52); };
  if (ki >= -1021) return p * pow2(ki);
  return (p * 0x1p-600) * pow2(ki + 600);
}

}  // namespace softcheck::oracle::fast
