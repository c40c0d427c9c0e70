// Calling a kernel on concrete inputs. Properties never call a kernel's entry point directly: they
// go through an Invoker, so the same catalogue runs in-process (built-in kernels, fast) or isolated
// in a child process with guarded buffers (plugins: crashes, out-of-bounds accesses, timeouts and
// scribbled inputs become failed cases instead of a crash of softcheck).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "softcheck/dtype.hpp"
#include "softcheck/kernel.hpp"

namespace softcheck {

// Inputs of one call. `a` is x (softmax, log_softmax, softmax_temp, cross_entropy) or the forward
// output y (softmax_backward); `b` is dy (softmax_backward only).
struct Call {
  Op op = Op::softmax;
  DType dtype = DType::f32;
  std::size_t rows = 1, cols = 1;
  Buffer a;
  Buffer b;
  std::vector<int64_t> labels;  // cross_entropy
  double tau = 1.0;             // softmax_temp
};

// Outputs of one call: `y` is y (softmax family), dx (softmax_backward, cross_entropy);
// `loss` holds cross_entropy's per-row loss.
struct Outputs {
  Buffer y;
  Buffer loss;
};

enum class CallStatus {
  ok,
  crashed,         // signal or abort in the kernel (isolated invoker only)
  timed_out,       // the kernel did not return in time
  out_of_bounds,   // touched a guard page around a buffer
  wrote_input,     // an input buffer changed during the call
  left_unwritten,  // an output element still holds the poison pattern
  changed_fp_environment,  // returned with another rounding mode or FTZ/DAZ (isolated invokers)
  left_process,            // left a child process running after the call (worker invoker)
};
std::string_view name_of(CallStatus s);

struct CallResult {
  CallStatus status = CallStatus::ok;
  std::string reason;  // human-readable detail for a non-ok status
  Outputs out;
  bool ok() const { return status == CallStatus::ok; }
};

class Invoker {
 public:
  virtual ~Invoker() = default;
  virtual CallResult call(const Kernel& kernel, const Call& call) const = 0;
};

// Calls the entry point directly in this process (built-in kernels, tests).
class InProcessInvoker final : public Invoker {
 public:
  CallResult call(const Kernel& kernel, const Call& call) const override;
};

// Allocates the outputs a call writes (sizes per op) and runs the entry point on raw pointers;
// shared by every invoker so that the op -> signature mapping exists once.
Outputs allocate_outputs(const Call& call);
void run_entry(const Kernel& kernel, const Call& call, void* y, void* loss);
// The same on raw buffers (the isolated invoker passes its guarded copies); `call` supplies the op,
// shape and tau.
void run_entry(const Kernel& kernel, const Call& call, const void* a, const void* b,
               const int64_t* labels, void* y, void* loss);

}  // namespace softcheck
