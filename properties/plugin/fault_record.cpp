#include "properties/plugin/fault_record.hpp"

#include <signal.h>
#include <sys/resource.h>
#include <ucontext.h>
#include <unistd.h>

#include "properties/plugin/call_slots.hpp"
#include "properties/plugin/fp_environment.hpp"

namespace softcheck {
namespace {

FaultRecord* g_fault = nullptr;  // set in the calling process only
// Stack for the handler, so a kernel that overflows its stack is still reported with an address.
alignas(16) unsigned char g_alt_stack[1 << 16];

extern "C" void record_fault(int signo, siginfo_t* info, void* context) {
  FaultRecord* f = g_fault;
  f->signo = signo;
  f->code = info->si_code;
  f->addr = reinterpret_cast<uintptr_t>(info->si_addr);
  Access access = Access::unknown;
#if defined(__x86_64__)
  // x86 page-fault error code: bit 1 set for a write access.
  const auto* uc = static_cast<const ucontext_t*>(context);
  access = (uc->uc_mcontext.gregs[REG_ERR] & 2) ? Access::write : Access::read;
#else
  (void)context;
#endif
  f->access = static_cast<int>(access);
  __atomic_store_n(&f->magic, kFaultMagic, __ATOMIC_RELEASE);
  _exit(kFaultExitStatus);
}

}  // namespace

void install_fault_handler(FaultRecord* record) {
  const rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);  // a fault per failing case must not write a core file
  for (int sig : {SIGABRT, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGXCPU, SIGPIPE}) signal(sig, SIG_DFL);
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, nullptr);

  g_fault = record;
  stack_t ss{};
  ss.ss_sp = g_alt_stack;
  ss.ss_size = sizeof g_alt_stack;
  sigaltstack(&ss, nullptr);
  struct sigaction sa {};
  sa.sa_sigaction = record_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, nullptr);
  sigaction(SIGBUS, &sa, nullptr);
}

void set_fault_record(FaultRecord* record) { g_fault = record; }

void begin_call(FaultRecord* record) {
  record->magic = 0;
  record->returned = 0;
  // An earlier call, the plugin's constructor or its init may have changed the environment; every
  // call gets the default one.
  reset_fp_environment();
  const FpEnvironment before = current_fp_environment();
  record->fp_rounding_before = before.rounding;
  record->fp_control_before = before.control;
}

void end_call(FaultRecord* record) {
  const FpEnvironment after = current_fp_environment();
  record->fp_rounding_after = after.rounding;
  record->fp_control_after = after.control;
  __atomic_store_n(&record->returned, 1, __ATOMIC_RELEASE);
}

}  // namespace softcheck
