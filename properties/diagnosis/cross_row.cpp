// Cross-row contamination, a wrong reduction axis or row stride: row r of a batch must be what the
// kernel gives for that row alone, bitwise (the batch_independence property). The experiment runs
// a 3-row batch whose rows have different maxima and compares each row with its single-row call.
#include <fmt/format.h>

#include "properties/diagnosis/diagnosers.hpp"
#include "properties/diagnosis/probe.hpp"

namespace softcheck::diagnosis {

std::optional<Diagnosis> cross_row(const Kernel& k, const Invoker& inv) {
  if (!is_rowwise(k.contract)) return std::nullopt;
  const DType t = k.contract.dtype;
  for (std::size_t n : {6, 16, 37}) {
    constexpr std::size_t kRows = 3;
    std::vector<double> batch;
    for (std::size_t r = 0; r < kRows; ++r)
      for (double v : spread_row(t, n)) batch.push_back(round_to(t, v + 6.0 * static_cast<double>(r) - 6));
    const auto together = outputs(k, inv, kRows, n, batch);
    if (!together) return std::nullopt;
    std::vector<std::size_t> differing;
    std::string example;
    for (std::size_t r = 0; r < kRows; ++r) {
      const auto alone =
          outputs(k, inv, 1, n, std::span<const double>(batch).subspan(r * n, n));
      if (!alone) return std::nullopt;
      for (std::size_t j = 0; j < n; ++j) {
        const double p = (*together)[r * n + j], q = (*alone)[j];
        if (p == q || (std::isnan(p) && std::isnan(q))) continue;
        differing.push_back(r);
        if (example.empty())
          example = fmt::format("row {} output [{}]: {} in the batch, {} alone", r, j, hex(p), hex(q));
        break;
      }
    }
    if (differing.empty()) continue;
    Diagnosis d;
    d.kind = "cross_row";
    d.params.push_back({"rows", format_ranges(differing)});
    d.params.push_back({"cols", static_cast<double>(n)});
    d.summary = fmt::format(
        "rows {} of a {}-row batch differ from the same rows computed alone: a row's output "
        "depends on the other rows (reduction over the wrong axis, a wrong row stride, or state "
        "carried from row to row)",
        format_ranges(differing), kRows);
    d.evidence = fmt::format("3 rows x {} cols with maxima ~-3, 3, 9: {}", n, example);
    return d;
  }
  return std::nullopt;
}

}  // namespace softcheck::diagnosis
