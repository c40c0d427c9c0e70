// Error of a kernel's output against a reference, in the output format's own units
// (error-model.md, "ULP conventions").
#pragma once

#include <string>

#include "oracles/real.hpp"

namespace softcheck::oracle {

struct ErrorMetrics {
  // Zimmermann (hal-03141101): |got - exact| / ulp(exact); a correctly rounded result scores <=
  // 0.5.
  double ulps_vs_exact = 0;
  // glibc (libm-test-support.c): |got - r| / ulp(r), r = round_to_format(exact, out); a correctly
  // rounded result scores 0.
  double ulps_vs_rounded = 0;
  double rel = 0;  // |got - exact| / |exact|; exact = 0: 0 when got = 0, else +inf
  double abs = 0;  // |got - exact|
  // (got - exact) / ulp(exact) with its sign, for bias tests (mean over many outputs ~ 0 for
  // round-to-nearest, -0.5 for truncation).
  double signed_ulps = 0;
  // Infinities and NaN are compared by class and sign, never in ulps. The expected class is that of
  // r (an exact value that overflows the format expects inf). Same non-finite class: every field 0.
  // Different classes: class_mismatch, every error field +inf, and class_note says what differed.
  bool class_mismatch = false;
  std::string class_note;
};

// ulp(v) is that of softcheck::ulp (dtype.hpp): 2^(max(e, emin) - p + 1) at v's binade [2^e,
// 2^(e+1)) in `out`, floored at the smallest subnormal, ulp(0) = denorm_min. The differences are
// computed in MPFR (no double cancellation), the ratios rounded once to double.
ErrorMetrics compare(double got, const Real& exact, DType out);

// ulp of a Real at its own binade in `out` (the Zimmermann denominator), as a double.
double ulp_of_exact(const Real& exact, DType out);

}  // namespace softcheck::oracle
