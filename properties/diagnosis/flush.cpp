// Flushing: results (or the exps before the division) below the smallest normal become 0. For a
// row [0, -t] the second output is ~exp(-t); a kernel keeping subnormals gives 0 only below half
// the smallest subnormal, a flushing one already below the smallest normal. The experiment
// bisects on t for the first exactly-0 output, then checks that the output just before is right
// and that every larger t gives exactly 0 (a flush, not garbage from an exp out of range), and
// names the format whose smallest normal the cutoff matches (the output's, or the accumulation's).
#include <cmath>

#include <fmt/format.h>

#include "properties/diagnosis/diagnosers.hpp"
#include "properties/diagnosis/probe.hpp"

namespace softcheck::diagnosis {

std::optional<Diagnosis> flush(const Kernel& k, const Invoker& inv) {
  const Contract& c = k.contract;
  if (!is_softmax(c) || c.flushes_subnormals) return std::nullopt;
  const DType t = c.dtype;
  const auto row = [](double s) { return std::vector<double>{0, -s}; };
  const auto second = [&](double s) -> std::optional<double> {
    const auto y = outputs(k, inv, 1, 2, row(s));
    if (!y) return std::nullopt;
    return (*y)[1];
  };
  const auto zero = [&](double s) { return second(s) == 0.0; };
  const double hi = round_to(t, 1500);  // past ln(denorm_min) of every format (f64: 744.4)
  if (zero(1) || !zero(hi)) return std::nullopt;
  const double cutoff_t = first_true(t, 1, hi, zero);
  const double last_t = next_down(t, cutoff_t);
  // ln of the exact output at the cutoff: -t - log1p(exp(-t)).
  const double ln_exact = -cutoff_t - std::log1p(std::exp(-cutoff_t));
  std::optional<DType> flushed;
  for (DType f : {c.dtype, c.accum})
    if (ln_exact >= std::log(min_normal(f)) - std::log(4.0) && ln_exact < std::log(min_normal(f)))
      flushed = f;
  if (!flushed) return std::nullopt;
  // The last nonzero output must be right, and everything beyond the cutoff exactly 0.
  const auto last = second(last_t);
  const auto y_last = outputs(k, inv, 1, 2, row(last_t));
  if (!last || !y_last) return std::nullopt;
  const auto bad = inaccurate_positions(c, row(last_t), *y_last);
  if (!bad || !bad->empty()) return std::nullopt;
  for (int i = 1; i <= 4; ++i)
    if (!zero(round_to(t, cutoff_t + (hi - cutoff_t) * i / 4.0))) return std::nullopt;
  Diagnosis d;
  d.kind = "flush_to_zero";
  d.params.push_back({"smallest_nonzero", *last, true});
  d.params.push_back({"cutoff_logit", -cutoff_t, true});
  d.params.push_back({"flushed_format", std::string(name_of(*flushed))});
  d.summary = fmt::format(
      "results below the smallest normal of {} ({}) become 0: subnormals are flushed "
      "(FTZ/DAZ); if that is deliberate, declare it (--flush-subnormals, "
      "Contract::flushes_subnormals), otherwise keep subnormals",
      name_of(*flushed), hex(min_normal(*flushed)));
  d.evidence = fmt::format(
      "bisection on t for rows [0, -t]: output [1] = {} (right) at t = {}, exactly 0 from t = {} "
      "on (exact ~{:.4g}, which a kernel keeping subnormals returns)",
      hex(*last), hex(last_t), hex(cutoff_t), std::exp(ln_exact));
  return d;
}

}  // namespace softcheck::diagnosis
