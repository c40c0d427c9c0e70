// What a process that calls an untrusted kernel tells the process checking it, through a page
// both map: the fault a SIGSEGV/SIGBUS handler caught (address and access), whether the entry point
// returned, and the floating-point environment around the call. Shared by the child of a fork
// (isolated_invoker.cpp) and the persistent worker (worker_main.cpp).
#pragma once

#include <cstdint>

namespace softcheck {

struct FaultRecord {
  volatile uint32_t magic;  // kFaultMagic once the handler has written the fields below
  volatile int signo;
  volatile int code;
  volatile int access;  // Access (call_slots.hpp)
  volatile uintptr_t addr;
  // Set when the entry point returned: a kernel that ends the process itself (exit(0) after
  // writing its outputs) leaves it 0 and is reported.
  volatile int returned;
  // The FP environment the call started in (the default) and the one the kernel left.
  volatile int fp_rounding_before, fp_rounding_after;
  volatile uint32_t fp_control_before, fp_control_after;
};
inline constexpr uint32_t kFaultMagic = 0x5ec0fa17;
// Exit status of a process whose handler recorded a fault. The checker also checks kFaultMagic, so
// a kernel calling exit(117) itself is not mistaken for a fault.
inline constexpr int kFaultExitStatus = 117;

// In the process that will call kernels: no core files, default dispositions for the fatal signals
// (so the checker sees the signal itself; under ASan this also removes the runtime's handlers,
// which would turn a fault into "exit status 1"), nothing blocked, and a SIGSEGV/SIGBUS handler on
// an alternate stack (so a stack overflow is still reported) that fills *record and exits with
// kFaultExitStatus.
void install_fault_handler(FaultRecord* record);
// Where the installed handler writes from now on (the record moved: the arena was mapped anew).
void set_fault_record(FaultRecord* record);

// Around the entry point: starts from the default FP environment and records it in `record`...
void begin_call(FaultRecord* record);
// ...then records the environment the kernel left and that it returned.
void end_call(FaultRecord* record);

}  // namespace softcheck
