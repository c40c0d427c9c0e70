// Accumulation in a 16-bit format: the sum of n ones, exact in f32 up to 2^24, sticks at 2^p in a
// format of p bits of precision, because 2^p + 1 rounds back to 2^p (ties to even): 2048 in f16,
// 256 in bf16. A row of n zeros gives outputs 1 / sum, so the experiment reads the kernel's sum off
// the output for n = 8 .. 16384 and names the format whose precision the plateau matches. A
// declared accumulation in that format is the contract, not a defect.
#include <cmath>

#include <fmt/format.h>

#include "properties/diagnosis/diagnosers.hpp"
#include "properties/diagnosis/probe.hpp"

namespace softcheck::diagnosis {

std::optional<Diagnosis> accumulation(const Kernel& k, const Invoker& inv) {
  const Contract& c = k.contract;
  if (!is_softmax(c)) return std::nullopt;
  std::string table;
  std::size_t first_short = 0;
  double stuck = 0;
  for (std::size_t n = 8; n <= 16384; n *= 2) {
    const std::vector<double> zeros(n, 0.0);
    const auto y = outputs(k, inv, 1, n, zeros);
    if (!y || !((*y)[0] > 0)) return std::nullopt;
    const double sum = 1 / (*y)[0];
    table += fmt::format("{}n = {}: 1/y = {:.6g}", table.empty() ? "" : ", ", n, sum);
    if (sum < 0.9 * static_cast<double>(n)) {
      if (!first_short) first_short = n;
      stuck = sum;
    } else if (first_short) {
      return std::nullopt;  // short at one length, right at a longer one: not a plateau
    }
  }
  if (!first_short) return std::nullopt;
  std::optional<DType> format;
  for (DType f : {DType::f16, DType::bf16})
    if (std::fabs(stuck / std::ldexp(1.0, format_of(f).precision) - 1) <= 0.02) format = f;
  if (!format || *format == c.accum) return std::nullopt;
  Diagnosis d;
  d.kind = "low_precision_accumulation";
  d.params.push_back({"stuck_sum", rounded4(stuck)});
  d.params.push_back({"from_cols", static_cast<double>(first_short)});
  d.params.push_back({"accumulation_format", std::string(name_of(*format))});
  d.summary = fmt::format(
      "the row sum stops growing at {:.4g} = 2^{}, where adding 1 no longer changes a {} sum: the "
      "denominator is accumulated in {} (the contract says {}); accumulate in f32",
      stuck, format_of(*format).precision, name_of(*format), name_of(*format), name_of(c.accum));
  d.evidence = "rows of n zeros (exact outputs 1/n): " + table;
  return d;
}

}  // namespace softcheck::diagnosis
