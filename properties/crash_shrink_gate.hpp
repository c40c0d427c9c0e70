// Shrinking a call that did not complete (crash, guard page, timeout, scribbled input) by its
// shape only. Such a failure says where the kernel breaks, not by how much; what a person needs is
// the smallest shape that still breaks it. Without a gate the shrinker also tries every smaller
// value at each shape, and each try is a forked call (a timed-out one waits for its timeout): a
// single out-of-bounds bug cost the whole shrink budget per property. Once armed, the gate lets a
// kernel call through only when its shape is smaller (rows <= and cols <=, one of them <) than the
// smallest failing shape so far, and discards the case before calling otherwise, so shrinking ends
// as soon as no smaller shape fails.
#pragma once

#include <cstddef>
#include <optional>

#include "properties/invoke.hpp"

namespace softcheck {

class CrashShrinkGate final : public Invoker {
 public:
  explicit CrashShrinkGate(const Invoker& inner) : inner_(inner) {}
  CallResult call(const Kernel& kernel, const Call& call) const override;

  // Whether the last call of the current case did not complete (reset by begin_case()).
  bool case_call_failed() const { return failed_shape_.has_value(); }
  CallStatus case_call_status() const { return failed_status_; }
  void begin_case() const { failed_shape_.reset(), failed_status_ = CallStatus::ok; }
  // From now on only shapes below the current case's failing call are tried (the runner arms it
  // when a property's first failure is a call that did not complete, and again on every accepted
  // shrink of such a failure).
  void narrow_to_case();
  bool armed() const { return smallest_.has_value(); }

 private:
  struct Shape {
    std::size_t rows = 0, cols = 0;
  };
  const Invoker& inner_;
  std::optional<Shape> smallest_;
  mutable std::optional<Shape> failed_shape_;
  mutable CallStatus failed_status_ = CallStatus::ok;
};

}  // namespace softcheck
