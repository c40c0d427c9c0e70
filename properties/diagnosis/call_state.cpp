// State kept between calls, or uninitialised memory reduced as data: the same input must give the
// same bits whatever was computed before. The experiment calls the kernel on a row, then on a
// different row of the same width, then on the first again, for short and tile-sized widths.
#include <fmt/format.h>

#include "properties/diagnosis/diagnosers.hpp"
#include "properties/diagnosis/probe.hpp"

namespace softcheck::diagnosis {

std::optional<Diagnosis> call_state(const Kernel& k, const Invoker& inv) {
  if (!is_rowwise(k.contract)) return std::nullopt;
  const DType t = k.contract.dtype;
  std::vector<std::size_t> widths;
  std::string example;
  for (std::size_t n : {1, 3, 5, 7, 8, 13, 16, 33}) {
    const std::vector<double> a = spread_row(t, n);
    std::vector<double> b(n);
    for (std::size_t j = 0; j < n; ++j) b[j] = round_to(t, 2 - 0.75 * a[j]);
    const auto first = outputs(k, inv, 1, n, a);
    const auto other = outputs(k, inv, 1, n, b);
    const auto again = outputs(k, inv, 1, n, a);
    if (!first || !other || !again) return std::nullopt;  // the memory diagnosis's business
    for (std::size_t j = 0; j < n; ++j) {
      const double p = (*first)[j], q = (*again)[j];
      if (p == q || (std::isnan(p) && std::isnan(q))) continue;
      if (example.empty())
        example = fmt::format("width {}: output [{}] was {} and is {} after a call on another row",
                              n, j, hex(p), hex(q));
      widths.push_back(n);
      break;
    }
  }
  if (widths.empty()) return std::nullopt;
  Diagnosis d;
  d.kind = "state_between_calls";
  d.params.push_back({"widths", format_ranges(widths)});
  d.summary = fmt::format(
      "the same row gives different outputs depending on the previous call (widths {}): the "
      "kernel keeps state between calls or reduces uninitialised memory (partial sums not "
      "zeroed)",
      format_ranges(widths));
  d.evidence = "row A, then row B, then row A again: " + example;
  return d;
}

}  // namespace softcheck::diagnosis
