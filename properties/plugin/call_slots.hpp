// One kernel call laid out in guarded buffers, and the verdict on what the kernel did to them:
// shared by the invokers that call a kernel in another process (isolated_invoker.hpp forks per
// call, worker_invoker.hpp sends the call to a persistent worker). Messages name the buffer, the
// element (row, col) and the access, as kernel_abi.h promises.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "properties/invoke.hpp"
#include "properties/plugin/fault_record.hpp"
#include "properties/plugin/guarded_buffer.hpp"

namespace softcheck {

enum class Access : int { unknown = 0, read = 1, write = 2 };

// One guarded buffer of the call, with what the messages need to name it.
struct Slot {
  std::string name;  // x, y, dy, dx, labels, loss
  bool input = false;
  std::optional<DType> dtype;  // nullopt: int64 labels
  bool per_row = false;        // one element per row (labels, loss) instead of rows x cols
  std::size_t cols = 1;
  const void* original = nullptr;  // inputs: the caller's bytes, to compare after the call
  GuardedBuffer mem;
};

// Pointers the kernel is called with (all inside the slots' buffers).
struct Pointers {
  const void* a = nullptr;
  const void* b = nullptr;
  const int64_t* labels = nullptr;
  void* y = nullptr;
  void* loss = nullptr;
};

struct PlacedCall {
  std::vector<Slot> slots;
  Pointers p;
};

// Makes the guarded buffer of one slot (own mapping, or a place in a shared arena).
using BufferMaker = std::function<GuardedBuffer(std::size_t elem_bytes, std::size_t count)>;

// Throws std::invalid_argument (naming `who`) if the call does not match the kernel: op, dtype,
// entry point kind, buffer sizes.
void validate_call(const Kernel& k, const Call& c, const char* who);
// Inputs copied in (and made read-only where the buffer owns its mapping), outputs poisoned.
PlacedCall place_call(const Call& c, const BufferMaker& make);

std::string call_shape(const Call& c);  // "rows R x cols C"
std::string signal_name(int sig);       // "SIGSEGV (Segmentation fault)"

// A fault at `addr` (an address in this process's view of the buffers): out of bounds or a store
// to an input when it lies in a slot's guard or input pages, else a crash outside every buffer.
CallResult classify_fault(const std::vector<Slot>& slots, const Call& c, const void* addr,
                          Access access, int signo);
// After the kernel returned: a write beside a guard page, an input changed behind the protection,
// an output element left unwritten; status ok if none.
CallResult check_returned(const std::vector<Slot>& slots, const Call& c);
// The kernel returned: did it leave the FP environment as it found it (record filled by
// begin_call/end_call)?
CallResult check_fp_environment(const FaultRecord& record, const Call& c);
// Copies the kernel's outputs out of the slots into r.out (allocated here).
void copy_outputs(const PlacedCall& placed, const Call& c, CallResult& r);

}  // namespace softcheck
