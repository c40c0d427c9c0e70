#include "properties/failure.hpp"

#include <rapidcheck.h>

#include <cmath>
#include <limits>
#include <utility>

#include <fmt/format.h>

namespace softcheck {

std::string describe_batch(const Batch& b, std::size_t max_items) {
  std::string s = fmt::format("input: {} batch rows={} cols={} (family {})", name_of(b.dtype),
                              b.rows, b.cols, b.family);
  for (std::size_t r = 0; r < b.rows; ++r)
    s += fmt::format("\n    x[{}] = {}", r, hex_list(b.row(r), max_items));
  return s;
}

std::string describe_element(const ElementReport& e, DType out) {
  return fmt::format(
      "element [{}][{}]: expected {} (exact ~{:.17g}), got {} ({:.9g})\n"
      "    error: {:.4g} ulp_{} vs exact, {:.4g} ulp vs correctly rounded; rel {:.3g}, abs {:.3g}\n"
      "    bound: {:.4g} ulp_{} (abs {:.3g}){}",
      e.row, e.index, hex(e.expected), e.exact, hex(e.got), e.got, e.ulps_vs_exact, name_of(out),
      e.ulps_vs_rounded, e.rel, e.abs, e.bound_abs / ulp(out, e.exact), name_of(out), e.bound_abs,
      e.note.empty() ? "" : "\n    note: " + e.note);
}

// Thrown directly (not through RC_FAIL) so the report starts with the message, not with the
// source location of this line.
namespace {
thread_local double last_severity = std::numeric_limits<double>::quiet_NaN();
}  // namespace

void fail_case(const std::string& message) {
  last_severity = std::numeric_limits<double>::quiet_NaN();
  throw rc::detail::CaseResult(rc::detail::CaseResult::Type::Failure, message);
}

void fail_case(const std::string& message, double severity) {
  last_severity = severity;
  throw rc::detail::CaseResult(rc::detail::CaseResult::Type::Failure, message);
}

double take_failure_severity() {
  return std::exchange(last_severity, std::numeric_limits<double>::quiet_NaN());
}

double severity_of(const ElementReport& e) {
  if (!std::isfinite(e.abs) || !std::isfinite(e.got) || !std::isfinite(e.expected))
    return std::numeric_limits<double>::infinity();
  return e.bound_abs > 0 ? e.abs / e.bound_abs : std::numeric_limits<double>::infinity();
}

void require_call_ok(const CallResult& r, const Batch& b) {
  if (r.ok()) return;
  fail_case(fmt::format("kernel call failed: {}: {}\n  {}", name_of(r.status), r.reason,
                        describe_batch(b)));
}

}  // namespace softcheck
