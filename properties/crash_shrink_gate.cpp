#include "properties/crash_shrink_gate.hpp"

#include <rapidcheck.h>

namespace softcheck {

CallResult CrashShrinkGate::call(const Kernel& kernel, const Call& c) const {
  if (smallest_) {
    const bool smaller = c.rows <= smallest_->rows && c.cols <= smallest_->cols &&
                         (c.rows < smallest_->rows || c.cols < smallest_->cols);
    // A discarded candidate counts as "does not fail" for RapidCheck: the failure found stands.
    if (!smaller) RC_DISCARD("shape not below the smallest failing call");
  }
  CallResult r = inner_.call(kernel, c);
  if (!r.ok()) failed_shape_ = Shape{c.rows, c.cols}, failed_status_ = r.status;
  return r;
}

void CrashShrinkGate::narrow_to_case() {
  if (failed_shape_) smallest_ = failed_shape_;
}

}  // namespace softcheck
