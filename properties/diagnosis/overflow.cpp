// Overflow without the max shift: with the max subtracted, exp's argument is <= 0 and a row [L, 0]
// gives finite outputs for every finite L. The experiment bisects on L (along the dtype's values)
// for the first logit at which the outputs stop being finite probabilities, and names the format
// whose exp overflows there (ln(max finite): 88.72 f32, 11.09 f16, 88.72 bf16, 709.78 f64). Run
// with L first and last: a kernel that fails in only one order misses that element when taking
// the max (a loop starting at element 1, the bug class "finite sentinel or element 0 missed"); a
// kernel that fails in both orders must also fail on a tie [L, L] (exp(L) itself overflows), or it
// is the exp of the small logit that is wrong.
#include <cmath>

#include <fmt/format.h>

#include "properties/diagnosis/diagnosers.hpp"
#include "properties/diagnosis/probe.hpp"
#include "properties/error_bound.hpp"

namespace softcheck::diagnosis {
namespace {

std::optional<DType> format_overflowing_at(double threshold, const Contract& c) {
  for (DType f : {c.accum, c.dtype, DType::f16, DType::bf16, DType::f32, DType::f64})
    if (std::fabs(threshold - std::log(max_finite(f))) <= 0.02 * std::log(max_finite(f)))
      return f;
  return std::nullopt;
}

}  // namespace

std::optional<Diagnosis> overflow(const Kernel& k, const Invoker& inv) {
  const Contract& c = k.contract;
  if (!is_softmax(c)) return std::nullopt;
  const DType t = c.dtype;
  const auto row = [](double big, bool big_first) {
    return big_first ? std::vector<double>{big, 0} : std::vector<double>{0, big};
  };
  const auto broken = [&](double big, bool big_first) {
    const auto y = outputs(k, inv, 1, 2, row(big, big_first));
    if (!y) return true;
    for (double v : *y)
      if (!(v >= 0 && v <= 1)) return true;
    return false;
  };
  const double hi = max_finite(t);
  bool fails[2];
  double threshold[2];
  for (int first = 0; first < 2; ++first) {
    fails[first] = !broken(1, first) && broken(hi, first);
    if (!fails[first]) continue;
    threshold[first] = first_true(t, 1, hi, [&](double v) { return broken(v, first); });
    // Outside the declared domain (the naive algorithm's LSE < ln max), overflow is the contract.
    if (!in_domain(c, row(threshold[first], first))) fails[first] = false;
  }
  if (!fails[0] && !fails[1]) return std::nullopt;
  const double at = fails[1] ? threshold[1] : threshold[0];
  // Without a shift, the large logit's own exp overflows, so [L', L'] breaks too for L' past the
  // threshold; a kernel that subtracts the max computes exp(0) there. Both orders failing while the
  // tie stays right is an exp that is wrong for very negative arguments, not a missing shift.
  const double past = round_to(t, std::min(hi, 1.01 * at + 1));
  const auto ties = outputs(k, inv, 1, 2, std::vector<double>{past, past});
  const bool tie_broken = !ties || !((*ties)[0] == (*ties)[0] && (*ties)[0] > 0 && (*ties)[0] < 1);
  if (fails[0] && fails[1] && !tie_broken) return std::nullopt;
  Diagnosis d;
  const auto f = format_overflowing_at(at, c);
  if (fails[0] && fails[1]) {
    d.kind = "no_max_shift";
    d.summary = fmt::format(
        "outputs stop being finite once a logit reaches {} ({:.4g}){}: the row's max is not "
        "subtracted before exp",
        hex(at), at,
        f ? fmt::format(", the overflow threshold of exp in {} (ln max = {:.4g})", name_of(*f),
                        std::log(max_finite(*f)))
          : "");
  } else {
    d.kind = "max_skips_element";
    const bool first_missed = fails[1];
    d.params.push_back({"position", first_missed ? std::string("first") : std::string("last")});
    d.summary = fmt::format(
        "a large logit overflows exp (from {} = {:.4g}) only when it is the {} element of the "
        "row: the max loop misses that element",
        hex(at), at, first_missed ? "first" : "last");
  }
  d.params.push_back({"threshold", at, true});
  d.params.push_back({"largest_finite", next_down(t, at), true});
  if (f) d.params.push_back({"overflow_format", std::string(name_of(*f))});
  d.evidence = fmt::format(
      "bisection on L for rows [L, 0] and [0, L]: finite probabilities up to L = {}, not from "
      "{}{}",
      hex(next_down(t, at)), hex(at),
      fails[0] && fails[1] ? "" : " (the other order stays finite up to the largest finite L)");
  return d;
}

}  // namespace softcheck::diagnosis
