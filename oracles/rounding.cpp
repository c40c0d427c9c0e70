// round_to_format, to_double, to_hex: one correctly rounded step from a Real to a format.
#include "oracles/rounding.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "oracles/mpfr_ops.hpp"

namespace softcheck::oracle {

double round_to_format(const Real& v, DType out) {
  mpfr_srcptr s = mp::ptr(v);
  const double sign = mpfr_signbit(s) ? -1.0 : 1.0;
  if (mpfr_nan_p(s)) return std::numeric_limits<double>::quiet_NaN();
  if (mpfr_inf_p(s)) return sign * std::numeric_limits<double>::infinity();
  if (mpfr_zero_p(s)) return sign * 0.0;

  const Format f = format_of(out);
  const long e = static_cast<long>(mpfr_get_exp(s)) - 1;  // |v| in [2^e, 2^(e+1))
  if (e > f.emax) return sign * std::numeric_limits<double>::infinity();
  // Significant bits the format has at this binade: all p for normals, fewer below 2^emin.
  const long bits = f.precision - std::max(0L, static_cast<long>(f.emin) - e);
  if (bits <= 0) {
    // |v| < denorm_min. With bits == 0, |v| is in [denorm_min / 2, denorm_min): it rounds up to
    // denorm_min except on the exact tie, which goes to the even neighbour 0. Below that, 0.
    Real half_min = mp::with_precision(2);  // 2^(emin - p): not a double for f64, so in MPFR
    mpfr_set_ui_2exp(mp::ptr(half_min), 1, f.emin - f.precision, MPFR_RNDN);
    if (bits == 0 && mpfr_cmpabs(s, mp::ptr(half_min)) > 0) return sign * denorm_min(out);
    return sign * 0.0;
  }
  Real r = mp::with_precision(bits);
  mpfr_set(mp::ptr(r), s, MPFR_RNDN);  // the one rounding
  // r has at most 53 significant bits on the format's grid, so this conversion is exact (a value
  // rounded up to 2^(emax+1) becomes inf for f64, and is caught just below for the others).
  const double d = mpfr_get_d(mp::ptr(r), MPFR_RNDN);
  if (std::fabs(d) > max_finite(out)) return sign * std::numeric_limits<double>::infinity();
  return d;
}

double to_double(const Real& v) { return round_to_format(v, DType::f64); }

std::string to_hex(const Real& v, DType out) { return hex(round_to_format(v, out)); }

std::string to_hex_full(const Real& v) {
  mpfr_srcptr s = mp::ptr(v);
  if (mpfr_nan_p(s)) return "nan";
  if (mpfr_inf_p(s)) return mpfr_signbit(s) ? "-inf" : "inf";
  std::string out = mpfr_signbit(s) ? "-0x" : "0x";
  if (mpfr_zero_p(s)) return out + "0p+0";
  // The significand as an integer z (prec bits, leading bit 1): |v| = z 2^shift. MPFR's own %Ra
  // does not normalise the leading digit to 1 ("0xcp-4"); the C library and softcheck::hex do.
  mpz_t z;
  mpz_init(z);
  const long prec = static_cast<long>(mpfr_get_prec(s));
  const long shift = static_cast<long>(mpfr_get_z_2exp(z, s));
  mpz_abs(z, z);
  mpz_clrbit(z, static_cast<mp_bitcnt_t>(prec - 1));  // the fraction bits
  const long digits = (prec - 1 + 3) / 4;
  mpz_mul_2exp(z, z, static_cast<mp_bitcnt_t>(4 * digits - (prec - 1)));  // pad to whole hex digits
  std::string frac(static_cast<std::size_t>(digits) + 1, '0');
  if (digits > 0) {
    std::string hexdigits(mpz_sizeinbase(z, 16) + 2, '\0');
    mpz_get_str(hexdigits.data(), 16, z);
    hexdigits.resize(std::char_traits<char>::length(hexdigits.c_str()));
    frac = std::string(static_cast<std::size_t>(digits) - hexdigits.size(), '0') + hexdigits;
  }
  mpz_clear(z);
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  out += "1";
  if (!frac.empty()) out += "." + frac;
  const long exponent = shift + prec - 1;
  return out + "p" + (exponent >= 0 ? "+" : "") + std::to_string(exponent);
}

}  // namespace softcheck::oracle
