#include "reports/cell_stats.hpp"

#include <mpfr.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "oracles/metrics.hpp"

namespace softcheck::reports {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// A finite stand-in for an unbounded ratio (JSON has no infinity): an error where the bound is 0.
constexpr double kUnbounded = 1e300;

bool same_output(double got, double want) {
  if (std::isnan(want)) return std::isnan(got);
  return got == want;
}

}  // namespace

oracle::ErrorMetrics measure(double got, const RowReference& ref, std::size_t j, DType out) {
  // The fast tier's figures (within its stated uncertainty, properties/reference.hpp).
  if (ref.fast) return compare_fast(got, ref, j, out).metrics;
  const double exact = ref.exact_d[j], r = ref.rounded[j];
  if (!std::isfinite(got) || !std::isfinite(r) || !std::isfinite(exact))
    return oracle::compare(got, ref.exact()[j], out);
  oracle::ErrorMetrics m;
  double d;
  if (format_of(out).precision <= 24) {
    d = got - exact;  // exact in double unless the two are far apart (then 2^-53 relative)
  } else {
    // f64: the difference from the exact value, rounded once at 64 bits as compare() rounds it.
    struct Scratch {
      mpfr_t v;
      Scratch() { mpfr_init2(v, 64); }
      ~Scratch() { mpfr_clear(v); }
    };
    thread_local Scratch s;
    mpfr_d_sub(s.v, got, ref.exact()[j].backend().data(), MPFR_RNDN);
    d = mpfr_get_d(s.v, MPFR_RNDN);
  }
  m.signed_ulps = d / ref.exact_ulp(j);
  m.ulps_vs_exact = std::fabs(m.signed_ulps);
  m.ulps_vs_rounded = std::fabs(got - r) / ulp(out, r);  // both in the format: an exact difference
  m.abs = std::fabs(d);
  m.rel = exact == 0 ? (got == 0 ? 0.0 : kInf) : m.abs / std::fabs(exact);
  return m;
}

double significant7(double v) {
  if (!std::isfinite(v) || v == 0) return v;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.7g", v);
  return std::strtod(buf, nullptr);
}

double usable_bound(double bound_abs) { return bound_abs >= 0 ? bound_abs : kInf; }

int kind_rank(const std::string& kind) {
  if (kind == "class_mismatch") return 3;
  if (kind == "policy") return 2;
  if (kind == "over_bound") return 1;
  return 0;
}

double percentile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
  const auto k = std::clamp<std::size_t>(rank, 1, v.size()) - 1;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

CellAccumulator::CellAccumulator(const Contract& c, const OpAdapter& adapter, bool compact)
    : c_(c), adapter_(adapter), ulps_exact_(compact), ulps_rounded_(compact) {}

void CellAccumulator::consider(const WorstElement& e, bool& row_changed) {
  // Strictly worse only: ties keep the earlier element (deterministic, shard-independent).
  if (have_worst_) {
    const int a = kind_rank(e.kind), b = kind_rank(worst_.kind);
    if (a < b || (a == b && !(e.tightness > worst_.tightness))) return;
  }
  worst_ = e;
  have_worst_ = true;
  row_changed = true;
}

bool CellAccumulator::begin_row(std::size_t row, std::span<const double> x, const RowCase& rc,
                                std::span<const double> got) {
  bool any_finite = false;
  double lo = kInf, hi = -kInf;
  for (double v : x)
    if (std::isfinite(v)) any_finite = true, lo = std::min(lo, v), hi = std::max(hi, v);

  if (!any_finite) {  // only -inf: the contract's all-masked policy decides
    ++specials_.all_masked_rows;
    const std::optional<double> want = adapter_.all_masked_output(c_, x.size());
    if (!want) return false;
    bool row_changed = false;
    for (std::size_t j = 0; j < got.size(); ++j) {
      if (same_output(got[j], *want)) continue;
      ++specials_.all_masked_wrong;
      WorstElement e;
      e.kind = "policy";
      e.row = row;
      e.index = j;
      e.got = got[j];
      e.exact = e.expected = *want;
      consider(e, row_changed);
      break;
    }
    if (row_changed) keep_worst_row(x, rc);
    return false;
  }
  spread_sum_ += hi - lo;
  magnitude_sum_ += std::max(std::fabs(lo), std::fabs(hi));
  ++spread_rows_;
  row_sum_ = 0;
  row_count_ = 0;
  row_changed_ = false;
  return true;
}

void CellAccumulator::end_row(std::span<const double> x, const RowCase& rc, bool view) {
  if (row_count_ > 0) {
    row_sums_.push_back(row_sum_);
    row_counts_.push_back(row_count_);
  }
  if (!row_changed_) return;
  keep_worst_row(view ? std::span<const double>() : x, rc);
  if (view) worst_view_ = x;  // a long row: not copied (the caller's x outlives the accumulator's use)
}

void CellAccumulator::add_row(std::size_t row, std::span<const double> x, const RowCase& rc,
                              std::span<const double> got) {
  if (!begin_row(row, x, rc, got)) return;
  const RowReference ref = adapter_.reference(x, rc, c_.dtype);
  const RowBound bound = adapter_.bound(c_, x, rc, ref);
  add_range(row, x, rc, 0, got, ref, bound);
  end_row(x, rc, false);
}

void CellAccumulator::add_row_in_ranges(std::size_t row, std::span<const double> x,
                                        const RowCase& rc, const RowOutputs& outputs,
                                        std::size_t output_row, std::size_t range) {
  const std::size_t n = outputs.per_row();
  std::vector<double> got;
  // Only the first output is needed to see an all -inf row (its policy check reads them all).
  bool any_finite = false;
  for (double v : x) any_finite = any_finite || std::isfinite(v);
  if (!any_finite) {
    outputs.copy(output_row, 0, n, got);
    begin_row(row, x, rc, got);
    return;
  }
  begin_row(row, x, rc, {});
  const std::unique_ptr<RangeJudge> judge = adapter_.range_judge(c_, x, rc, c_.dtype);
  for (std::size_t b = 0; b < n; b += range) {
    const std::size_t e = std::min(n, b + range);
    outputs.copy(output_row, b, e, got);
    const RowReference ref = judge->reference(b, e);
    add_range(row, x, rc, b, got, ref, judge->bound(b, e, ref));
  }
  end_row(x, rc, true);
}

void CellAccumulator::add_range(std::size_t row, std::span<const double> x, const RowCase& rc,
                                std::size_t offset, std::span<const double> got,
                                const RowReference& ref, const RowBound& bound) {
  const DType out = c_.dtype;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const std::size_t j = offset + i;  // the output's index in the row
    WorstElement e;
    e.row = row;
    e.index = j;
    e.got = got[i];
    if (const std::optional<double> fixed = adapter_.masked_output(x, rc, j)) {
      // A mask: exactly the masked output, not a rounding question.
      ++specials_.masked;
      e.exact = e.expected = *fixed;
      if (!same_output(got[i], e.exact)) {
        ++specials_.masked_wrong;
        e.kind = "policy";
        consider(e, row_changed_);
      }
      continue;
    }
    const oracle::ErrorMetrics m = measure(got[i], ref, i, out);
    e.exact = ref.exact_d[i];
    e.expected = ref.rounded[i];
    e.bound_abs = bound.abs[i];
    if (m.class_mismatch) {
      ++specials_.class_mismatch;
      e.kind = "class_mismatch";
      consider(e, row_changed_);
      continue;
    }
    if (!std::isfinite(got[i]))
      continue;  // same non-finite class as the exact value: nothing to measure
    if (got[i] == 0 && ref.rounded[i] != 0) ++specials_.flushed_to_zero;
    if (got[i] != 0 && std::fabs(got[i]) < min_normal(out)) ++specials_.subnormal_outputs;
    e.ulps_exact = m.ulps_vs_exact;
    e.ulps_rounded = m.ulps_vs_rounded;
    e.abs = m.abs;
    // A first-order bound with K u >= 1 claims nothing (gamma_bound gives +inf there): counted as
    // vacuous, never as a failure of the kernel.
    e.bound_abs = usable_bound(bound.abs[i]);
    const bool vacuous = std::isinf(e.bound_abs);
    if (vacuous) ++vacuous_;
    e.tightness =
        vacuous || m.abs == 0 ? 0 : (bound.abs[i] > 0 ? m.abs / bound.abs[i] : kUnbounded);
    e.kind = !vacuous && m.abs > bound.abs[i] ? "over_bound" : "within";
    ulps_exact_.add(m.ulps_vs_exact);
    add_to_histogram(adapter_.bound_is_absolute() ? m.abs : m.ulps_vs_exact);
    ulps_rounded_.add(m.ulps_vs_rounded);
    // Relative error where it means something: below the smallest normal the absolute floor of the
    // bound governs, and an output that underflows to 0 has relative error 1 by definition.
    if (std::fabs(ref.exact_d[i]) >= min_normal(out))
      rel_max_ = std::max(rel_max_, std::min(m.rel, kUnbounded));
    abs_max_ = std::max(abs_max_, m.abs);
    // K likewise, where the bound is not the underflow floor (whose ratio to a subnormal output
    // says nothing about the algorithm).
    if (std::fabs(ref.exact_d[i]) >= min_normal(out) && std::isfinite(bound.factor[i]))
      k_max_ = std::max(k_max_, bound.factor[i]);
    if (e.kind == "over_bound") ++over_bound_;
    const double bound_ulps = e.bound_abs / ref.exact_ulp(i);
    if (!vacuous && e.tightness > tight_) {
      tight_ = e.tightness;
      tight_obs_ = m.ulps_vs_exact;
      tight_bound_ = bound_ulps;
    }
    // The bias sample (report.hpp): normal-range outputs, where round-to-nearest is mean-zero on
    // any smooth distribution of values (on the linear subnormal grid it is not: values far below
    // half the smallest subnormal all round down to 0), with a bound of at most a few ulps.
    if (bound_ulps <= kBiasMaxBoundUlps && std::fabs(ref.exact_d[i]) >= min_normal(out)) {
      row_sum_ += m.signed_ulps;
      signed_sum_ += m.signed_ulps;
      signed_sq_ += m.signed_ulps * m.signed_ulps;
      ++signed_n_;
      ++row_count_;
    }
    consider(e, row_changed_);
  }
}

int histogram_floor_log2(bool absolute, DType dtype) {
  return absolute ? -30 - format_of(dtype).precision : -30;
}

void CellAccumulator::add_to_histogram(double error) {
  if (!(error > 0)) {
    ++histogram_.exact;
    return;
  }
  // frexp: error = f 2^e with f in [0.5, 1), so error is in [2^(e-1), 2^e); a power of two goes to
  // the bin it closes, (2^(e-1), 2^e].
  int e = 0;
  const double f = std::frexp(std::min(error, kUnbounded), &e);
  const int floor = histogram_floor_log2(adapter_.bound_is_absolute(), c_.dtype);
  ++histogram_.log2[std::max(f == 0.5 ? e - 1 : e, floor)];
}

void CellAccumulator::keep_worst_row(std::span<const double> x, const RowCase& rc) {
  worst_x_.assign(x.begin(), x.end());
  worst_view_ = {};
  worst_case_ = rc;
}

std::span<const double> CellAccumulator::worst_row() const {
  return worst_view_.empty() ? std::span<const double>(worst_x_) : worst_view_;
}

void CellAccumulator::release_samples() {
  ulps_exact_.release();
  ulps_rounded_.release();
}

void CellAccumulator::finish(CellResult& cell) {
  cell.elements = ulps_exact_.size();
  auto r7 = [](ErrorSummary e) {
    return ErrorSummary{significant7(e.max), significant7(e.mean), significant7(e.p99)};
  };
  cell.ulps_exact = r7(ulps_exact_.summary());
  cell.ulps_rounded = r7(ulps_rounded_.summary());
  cell.rel_max = significant7(rel_max_);
  cell.abs_max = significant7(abs_max_);
  cell.bound_k_max = significant7(k_max_);
  cell.tightness = significant7(std::max(tight_, 0.0));
  cell.tight_observed_ulps = significant7(tight_obs_);
  cell.tight_bound_ulps = significant7(tight_bound_);
  cell.over_bound = over_bound_;
  cell.vacuous_bound = vacuous_;
  cell.spread_mean =
      significant7(spread_rows_ ? spread_sum_ / static_cast<double>(spread_rows_) : 0);
  cell.magnitude_mean =
      significant7(spread_rows_ ? magnitude_sum_ / static_cast<double>(spread_rows_) : 0);
  cell.histogram = histogram_;
  cell.specials = specials_;
  cell.worst = worst_;
  for (double* v : {&cell.worst.ulps_exact, &cell.worst.ulps_rounded, &cell.worst.abs,
                    &cell.worst.bound_abs, &cell.worst.tightness})
    *v = significant7(*v);

  Bias& b = cell.bias;
  b.rows = row_sums_.size();
  b.elements = signed_n_;
  if (signed_n_ > 0) {
    const double N = static_cast<double>(signed_n_);
    b.mean_signed_ulps = signed_sum_ / N;
    b.sd_ulps = std::sqrt(std::max(0.0, signed_sq_ / N - b.mean_signed_ulps * b.mean_signed_ulps));
  }
  if (b.rows >= 2) {
    // Cluster-robust variance of the mean (rows are clusters: the outputs of a row share its
    // denominator's rounding error, so they are not independent samples):
    // V = R / (R - 1) * sum_r (S_r - mean n_r)^2 / N^2.
    const double R = static_cast<double>(b.rows), N = static_cast<double>(signed_n_);
    double ss = 0;
    for (std::size_t r = 0; r < row_sums_.size(); ++r) {
      const double d = row_sums_[r] - b.mean_signed_ulps * static_cast<double>(row_counts_[r]);
      ss += d * d;
    }
    const double var = R / (R - 1) * ss / (N * N);
    if (var > 0)
      b.z = b.mean_signed_ulps / std::sqrt(var);
    else
      b.z = b.mean_signed_ulps == 0 ? 0.0 : std::copysign(1e9, b.mean_signed_ulps);
    b.z = significant7(std::clamp(*b.z, -1e9, 1e9));
  }
  b.mean_signed_ulps = significant7(b.mean_signed_ulps);
  b.sd_ulps = significant7(b.sd_ulps);
}

}  // namespace softcheck::reports
