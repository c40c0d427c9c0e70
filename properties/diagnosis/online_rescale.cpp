// Online softmax with a wrong rescale: the running sum must be rescaled by exp(m_old - m_new)
// whenever the running max grows, and a block merged with a smaller max must be scaled down by
// exp(m_block - m). An ascending row makes the max grow at every element, a descending one never
// (after the first); a kernel right in one order and wrong in the other (same logits, so not an
// accuracy problem of the values) mishandles that rescale.
#include <fmt/format.h>

#include "properties/diagnosis/diagnosers.hpp"
#include "properties/diagnosis/probe.hpp"

namespace softcheck::diagnosis {

std::optional<Diagnosis> online_rescale(const Kernel& k, const Invoker& inv) {
  const Contract& c = k.contract;
  if (!is_softmax(c)) return std::nullopt;
  constexpr std::size_t kCols = 40;  // several blocks of 16, a multiple of every tile up to 8
  std::vector<double> up(kCols), down(kCols);
  for (std::size_t j = 0; j < kCols; ++j) {
    up[j] = round_to(c.dtype, 0.25 * static_cast<double>(j) - 5);
    down[kCols - 1 - j] = up[j];
  }
  const auto wrong = [&](const std::vector<double>& row) -> std::optional<std::size_t> {
    const auto y = outputs(k, inv, 1, kCols, row);
    if (!y) return std::nullopt;
    const auto bad = inaccurate_positions(c, row, *y);
    if (!bad) return std::nullopt;
    return bad->size();
  };
  const auto bad_up = wrong(up), bad_down = wrong(down);
  if (!bad_up || !bad_down || (*bad_up == 0) == (*bad_down == 0)) return std::nullopt;
  const bool ascending = *bad_up > 0;
  Diagnosis d;
  d.kind = "online_rescale";
  d.params.push_back({"wrong_order", std::string(ascending ? "ascending" : "descending")});
  d.summary = ascending
                  ? "wrong only when the running max grows along the row: the running sum is not "
                    "rescaled by exp(m_old - m_new) (or rescaled the wrong way) when the max "
                    "changes"
                  : "wrong only when a later part of the row has a smaller max: partial sums "
                    "with a smaller max are merged without being scaled by exp(m_part - m)";
  d.evidence = fmt::format(
      "the same {} logits in ascending and in descending order: {} and {} outputs outside the "
      "bound",
      kCols, *bad_up, *bad_down);
  return d;
}

}  // namespace softcheck::diagnosis
