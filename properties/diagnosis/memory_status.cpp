// Reading or writing out of bounds, writing the input, leaving outputs unwritten, crashing: the
// isolated invoker (properties/plugin) reports these as call statuses. The experiment calls the
// kernel on every width 1..17, one row and then three, and reports the first status seen with the
// shapes at which it occurs, so a tail store (widths off a tile) and a wrong row stride (batches
// only) read differently. In-process calls always complete, so built-ins run without --isolate
// get no diagnosis here.
#include <fmt/format.h>

#include "properties/diagnosis/diagnosers.hpp"
#include "properties/diagnosis/probe.hpp"

namespace softcheck::diagnosis {
namespace {

std::string_view meaning(CallStatus s) {
  switch (s) {
    case CallStatus::out_of_bounds: return "the kernel reads or writes outside its buffers";
    case CallStatus::wrote_input: return "the kernel writes into its input";
    case CallStatus::left_unwritten: return "the kernel leaves outputs unwritten";
    case CallStatus::crashed: return "the kernel crashes";
    case CallStatus::timed_out: return "the kernel does not return";
    case CallStatus::changed_fp_environment:
      return "the kernel returns with another rounding mode or FTZ/DAZ";
    case CallStatus::left_process: return "the kernel leaves a child process running";
    case CallStatus::ok: break;
  }
  return "?";
}

}  // namespace

std::optional<Diagnosis> memory_status(const Kernel& k, const Invoker& inv) {
  if (!is_rowwise(k.contract)) return std::nullopt;
  constexpr std::size_t kMaxWidth = 17;
  std::optional<CallStatus> first;
  std::string reason;
  std::vector<std::size_t> widths[2], tested;  // [0]: one row, [1]: three rows
  for (int batch = 0; batch < 2; ++batch) {
    const std::size_t rows = batch ? 3 : 1;
    for (std::size_t n = 1; n <= kMaxWidth; ++n) {
      if (!batch) tested.push_back(n);
      const CallResult r = call_rows(k, inv, rows, n, spread_row(k.contract.dtype, rows * n));
      if (r.ok()) continue;
      if (!first) first = r.status, reason = r.reason;
      if (r.status == *first) widths[batch].push_back(n);
    }
  }
  if (!first) return std::nullopt;
  Diagnosis d;
  d.kind = std::string(name_of(*first));
  const bool batches_only = widths[0].empty();
  d.params.push_back({"status", std::string(name_of(*first))});
  d.params.push_back({"widths", format_ranges(widths[batches_only ? 1 : 0])});
  d.params.push_back({"rows", batches_only ? 3.0 : 1.0});
  std::string where = fmt::format("at widths {}", format_ranges(widths[batches_only ? 1 : 0]));
  if (batches_only) {
    where += " of 3-row batches only (single rows are fine): the row stride or offset is wrong";
  } else if (const auto tile = tile_of(widths[0], tested)) {
    d.params.push_back({"tile", static_cast<double>(*tile)});
    where += fmt::format(", never at a multiple of {}: the tail of a {}-wide body", *tile, *tile);
  }
  d.summary = fmt::format("{} {}", meaning(*first), where);
  d.evidence = fmt::format("calls on widths 1..{} (1 and 3 rows) through the isolated invoker; "
                           "first: {}",
                           kMaxWidth, reason);
  return d;
}

}  // namespace softcheck::diagnosis
