#include "properties/failure.hpp"

#include <rapidcheck.h>

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
void fail_case(const std::string& message) {
  throw rc::detail::CaseResult(rc::detail::CaseResult::Type::Failure, message);
}

void require_call_ok(const CallResult& r, const Batch& b) {
  if (r.ok()) return;
  fail_case(fmt::format("kernel call failed: {}: {}\n  {}", name_of(r.status), r.reason,
                        describe_batch(b)));
}

}  // namespace softcheck
