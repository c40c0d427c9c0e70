// Rounding a reference once to a kernel's output format.
#pragma once

#include "oracles/real.hpp"

namespace softcheck::oracle {

// v rounded ONCE to `out` (f32, f64, f16, bf16): round to nearest, ties to even, gradual underflow
// (subnormals keep the bits the format has at their binade), overflow to +-inf, signed zeros kept.
// Returns the exact double holding the format's value. Never rounds twice: the significand is
// rounded straight from v to the number of bits the format has at v's binade (p below the
// smallest normal 2^emin, p - (emin - e) in the binade [2^e, 2^(e+1)) below it), the IEEE-754
// rule that error-model.md asks for ("no f64 -> f32 -> f16 chains").
double round_to_format(const Real& v, DType out);

}  // namespace softcheck::oracle
