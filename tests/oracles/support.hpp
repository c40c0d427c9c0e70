// Helpers for the oracle self-tests: an independent MPFR scratch type for closed forms, row
// generators, and comparisons after rounding.
#pragma once

#include <mpfr.h>
#include <rapidcheck.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "oracles/gradient.hpp"
#include "oracles/metrics.hpp"
#include "oracles/real.hpp"
#include "oracles/rounding.hpp"
#include "oracles/softmax.hpp"

namespace softcheck::oracle::test {

// A plain RAII mpfr_t, so that closed forms are computed without the oracle's code paths.
class Mp {
 public:
  explicit Mp(mpfr_prec_t bits) { mpfr_init2(v_, bits); }
  Mp(mpfr_prec_t bits, double d) : Mp(bits) { mpfr_set_d(v_, d, MPFR_RNDN); }
  ~Mp() { mpfr_clear(v_); }
  Mp(const Mp&) = delete;
  Mp& operator=(const Mp&) = delete;
  mpfr_ptr get() { return v_; }
  mpfr_srcptr get() const { return v_; }
  // The value as a Real of the same precision (for round_to_format and compare).
  Real real() const {
    Real r;
    mpfr_set_prec(r.backend().data(), mpfr_get_prec(v_));
    mpfr_set(r.backend().data(), v_, MPFR_RNDN);
    return r;
  }

 private:
  mpfr_t v_;
};

inline mpfr_srcptr raw(const Real& r) { return r.backend().data(); }

// Rounds both to `out` and compares bit for bit (NaN equals NaN, signed zeros distinguished).
inline bool same_after_rounding(const Real& a, const Real& b, DType out) {
  const double x = round_to_format(a, out), y = round_to_format(b, out);
  if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
  return x == y && std::signbit(x) == std::signbit(y);
}

// |a - b| <= 2^-k * max(|a|, |b|), computed at the larger precision (k bits of agreement).
inline bool agree_to_bits(const Real& a, const Real& b, long k) {
  if (mpfr_nan_p(raw(a)) || mpfr_nan_p(raw(b))) return mpfr_nan_p(raw(a)) && mpfr_nan_p(raw(b));
  if (mpfr_equal_p(raw(a), raw(b))) return true;
  const mpfr_prec_t bits = std::max(mpfr_get_prec(raw(a)), mpfr_get_prec(raw(b))) + 16;
  Mp d(bits), m(bits);
  mpfr_sub(d.get(), raw(a), raw(b), MPFR_RNDN);
  mpfr_abs(d.get(), d.get(), MPFR_RNDN);
  if (mpfr_cmpabs(raw(a), raw(b)) >= 0)
    mpfr_abs(m.get(), raw(a), MPFR_RNDN);
  else
    mpfr_abs(m.get(), raw(b), MPFR_RNDN);
  mpfr_mul_2si(m.get(), m.get(), -k, MPFR_RNDN);
  return mpfr_lessequal_p(d.get(), m.get());
}

// Logits with a common offset: a spread from 1e-3 to 1e4 (BHH's bounds grow with it) around an
// offset from {0, +-88.7, +-1e7, +-1e300}, with ties and -inf masks mixed in. Values are whatever
// doubles result; the oracle is exact for any double.
inline rc::Gen<double> spread_value() {
  return rc::gen::apply(
      [](int mantissa, double scale) { return std::ldexp(mantissa, -20) * scale; },
      rc::gen::inRange(-(1 << 20), 1 << 20), rc::gen::element(1e-3, 1.0, 30.0, 1e4));
}

inline rc::Gen<std::vector<double>> row(std::size_t min_n, std::size_t max_n, bool with_masks) {
  return rc::gen::mapcat(rc::gen::inRange(min_n, max_n + 1), [=](std::size_t n) {
    return rc::gen::apply(
        [with_masks](std::vector<double> spread, double offset, std::vector<int> kinds) {
          for (std::size_t i = 0; i < spread.size(); ++i) {
            if (kinds[i] == 1 && i > 0) spread[i] = spread[i - 1];  // a tie
            spread[i] += offset;
            if (with_masks && kinds[i] == 2 && i > 0)
              spread[i] = -std::numeric_limits<double>::infinity();
          }
          return spread;
        },
        rc::gen::container<std::vector<double>>(n, spread_value()),
        rc::gen::element(0.0, 88.7, -88.7, 1e7, -1e7, 1e300, -1e300),
        rc::gen::container<std::vector<int>>(
            n, rc::gen::weightedElement<int>({{6, 0}, {1, 1}, {1, 2}})));
  });
}

inline rc::Gen<DType> dtype() {
  return rc::gen::element(DType::f32, DType::f64, DType::f16, DType::bf16);
}

}  // namespace softcheck::oracle::test
