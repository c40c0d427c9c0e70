// Exact sums and dot products of doubles (used by sum-to-one properties and the backward oracle).
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "oracles/mpfr_ops.hpp"

namespace softcheck::oracle {
namespace {

// Tracks the exponent range of the exact terms of a sum: every non-zero finite term is a multiple
// of 2^low and smaller than 2^high in magnitude.
struct ExponentRange {
  long high = std::numeric_limits<long>::min();
  long low = std::numeric_limits<long>::max();
  void add(long top, long lsb) {
    high = std::max(high, top);
    low = std::min(low, lsb);
  }
};

// One mpfr_sum at a precision that spans the range plus carry bits, so it cannot round; the
// ternary value proves it (a non-zero one would be a bug here, not an input problem).
Real exact_sum_of(std::vector<Real>& terms, ExponentRange range, const char* what) {
  if (range.high < range.low) range.high = range.low = 0;  // no finite non-zero term
  std::vector<mpfr_ptr> p;
  p.reserve(terms.size());
  for (Real& t : terms) p.push_back(mp::ptr(t));
  Real r = mp::with_precision(mp::span_bits(range.high, range.low, terms.size()));
  if (mpfr_sum(mp::ptr(r), p.data(), p.size(), MPFR_RNDN) != 0)
    throw std::logic_error(std::string("oracle: ") + what + " rounded");
  return r;
}

bool finite_nonzero(double v) { return std::isfinite(v) && v != 0; }

}  // namespace

Real exact(double v) {
  Real r = mp::with_precision(53);
  mpfr_set_d(mp::ptr(r), v, MPFR_RNDN);  // exact: every double has at most 53 significant bits
  return r;
}

Real exact_sum(std::span<const double> v) {
  std::vector<Real> terms;
  terms.reserve(v.size());
  ExponentRange range;
  for (double x : v) {
    terms.push_back(exact(x));
    if (finite_nonzero(x)) {
      const long e = mp::frexp_exponent(x);
      range.add(e, e - 53);
    }
  }
  return exact_sum_of(terms, range, "exact_sum");
}

Real exact_dot(std::span<const double> a, std::span<const double> b) {
  if (a.size() != b.size()) throw std::invalid_argument("oracle: exact_dot of different sizes");
  std::vector<Real> products;
  products.reserve(a.size());
  ExponentRange range;
  for (std::size_t i = 0; i < a.size(); ++i) {
    Real p = mp::with_precision(106);  // 53 x 53 significant bits: the product is exact
    mpfr_set_d(mp::ptr(p), a[i], MPFR_RNDN);
    mpfr_mul_d(mp::ptr(p), mp::ptr(p), b[i], MPFR_RNDN);
    if (finite_nonzero(a[i]) && finite_nonzero(b[i])) {
      const long ea = mp::frexp_exponent(a[i]), eb = mp::frexp_exponent(b[i]);
      range.add(ea + eb, (ea - 53) + (eb - 53));
    }
    products.push_back(std::move(p));
  }
  return exact_sum_of(products, range, "exact_dot");
}

}  // namespace softcheck::oracle
