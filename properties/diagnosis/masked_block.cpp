// NaN from exp(-inf - -inf): an online kernel whose running max is still -inf while it reads a
// masked leading block computes exp(-inf - (-inf)) = NaN. The experiment puts -inf blocks of
// several lengths before, and then after, four finite logits: wrong only with the block in front is
// this bug.
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "properties/diagnosis/diagnosers.hpp"
#include "properties/diagnosis/probe.hpp"

namespace softcheck::diagnosis {

std::optional<Diagnosis> masked_block(const Kernel& k, const Invoker& inv) {
  const Contract& c = k.contract;
  if (!is_softmax(c) || !c.domain.accepts_neg_inf) return std::nullopt;
  constexpr double kNegInf = -std::numeric_limits<double>::infinity();
  const std::vector<double> finite = spread_row(c.dtype, 4);
  const auto wrong = [&](std::size_t masked, bool leading, bool& nan) {
    std::vector<double> row(masked, kNegInf);
    row.insert(leading ? row.end() : row.begin(), finite.begin(), finite.end());
    const auto y = outputs(k, inv, 1, row.size(), row);
    if (!y) return false;
    nan = false;
    for (double v : *y) nan = nan || std::isnan(v);
    const auto bad = inaccurate_positions(c, row, *y);
    return bad && !bad->empty();
  };
  std::vector<std::size_t> lengths;
  bool any_nan = false;
  for (std::size_t m : {1, 2, 3, 4, 8, 16, 17, 32}) {
    bool nan_lead = false, nan_trail = false;
    const bool lead = wrong(m, true, nan_lead);
    if (wrong(m, false, nan_trail)) return std::nullopt;  // masks hurt anywhere: not this bug
    if (lead) lengths.push_back(m), any_nan = any_nan || nan_lead;
  }
  if (lengths.empty()) return std::nullopt;
  Diagnosis d;
  d.kind = "masked_block_nan";
  d.params.push_back({"leading_masked", format_ranges(lengths)});
  d.params.push_back({"nan", any_nan ? 1.0 : 0.0});
  d.summary = fmt::format(
      "a row that starts with a block of -inf logits ({} of them) comes out {}, while the same "
      "block at the end is fine: the running max is -inf there and exp(-inf - -inf) = NaN enters "
      "the sum; skip the rescale while the max is -inf",
      format_ranges(lengths), any_nan ? "NaN" : "wrong");
  d.evidence = fmt::format("rows [-inf x m, {}] and [{}, -inf x m] for m in 1..32",
                           hex_list(finite), hex_list(finite));
  return d;
}

}  // namespace softcheck::diagnosis
