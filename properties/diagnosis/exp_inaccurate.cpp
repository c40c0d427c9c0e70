// An exp that is wrong over part of its range: a fast-exp bit trick without a clamp (garbage below
// -87.3 in f32), a low-order polynomial. For a row [0, -t] the ratio of the outputs y1 / y0 is the
// kernel's exp(-t) whatever its normaliser does, so a wrong sum or reciprocal (which scales both
// outputs alike) is not mistaken for a wrong exp. The experiment walks t over [2^-12, the output's
// underflow] in quarter-octave steps and reports the first t at which the row is outside its bound
// and the ratio is off; where y1 has lost precision (near underflow) it requires y0 right and y1
// wrong and nonzero (zero is the flush diagnosis's question).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "properties/diagnosis/diagnosers.hpp"
#include "properties/diagnosis/probe.hpp"

namespace softcheck::diagnosis {

std::optional<Diagnosis> exp_inaccurate(const Kernel& k, const Invoker& inv) {
  const Contract& c = k.contract;
  if (!is_softmax(c)) return std::nullopt;
  const DType t = c.dtype;
  const double full_precision = 4 * min_normal(t);  // normal outputs carry a ratio to u(t)
  const double tol = 16 * unit_roundoff(t) + 4 * c.exp_ulps * unit_roundoff(c.accum);
  const double last = -std::log(denorm_min(t));
  double good_until = 0;
  bool seen_wrong = false;  // a row outside its bound already (the normaliser's, so far)
  for (int i = -48;; ++i) {
    const double s = round_to(t, std::exp2(i / 4.0));
    if (s > last) break;
    const std::vector<double> row{0, -s};
    const auto y = outputs(k, inv, 1, 2, row);
    if (!y) return std::nullopt;
    const auto bad = inaccurate_positions(c, row, *y);
    if (!bad) return std::nullopt;
    if (bad->empty()) {
      if (!seen_wrong) good_until = s;
      continue;
    }
    const double y0 = (*y)[0], y1 = (*y)[1];
    // Wrong from the first row (t = 2^-12, where even a low-order exp is right): not a question
    // of exp's range; a row the kernel gets wrong at every width is another diagnosis's.
    if (good_until == 0) return std::nullopt;
    const bool y0_right = std::find(bad->begin(), bad->end(), 0) == bad->end();
    const double exact1 = std::exp(-s) / (1 + std::exp(-s));
    bool exp_wrong;
    std::string how;
    if (!(y0 >= 0 && y0 <= 1 && y1 >= 0 && y1 <= 1)) {
      // The rows before were right, so exp(0) = 1 and the max are; only exp(-t) changed.
      exp_wrong = true;
      how = fmt::format("outputs [{}, {}] are not probabilities (exact [~{:.9g}, ~{:.4g}])",
                        hex(y0), hex(y1), 1 - exact1, exact1);
    } else if (exact1 >= full_precision) {
      const double ratio_err = std::fabs(y1 / y0 / std::exp(-s) - 1);
      exp_wrong = !(ratio_err <= tol);
      how = fmt::format("y1 / y0 = {:.9g} where exp(-t) = {:.9g} (relative error {:.3g})", y1 / y0,
                        std::exp(-s), ratio_err);
    } else {
      exp_wrong = y0_right && y1 != 0;
      how = fmt::format("y0 = {} is right, y1 = {} where the exact value is ~{:.4g}", hex(y0),
                        hex(y1), exact1);
    }
    // Ratios right: the normaliser is off here, not the exp; the exp may still go wrong further
    // down (a low-order polynomial's error grows with the reduced argument).
    seen_wrong = true;
    if (!exp_wrong) continue;
    // An output that stops changing as the logit goes further down is a clamped logit, not an
    // exp: y1 / y0 = exp(c) gives the clamp c.
    const double further = round_to(t, std::min(last, 1.5 * s));
    if (const auto y2 = outputs(k, inv, 1, 2, std::vector<double>{0, -further});
        y2 && further > s && (*y2)[1] == y1 && y1 > 0 && y1 < 1 && y0 > 0 && y0 <= 1) {
      Diagnosis d;
      d.kind = "logit_clamped";
      const double clamp = rounded4(std::log(y1 / y0));
      d.params.push_back({"clamped_at", clamp});
      d.summary = fmt::format(
          "outputs stop changing once a logit is below ~{:.4g} (relative to the max): logits are "
          "clamped, which also turns -inf and +inf into finite values (masks and special values "
          "no longer follow the policy)",
          clamp);
      d.evidence = fmt::format(
          "rows [0, -t]: output [1] = {} both at t = {} and at t = {} (exact ~{:.4g} and ~{:.4g})",
          hex(y1), hex(s), hex(further), exact1, std::exp(-further));
      return d;
    }
    Diagnosis d;
    d.kind = "exp_inaccurate";
    d.params.push_back({"from_argument", -s, true});
    d.params.push_back({"right_until", -good_until, true});
    d.summary = fmt::format(
        "exp is wrong from argument {} ({:.4g}) on (right down to {:.4g}): the exp approximation "
        "does not hold over its range (a fast-exp bit trick without a clamp, or too low an "
        "order)",
        hex(-s), -s, -good_until);
    d.evidence = fmt::format("rows [0, -t], t = 2^(i/4): at t = {}: {}", hex(s), how);
    return d;
  }
  return std::nullopt;
}

}  // namespace softcheck::diagnosis
