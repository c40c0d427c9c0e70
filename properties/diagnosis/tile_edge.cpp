// Vector body and scalar tail disagreeing: wrong only at widths that are not a multiple of the
// vector width (or tile) k, and within such a row only at positions >= k floor(n / k) unless the
// error is in the shared sum (a tail left out of it moves every output). The experiment sweeps
// widths 1..33 and around 48 and 64 with two rows each: logits spread over [-3, 3] (judged
// against the oracle and the derived bound) and repeating logits (equal logits must give bitwise
// equal outputs, so a tail with its own exp shows even when both are accurate). k is the smallest
// power of two consistent with every failing width and position.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "properties/diagnosis/diagnosers.hpp"
#include "properties/diagnosis/probe.hpp"

namespace softcheck::diagnosis {
namespace {

struct WidthResult {
  std::size_t n = 0;
  bool every_position = false;    // all outputs wrong (the sum)
  std::vector<std::size_t> bad;   // wrong positions otherwise
};

}  // namespace

std::optional<Diagnosis> tile_edge(const Kernel& k, const Invoker& inv) {
  const Contract& c = k.contract;
  if (!is_softmax(c)) return std::nullopt;
  std::vector<std::size_t> tested;
  for (std::size_t n = 1; n <= 33; ++n) tested.push_back(n);
  for (std::size_t n : {47, 48, 49, 63, 64, 65}) tested.push_back(n);
  std::vector<WidthResult> failing;
  std::vector<std::size_t> failing_widths;
  for (std::size_t n : tested) {
    WidthResult w{n, false, {}};
    const std::vector<double> spread = spread_row(c.dtype, n);
    const auto y = outputs(k, inv, 1, n, spread);
    if (!y) {
      w.every_position = true;
    } else {
      const auto bad = inaccurate_positions(c, spread, *y);
      if (!bad) return std::nullopt;
      if (bad->size() == n && n > 1) w.every_position = true;
      else w.bad = *bad;
    }
    // Repeating logits: 5 values, so body and tail share each of them.
    std::vector<double> ties(n);
    for (std::size_t j = 0; j < n; ++j) ties[j] = round_to(c.dtype, -0.37 * static_cast<double>(j % 5));
    if (const auto yt = outputs(k, inv, 1, n, ties); yt && !w.every_position)
      for (std::size_t j = 5; j < n; ++j)
        if (!((*yt)[j] == (*yt)[j % 5])) w.bad.push_back(j);
    std::sort(w.bad.begin(), w.bad.end());
    w.bad.erase(std::unique(w.bad.begin(), w.bad.end()), w.bad.end());
    if (w.every_position || !w.bad.empty()) {
      failing.push_back(w);
      failing_widths.push_back(n);
    }
  }
  if (failing.size() < 2) return std::nullopt;
  std::optional<std::size_t> tile;
  bool tail_positions = false;
  for (std::size_t kk = 2; kk <= 64 && !tile; kk *= 2) {
    bool fits = true, positions = false;
    for (const WidthResult& w : failing) {
      if (w.n % kk == 0) fits = false;
      if (w.every_position) continue;
      const std::size_t body = kk * (w.n / kk);
      for (std::size_t j : w.bad) fits = fits && j >= body;
      positions = positions || w.n > kk;
    }
    if (fits && std::any_of(failing.begin(), failing.end(), [&](const WidthResult& w) { return w.n > kk; }))
      tile = kk, tail_positions = positions;
  }
  if (!tile) return std::nullopt;
  Diagnosis d;
  d.kind = "tail_mismatch";
  d.params.push_back({"tile", static_cast<double>(*tile)});
  d.params.push_back({"failing_widths", format_ranges(failing_widths)});
  d.summary = fmt::format(
      "wrong only at widths that are not a multiple of {}{}: the {}-wide vector body and the "
      "scalar tail disagree (tail left out of the sum, computed differently, or not stored)",
      *tile,
      tail_positions ? fmt::format(", and there only at positions >= {} floor(n / {})", *tile, *tile)
                     : " (every output of such a row is off: the tail is missing from the sum)",
      *tile);
  const WidthResult& w = *std::find_if(failing.begin(), failing.end(),
                                       [&](const WidthResult& f) { return f.n > *tile; });
  d.evidence = fmt::format(
      "widths 1..33, 47-49, 63-65 with spread and repeating logits: failing widths {}; e.g. "
      "width {}: {}",
      format_ranges(failing_widths), w.n,
      w.every_position ? std::string("every output wrong")
                       : "wrong positions " + format_ranges(w.bad));
  return d;
}

}  // namespace softcheck::diagnosis
