// Special-value policy as one table: each scenario of the special_values property (one NaN, one
// +inf, some -inf, all -inf, NaN among masks) at width 1 and one of 5, 8, 16, what the contract's policy
// expects (softmax_support.hpp, check_special_outcome) and what the kernel gave. The diagnosis
// lists the scenarios that differ; the evidence is the table.
#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <rapidcheck.h>

#include "properties/diagnosis/diagnosers.hpp"
#include "properties/diagnosis/probe.hpp"
#include "properties/softmax_support.hpp"

namespace softcheck::diagnosis {
namespace {

// What a row of outputs looks like, in words (the table's "got" column).
std::string looks(std::span<const double> y, std::size_t n) {
  std::size_t nans = 0, zeros = 0, ones = 0, finite = 0;
  for (double v : y) {
    nans += std::isnan(v);
    zeros += v == 0;
    ones += v == 1;
    finite += std::isfinite(v);
  }
  if (nans == n) return "NaN everywhere";
  if (nans > 0) return fmt::format("NaN at {} of {}, {} elsewhere", nans, n, zeros + nans == n ? "0" : "finite");
  if (finite < n) return "an infinite output";
  if (zeros == n) return "0 everywhere";
  if (ones == 1 && zeros == n - 1) return "one-hot";
  bool uniform = true;
  for (double v : y) uniform = uniform && v == y[0];
  if (uniform && n > 1) return fmt::format("1/n everywhere ({})", hex(y[0]));
  return "finite probabilities";
}

std::string expected(const Contract& c, SpecialScenario s) {
  switch (s) {
    case SpecialScenario::one_nan:
    case SpecialScenario::nan_and_masks:
      return c.domain.propagates_nan ? "not all finite (NaN propagates)" : "unspecified";
    case SpecialScenario::one_pos_inf:
      return c.domain.propagates_nan ? "NaN, or exactly one-hot on the +inf" : "unspecified";
    case SpecialScenario::some_masked: return "exactly 0 at -inf, finite elsewhere";
    case SpecialScenario::all_masked:
      return fmt::format("policy {}", name_of(c.all_masked));
  }
  return "?";
}

}  // namespace

std::optional<Diagnosis> special_table(const Kernel& k, const Invoker& inv) {
  const Contract& c = k.contract;
  if (!is_softmax(c)) return std::nullopt;
  std::string table = "| cols | scenario | expected | got | |\n    |---|---|---|---|---|";
  std::vector<std::string> differing;
  // Widths at which the kernel is right on finite logits, so that what differs is the handling
  // of the special values, not the row (a kernel wrong at width 5 for its tail says nothing
  // about masks there).
  std::vector<std::size_t> widths;
  for (std::size_t n : {1, 5, 8, 16}) {
    if (widths.size() == 2) break;
    const std::vector<double> x = spread_row(c.dtype, n);
    const auto y = outputs(k, inv, 1, n, x);
    if (!y) return std::nullopt;
    const auto bad = inaccurate_positions(c, x, *y);
    if (bad && bad->empty() && (n == 1 || widths.empty() || widths.back() == 1)) widths.push_back(n);
  }
  for (std::size_t n : widths) {
    for (SpecialScenario s :
         {SpecialScenario::one_nan, SpecialScenario::one_pos_inf, SpecialScenario::some_masked,
          SpecialScenario::all_masked, SpecialScenario::nan_and_masks}) {
      const bool masks = s == SpecialScenario::some_masked || s == SpecialScenario::all_masked ||
                         s == SpecialScenario::nan_and_masks;
      if (masks && !c.domain.accepts_neg_inf) continue;
      if (n == 1 && (s == SpecialScenario::some_masked || s == SpecialScenario::nan_and_masks))
        continue;  // one column leaves no room for a mask beside the NaN / finite logit
      Batch b;
      b.dtype = c.dtype;
      b.cols = n;
      b.x = spread_row(c.dtype, n);
      b.family = "diagnosis";
      apply_scenario(b, s, /*where=*/0b10110);
      const CallResult r = call_rows(k, inv, 1, n, b.x);
      if (!r.ok()) return std::nullopt;  // the memory diagnosis's business
      const std::vector<double> y = r.out.y.values();
      bool ok = true;
      try {
        check_special_outcome(c, b, r.out.y, s);
      } catch (const rc::detail::CaseResult&) {
        ok = false;
      }
      const std::string scenario = fmt::format("cols={} {}", n, name_of(s));
      if (!ok) differing.push_back(scenario);
      table += fmt::format("\n    | {} | {} | {} | {} | {} |", n, name_of(s), expected(c, s),
                           looks(y, n), ok ? "ok" : "**differs**");
    }
  }
  if (differing.empty()) return std::nullopt;
  Diagnosis d;
  d.kind = "special_value_policy";
  std::string list;
  for (const auto& s : differing) list += (list.empty() ? "" : "; ") + s;
  d.params.push_back({"differs", list});
  d.summary = fmt::format(
      "special values differ from the declared policy in: {} (declare the policy the kernel "
      "has, e.g. --all-masked, or fix the kernel)",
      list);
  d.evidence = "the special-value table:\n    " + table;
  return d;
}

}  // namespace softcheck::diagnosis
