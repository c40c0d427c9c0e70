// The running max started from a finite sentinel (0, -1e4, -FLT_MAX/2 ...) instead of -inf: a
// max-shifted kernel gives [1/2, 1/2] for a row [M, M] at every finite M, while one whose max
// starts at s computes exp(M - s), which underflows to 0 (0/0) once M - s < ln(denorm_min / 2).
// The experiment bisects on M for the largest row max at which [M, M] stops giving 1/2 and
// estimates s from it; "right" is within the contract's bound, and below a declared domain (naive
// kernels: max >= ln min_normal) the kernel is not judged.
#include <cmath>

#include <fmt/format.h>

#include "properties/diagnosis/diagnosers.hpp"
#include "properties/diagnosis/probe.hpp"
#include "properties/error_bound.hpp"

namespace softcheck::diagnosis {

std::optional<Diagnosis> max_sentinel(const Kernel& k, const Invoker& inv) {
  const Contract& c = k.contract;
  if (!is_softmax(c)) return std::nullopt;
  const DType t = c.dtype;
  // Right within the contract's bound (division-free kernels lose accuracy with |max|: their
  // bound says how much); outside the declared domain the kernel is not judged, so a naive
  // kernel's underflow below ln min_normal counts as right here.
  const auto halves = [&](double m) {
    const std::vector<double> row{m, m};
    const auto y = outputs(k, inv, 1, 2, row);
    if (!y) return false;
    const auto bad = inaccurate_positions(c, row, *y);
    return !bad || bad->empty();
  };
  const double lo = -max_finite(t);
  if (!halves(0) || halves(lo)) return std::nullopt;
  const double good_from = first_true(t, lo, 0, halves);
  const double bad = next_down(t, good_from);
  // exp(M - s) reaches 0 at M - s = ln(denorm_min(accum) / 2).
  // An estimate: rounded to the cutoff's fourth significant digit (not the estimate's, which
  // would print a sentinel of 0 as 6.7e-7).
  const double quantum = std::pow(10.0, std::floor(std::log10(std::fabs(good_from))) - 3);
  const double sentinel =
      std::round((good_from - std::log(denorm_min(c.accum) / 2)) / quantum) * quantum + 0.0;
  Diagnosis d;
  d.kind = "max_sentinel";
  d.params.push_back({"cutoff", good_from, true});
  d.params.push_back({"sentinel_estimate", sentinel});
  d.summary = fmt::format(
      "rows whose logits all lie below {} ({:.6g}) lose their probabilities: the running max "
      "starts from a finite value (about {:.4g}) instead of -inf, so exp(x - max) underflows",
      hex(good_from), good_from, sentinel);
  d.evidence = fmt::format(
      "bisection on M for rows [M, M] (exactly [1/2, 1/2] for any finite M): right from M = {}, "
      "wrong at M = {}",
      hex(good_from), hex(bad));
  return d;
}

}  // namespace softcheck::diagnosis
