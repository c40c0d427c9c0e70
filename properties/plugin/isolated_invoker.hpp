// Calls a kernel in a child process on guarded buffers (issue 6, "Safety of the harness"): a crash,
// an abort, an endless loop, an access outside a buffer, a write to an input or an output element
// left unwritten becomes a CallResult with a non-ok status and a reason naming the buffer and
// element, never a crash of softcheck.
//
// Per call: inputs are copied into GuardedBuffers (MAP_SHARED, so the parent sees what the child
// did), outputs are poisoned, the process forks, the child installs a SIGSEGV/SIGBUS handler that
// records the faulting address in shared memory, calls the kernel and leaves with _exit (no atexit
// handlers, no stdio flush). The parent waits with a timeout (pidfd + poll), kills a child that
// overruns it, and classifies the outcome (call_slots.hpp). The child starts the kernel in the
// default FP environment and records whether the entry point returned (a kernel calling exit(0)
// after writing its outputs is reported) and the environment it left (fault_record.hpp).
//
// This is `--isolation fork`. The default, worker_invoker.hpp, runs calls in a persistent worker
// instead, which also sees state carried across calls and processes left behind.
//
// fork() in a multi-threaded parent copies only the calling thread: the child therefore does
// nothing but call the kernel and _exit. A kernel that takes a lock held by another parent thread
// at the time of the fork would deadlock and is reported as timed out (glibc resets its malloc
// locks in the child, so allocating kernels are fine).
#pragma once

#include <chrono>

#include "properties/invoke.hpp"
#include "properties/plugin/guarded_buffer.hpp"

namespace softcheck {

struct IsolationOptions {
  std::chrono::milliseconds timeout{10000};  // per call
  // end: over-reads/over-writes fault (the common defect: a vector tail past the row end);
  // start: under-reads/under-writes fault. A write on the other side is caught by the slack canary.
  GuardPlacement placement = GuardPlacement::end;
  // If the call was clean, call again with the data against the other guard page, so that both an
  // over-read and an under-read of one element fault (the outputs of the first call are returned).
  bool both_placements = false;
};

class IsolatedInvoker final : public Invoker {
 public:
  explicit IsolatedInvoker(IsolationOptions options = {}) : options_(options) {}
  // Throws std::invalid_argument (in this process, before forking) if the call does not match the
  // kernel: op, dtype, entry point kind, buffer sizes.
  CallResult call(const Kernel& kernel, const Call& call) const override;
  const IsolationOptions& options() const { return options_; }

 private:
  CallResult call_placed(const Kernel& kernel, const Call& call, GuardPlacement placement) const;
  IsolationOptions options_;
};

}  // namespace softcheck
