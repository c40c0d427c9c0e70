// Bias of the final rounding (error-model.md, "Bias"): over >= 1000 outputs the mean signed error
// of a kernel that rounds to nearest even is statistically 0. The experiment is the bias
// property's own batch and statistic (half_properties.hpp, a fixed seed), so it says the same as
// that property and applies where it does (16-bit outputs, where one rounding dominates the error).
// Signed errors all in (-1, 0] with mean -1/2 are a truncating conversion; any other significant
// mean is reported as a bias with its sign and size.
#include <cmath>

#include <fmt/format.h>

#include "properties/diagnosis/diagnosers.hpp"
#include "properties/diagnosis/probe.hpp"
#include "properties/half_properties.hpp"

namespace softcheck::diagnosis {

std::optional<Diagnosis> rounding_bias(const Kernel& k, const Invoker& inv) {
  const Contract& c = k.contract;
  if (!is_softmax(c) || (c.dtype != DType::f16 && c.dtype != DType::bf16)) return std::nullopt;
  const Batch b = bias_batch(c, /*seed=*/1, 64);
  const CallResult r = call_rows(k, inv, b.rows, b.cols, b.x);
  if (!r.ok()) return std::nullopt;
  const BiasStats s = bias_stats(c, b, r.out.y);
  if (s.counted < kBiasMinOutputs) return std::nullopt;
  const double se = std::max(s.se_iid, s.se_rows);
  const double z_allowed = kBiasZLimit + (se > 0 ? s.accum_shift_bound / se : 0.0);
  if (std::fabs(s.z) <= z_allowed) return std::nullopt;
  Diagnosis d;
  const bool truncation = s.mean <= -0.4 && s.mean >= -0.6 && s.min >= -1.05 && s.max <= 0.05;
  d.kind = truncation ? "truncating_conversion" : "bias";
  d.params.push_back({"mean_ulps", rounded4(s.mean)});
  d.params.push_back({"z", rounded4(s.z)});
  d.params.push_back({"outputs", static_cast<double>(s.counted)});
  d.summary =
      truncation
          ? fmt::format("every signed error lies in [{:+.3f}, {:+.3f}] ulp with mean {:+.3f}: "
                        "the conversion to {} truncates instead of rounding to nearest even",
                        s.min, s.max, s.mean, name_of(c.dtype))
          : fmt::format("outputs are biased {} by {:+.3f} ulp_{} on average (z = {:+.1f} over {} "
                        "outputs): a rounding or approximation with a direction",
                        s.mean < 0 ? "low" : "high", s.mean, name_of(c.dtype), s.z, s.counted);
  d.evidence = "the bias batch (seed 1): " + describe(s, c.dtype);
  return d;
}

}  // namespace softcheck::diagnosis
