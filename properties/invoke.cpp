#include "properties/invoke.hpp"

#include <limits>
#include <stdexcept>

namespace softcheck {

std::string_view name_of(CallStatus s) {
  switch (s) {
    case CallStatus::ok: return "ok";
    case CallStatus::crashed: return "crashed";
    case CallStatus::timed_out: return "timed_out";
    case CallStatus::out_of_bounds: return "out_of_bounds";
    case CallStatus::wrote_input: return "wrote_input";
    case CallStatus::left_unwritten: return "left_unwritten";
    case CallStatus::changed_fp_environment: return "changed_fp_environment";
    case CallStatus::left_process: return "left_process";
  }
  return "?";
}

Outputs allocate_outputs(const Call& call) {
  // Outputs start as NaN so that an element the kernel never writes cannot pass for a result.
  const double poison = std::numeric_limits<double>::quiet_NaN();
  Outputs o;
  o.y = Buffer(call.dtype, call.rows * call.cols);
  for (std::size_t i = 0; i < o.y.size(); ++i) o.y.set(i, poison);
  if (call.op == Op::cross_entropy) {
    o.loss = Buffer(call.dtype, call.rows);
    for (std::size_t i = 0; i < o.loss.size(); ++i) o.loss.set(i, poison);
  }
  return o;
}

void run_entry(const Kernel& kernel, const Call& c, const void* a, const void* b,
               const int64_t* labels, void* y, void* loss) {
  if (kernel.contract.op != c.op) throw std::logic_error("run_entry: op mismatch");
  const KernelEntry& e = kernel.entry;
  switch (c.op) {
    case Op::softmax:
    case Op::log_softmax:
      std::get<RowwiseFn>(e)(a, y, c.rows, c.cols);
      return;
    case Op::softmax_temp:
      std::get<TemperatureFn>(e)(a, y, c.rows, c.cols, c.tau);
      return;
    case Op::softmax_backward:
      std::get<BackwardFn>(e)(a, b, y, c.rows, c.cols);
      return;
    case Op::cross_entropy:
      std::get<CrossEntropyFn>(e)(a, labels, loss, y, c.rows, c.cols);
      return;
  }
}

void run_entry(const Kernel& kernel, const Call& c, void* y, void* loss) {
  run_entry(kernel, c, c.a.data(), c.b.data(), c.labels.data(), y, loss);
}

CallResult InProcessInvoker::call(const Kernel& kernel, const Call& c) const {
  CallResult r;
  r.out = allocate_outputs(c);
  run_entry(kernel, c, r.out.y.data(), c.op == Op::cross_entropy ? r.out.loss.data() : nullptr);
  return r;
}

}  // namespace softcheck
