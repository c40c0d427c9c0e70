#include "properties/reference.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cmath>

#include <fmt/format.h>
#include <limits>
#include <utility>

namespace softcheck {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The elements of a row and the tier that decided them, counted once per row reference.
void count(std::size_t n, bool fast) { (fast ? oracle_tally().fast : oracle_tally().mpfr) += n; }

// The enclosure of element j, cut to the range every exact value lies in and widened outwards by
// one double step, so that the rounding of the bound's own arithmetic cannot shrink it. `strict`:
// the exact value is below hi, not at it (a strict upper bound from the row's shape).
struct Interval {
  double lo, hi;
  bool strict = false;
};
Interval enclosure(const RowReference& ref, std::size_t j) {
  const double v = ref.exact_d[j];
  if (!std::isfinite(v)) return {v, v};  // -inf at a mask: exact
  // r' - r >= 4u (|v| + r) >= u |v -+ r'|: v -+ r' rounded to nearest still encloses v -+ r.
  const double r = ref.radius(j) * (1 + 0x1p-51) + std::fabs(v) * 0x1p-51 + 0x1p-1074;
  Interval e{std::max(v - r, ref.lower), std::min(v + r, ref.upper)};
  e.strict = ref.upper_strict && e.hi == ref.upper;
  if (!ref.below_value.empty() && ref.below_value[j] && v <= e.hi) e = {e.lo, v, true};
  return e;
}

// Rounding to f32, f16 or bf16 and the binade of a double, without libm calls (the fast tier's
// decisions run once per element): the same results as dtype.hpp's round_to and ulp.
// The output format's parameters, looked up once per row.
struct Target {
  DType out;
  Format f;
  double max;
  explicit Target(DType t) : out(t), f(format_of(t)), max(max_finite(t)) {}
};

int binade(double x, const Format& f) {
  const int e = static_cast<int>((std::bit_cast<uint64_t>(x) >> 52) & 0x7ff) - 1023;
  return std::max(e, f.emin);
}
double pow2(int e) { return std::bit_cast<double>(static_cast<uint64_t>(e + 1023) << 52); }
double round_fast(const Target& t, double x) {
  if (t.out == DType::f32) return static_cast<double>(static_cast<float>(x));
  if (!std::isfinite(x) || x == 0 || std::fabs(x) < 0x1p-1000) return round_to(t.out, x);
  // Adding and removing 1.5 * 2^52 quanta rounds to a multiple of the quantum, ties to even.
  const double c = 0x1.8p52 * pow2(binade(x, t.f) - t.f.precision + 1);
  const double r = (x + c) - c;  // a zero keeps x's sign, as round_to's nearbyint does
  return r == 0 ? std::copysign(0.0, x) : std::fabs(r) > t.max ? std::copysign(kInf, x) : r;
}

// The enclosure decides the rounding when every point of it rounds to the same value of `out`
// (signed zeros included) and lies in the same binade of `out` (so ulp(exact) is known too). With
// a strict upper bound hi, the exact value lies in [lo, hi'] or in (hi', hi), hi' the double
// below hi: rounding is monotone, so round(lo) = round(hi') = round(hi) settles both, and the
// binade is that of hi' (|exact| > 2^k where hi = -2^k).
double top_of(const Interval& e) { return e.strict ? std::nextafter(e.hi, -kInf) : e.hi; }

bool decides(const Interval& e, const Target& t) {
  const double top = top_of(e);
  const double a = round_fast(t, e.lo), b = round_fast(t, top), c = round_fast(t, e.hi);
  if (a != b || b != c || std::signbit(a) != std::signbit(b) || std::signbit(b) != std::signbit(c))
    return false;
  if (!std::isfinite(e.lo) || !std::isfinite(e.hi)) return e.lo == e.hi || std::isinf(a);
  // ulp(lo) = ulp(top): the same binade of the format (every subnormal shares the lowest).
  if (e.lo == 0 || top == 0) return ulp(t.out, e.lo) == ulp(t.out, top);
  return binade(e.lo, t.f) == binade(top, t.f);
}

}  // namespace

OracleTally& oracle_tally() {
  thread_local OracleTally tally;
  return tally;
}

const std::vector<oracle::Real>& RowReference::exact() const {
  if (exact_cache.empty() && !exact_d.empty() && escalate) {
    exact_cache = escalate();
    oracle_tally().fast -= exact_d.size();
    count(exact_d.size(), false);
  }
  return exact_cache;
}

double RowReference::exact_ulp(std::size_t j) const {
  if (fast && std::isfinite(exact_d[j])) return ulp(out, top_of(enclosure(*this, j)));
  return oracle::ulp_of_exact(exact()[j], out);
}

RowReference make_reference(std::vector<oracle::Real> exact, DType out) {
  count(exact.size(), false);
  RowReference r;
  r.out = out;
  r.exact_cache = std::move(exact);
  r.exact_d.reserve(r.exact_cache.size());
  r.rounded.reserve(r.exact_cache.size());
  for (const auto& v : r.exact_cache) {
    r.exact_d.push_back(oracle::to_double(v));
    r.rounded.push_back(oracle::round_to_format(v, out));
  }
  return r;
}

RowReference tiered_reference(oracle::fast::Row fast, DType out,
                              std::function<std::vector<oracle::Real>()> mpfr) {
  // f64 results need more than double to decide: the fast tier is for f32, f16 and bf16.
  if (!fast.usable || out == DType::f64) return make_reference(mpfr(), out);
  RowReference r;
  r.out = out;
  r.fast = true;
  r.rel = fast.rel;
  r.abs = fast.abs;
  r.lower = fast.lower;
  r.upper = fast.upper;
  r.upper_strict = fast.upper_strict;
  r.below_value = std::move(fast.below_value);
  r.exact_d = std::move(fast.value);
  r.rounded.resize(r.exact_d.size());
  const Target target(out);
  for (std::size_t j = 0; j < r.exact_d.size(); ++j) {
    const Interval e = enclosure(r, j);
    if (!decides(e, target)) return make_reference(mpfr(), out);  // Ziv: the whole row to MPFR
    r.rounded[j] = round_fast(target, e.hi);
    // The double shown as the exact value keeps the known sign of a zero.
    r.exact_d[j] = std::clamp(r.exact_d[j], r.lower, r.upper);
    if (r.exact_d[j] == 0) r.exact_d[j] = std::copysign(0.0, r.rounded[j]);
  }
  r.escalate = std::move(mpfr);
  count(r.exact_d.size(), true);
  return r;
}

RowReference softmax_reference_mpfr(std::span<const double> x, DType out) {
  return make_reference(oracle::softmax(x, oracle::working_bits(out, x.size())), out);
}

RowReference log_softmax_reference_mpfr(std::span<const double> x, DType out) {
  return make_reference(oracle::log_softmax(x, oracle::working_bits(out, x.size())), out);
}

RowReference softmax_reference(std::span<const double> x, DType out) {
  if (out == DType::f64) return softmax_reference_mpfr(x, out);
  return tiered_reference(oracle::fast::softmax(x), out,
                          [in = std::vector<double>(x.begin(), x.end()), out] {
                            return oracle::softmax(in, oracle::working_bits(out, in.size()));
                          });
}

RowReference log_softmax_reference(std::span<const double> x, DType out) {
  if (out == DType::f64) return log_softmax_reference_mpfr(x, out);
  return tiered_reference(oracle::fast::log_softmax(x), out,
                          [in = std::vector<double>(x.begin(), x.end()), out] {
                            return oracle::log_softmax(in, oracle::working_bits(out, in.size()));
                          });
}

FastComparison compare_fast(double got, const RowReference& ref, std::size_t j, DType out) {
  FastComparison c;
  oracle::ErrorMetrics& m = c.metrics;
  const double r = ref.rounded[j], v = ref.exact_d[j];
  if (!std::isfinite(got) || !std::isfinite(r)) {  // classes, as oracle::compare judges them
    const auto cls = [](double a) {
      return std::isnan(a) ? std::string("nan") : std::isinf(a) ? (a > 0 ? "+inf" : "-inf") : "finite";
    };
    if (cls(got) != cls(r)) {
      m.class_mismatch = true;
      m.class_note = fmt::format("expected {} ({}), got {} ({})", cls(r), hex(r), cls(got), hex(got));
      m.ulps_vs_exact = m.ulps_vs_rounded = m.signed_ulps = m.rel = m.abs = kInf;
    }
    return c;
  }
  c.ulp = ref.exact_ulp(j);  // decides() made it that of every point of the enclosure
  const double diff = got - v;
  m.abs = std::fabs(diff);
  // |got - exact| differs from m.abs by at most the radius and the rounding of the difference.
  c.uncertainty_abs = ref.radius(j) + 0x1p-53 * m.abs;
  m.signed_ulps = diff / c.ulp;
  m.ulps_vs_exact = std::fabs(m.signed_ulps);
  m.ulps_vs_rounded = std::fabs(got - r) / ulp(out, r);
  m.rel = v == 0 ? (got == 0 ? 0.0 : kInf) : m.abs / std::fabs(v);
  return c;
}

ElementReport compare_element(std::size_t row, std::size_t index, double got,
                              const RowReference& ref, DType out, double bound_abs) {
  ElementReport e;
  e.row = row;
  e.index = index;
  e.got = got;
  e.expected = ref.rounded[index];
  e.exact = ref.exact_d[index];
  e.bound_abs = bound_abs;
  oracle::ErrorMetrics m;
  bool settled = false;
  if (ref.fast && ref.exact_cache.empty()) {
    const FastComparison c = compare_fast(got, ref, index, out);
    m = c.metrics;
    // The verdict |got - exact| <= bound_abs is the fast tier's when the uncertainty cannot
    // cross the bound. An element outside it gets MPFR's figures: a failure message shows exact
    // ones (rel near an exact value below double's range needs them).
    settled = m.class_mismatch || !std::isfinite(got) || !std::isfinite(e.expected) ||
              m.abs + c.uncertainty_abs < bound_abs;
  }
  if (!settled) m = oracle::compare(got, ref.exact()[index], out);
  e.ulps_vs_exact = m.ulps_vs_exact;
  e.ulps_vs_rounded = m.ulps_vs_rounded;
  e.rel = m.rel;
  e.abs = m.abs;
  if (m.class_mismatch) e.note = m.class_note;
  return e;
}

bool within(const ElementReport& e) {
  // Classes are judged on the value rounded once to the output format: an exact value that
  // overflows the format expects inf (f16 log-softmax of -65520 is -inf).
  if (std::isnan(e.got) || std::isnan(e.expected)) return std::isnan(e.got) && std::isnan(e.expected);
  if (std::isinf(e.got) || std::isinf(e.expected)) return e.got == e.expected;
  return e.abs <= e.bound_abs;
}

}  // namespace softcheck

#include <fmt/format.h>

namespace softcheck {

void require_within_bounds(const Batch& b, std::size_t row, std::span<const double> got,
                           const RowReference& ref, std::span<const double> bound_abs, DType out,
                           const std::string& derivation) {
  std::size_t failures = 0;
  ElementReport worst;
  double worst_ratio = -1;
  for (std::size_t j = 0; j < got.size(); ++j) {
    const ElementReport e = compare_element(row, j, got[j], ref, out, bound_abs[j]);
    if (within(e)) continue;
    ++failures;
    const double ratio = std::isfinite(e.abs) && e.bound_abs > 0 ? e.abs / e.bound_abs : INFINITY;
    if (ratio > worst_ratio) {
      worst_ratio = ratio;
      worst = e;
    }
  }
  if (failures == 0) return;
  fail_case(fmt::format("{} of {} outputs of row {} outside the bound; worst {}\n  bound: {}\n  {}",
                        failures, got.size(), row, describe_element(worst, out), derivation,
                        describe_batch(b)),
            severity_of(worst));
}

}  // namespace softcheck
