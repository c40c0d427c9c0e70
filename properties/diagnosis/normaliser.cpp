// A wrong normaliser: the sum or its reciprocal (an rcp estimate without a Newton step, a sum less
// accurate than declared) scales every output of a row by the same wrong factor, so the ratios
// y_j / y_max stay exp(x_j - x_max) while the outputs miss their bounds. The experiment checks, on
// spread rows that fail the accuracy bound, that every ratio is right (to a tolerance of 16 ulps of
// the output plus the declared exp error) and reports the common factor.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "oracles/oracle.hpp"
#include "properties/diagnosis/diagnosers.hpp"
#include "properties/diagnosis/probe.hpp"

namespace softcheck::diagnosis {

std::optional<Diagnosis> normaliser(const Kernel& k, const Invoker& inv) {
  const Contract& c = k.contract;
  if (!is_softmax(c)) return std::nullopt;
  const double tol = 16 * unit_roundoff(c.dtype) + 4 * c.exp_ulps * unit_roundoff(c.accum);
  for (std::size_t n : {5, 40, 300}) {
    const std::vector<double> x = spread_row(c.dtype, n);
    const auto y = outputs(k, inv, 1, n, x);
    if (!y) return std::nullopt;
    const auto bad = inaccurate_positions(c, x, *y);
    if (!bad) return std::nullopt;
    if (bad->empty()) continue;
    const std::size_t top = static_cast<std::size_t>(std::max_element(x.begin(), x.end()) - x.begin());
    double worst_ratio = 0;
    for (std::size_t j = 0; j < n; ++j) {
      // Only outputs with full precision carry a ratio worth comparing.
      if (std::exp(x[j] - x[top]) < 1e-3) continue;
      const double err = std::fabs((*y)[j] / (*y)[top] / std::exp(x[j] - x[top]) - 1);
      if (!(err <= tol)) return std::nullopt;
      worst_ratio = std::max(worst_ratio, err);
    }
    const double sum = oracle::to_double(oracle::exact_sum(*y));
    Diagnosis d;
    d.kind = "normaliser_inaccurate";
    d.params.push_back({"sum_minus_one", rounded4(sum - 1)});
    d.params.push_back({"cols", static_cast<double>(n)});
    d.summary = fmt::format(
        "every output of a row is off by the same factor (the outputs sum to 1 {:+.3g}) while "
        "their ratios are right: the denominator or its reciprocal is wrong (a reciprocal "
        "estimate without a Newton step, or a sum less accurate than the contract declares)",
        sum - 1);
    d.evidence = fmt::format(
        "a spread row of {} logits: {} outputs outside the bound; y_j / y_max within {:.3g} "
        "(relative) of exp(x_j - x_max) for every j",
        n, bad->size(), worst_ratio);
    return d;
  }
  return std::nullopt;
}

}  // namespace softcheck::diagnosis
