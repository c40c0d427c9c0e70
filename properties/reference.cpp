#include "properties/reference.hpp"

#include <cmath>

namespace softcheck {

RowReference make_reference(std::vector<oracle::Real> exact, DType out) {
  RowReference r;
  r.exact = std::move(exact);
  r.exact_d.reserve(r.exact.size());
  r.rounded.reserve(r.exact.size());
  for (const auto& v : r.exact) {
    r.exact_d.push_back(oracle::to_double(v));
    r.rounded.push_back(oracle::round_to_format(v, out));
  }
  return r;
}

RowReference softmax_reference(std::span<const double> x, DType out) {
  return make_reference(oracle::softmax(x, oracle::working_bits(out, x.size())), out);
}

ElementReport compare_element(std::size_t row, std::size_t index, double got,
                              const RowReference& ref, DType out, double bound_abs) {
  const oracle::ErrorMetrics m = oracle::compare(got, ref.exact[index], out);
  ElementReport e;
  e.row = row;
  e.index = index;
  e.got = got;
  e.expected = ref.rounded[index];
  e.exact = ref.exact_d[index];
  e.ulps_vs_exact = m.ulps_vs_exact;
  e.ulps_vs_rounded = m.ulps_vs_rounded;
  e.rel = m.rel;
  e.abs = m.abs;
  e.bound_abs = bound_abs;
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
