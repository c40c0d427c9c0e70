#include "properties/plugin/isolated_invoker.hpp"

#include "properties/plugin/call_slots.hpp"
#include "properties/plugin/child_wait.hpp"
#include "properties/plugin/fault_record.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace softcheck {
namespace {

// ---- child side -------------------------------------------------------------------------------

[[noreturn]] void child_main(const Kernel& k, const Call& c, const Pointers& p, FaultRecord* fault,
                             pid_t parent) {
  // Die with softcheck (Ctrl-C, crash) instead of looping on as an orphan.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(kFaultExitStatus + 1);
  install_fault_handler(fault);
  begin_call(fault);
  // call() validated op and entry kind before forking, so run_entry should not throw; if it does
  // (an entry point that is itself an invoker), the child must still never unwind into the
  // checker's code: it would go on checking, and fork again.
  try {
    run_entry(k, c, p.a, p.b, p.labels, p.y, p.loss);
  } catch (...) {
    _exit(kFaultExitStatus + 2);
  }
  end_call(fault);
  _exit(0);
}

// ---- parent side ------------------------------------------------------------------------------

}  // namespace

CallResult IsolatedInvoker::call(const Kernel& kernel, const Call& c) const {
  validate_call(kernel, c, "IsolatedInvoker");
  CallResult r = call_placed(kernel, c, options_.placement);
  if (r.ok() && options_.both_placements) {
    const GuardPlacement other =
        options_.placement == GuardPlacement::end ? GuardPlacement::start : GuardPlacement::end;
    CallResult second = call_placed(kernel, c, other);
    if (!second.ok()) return second;
  }
  return r;
}

CallResult IsolatedInvoker::call_placed(const Kernel& kernel, const Call& c,
                                        GuardPlacement place) const {
  const PlacedCall placed = place_call(c, [&](std::size_t elem_bytes, std::size_t count) {
    return GuardedBuffer(elem_bytes, count, place);
  });
  const Pointers& p = placed.p;
  GuardedBuffer fault_page(sizeof(FaultRecord), 1, GuardPlacement::start);
  auto* fault = static_cast<FaultRecord*>(fault_page.data());
  std::memset(fault_page.data(), 0, sizeof(FaultRecord));

  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "IsolatedInvoker: fork");
  if (pid == 0) child_main(kernel, c, p, fault, parent);

  const ChildEnd end = wait_for(pid, options_.timeout);

  CallResult r;
  const auto finish = [&](CallResult v) {
    copy_outputs(placed, c, v);
    return v;
  };
  if (end.killed_for_timeout) {
    r.status = CallStatus::timed_out;
    r.reason = fmt::format("kernel did not return within {} ms and was killed ({})",
                           options_.timeout.count(), call_shape(c));
    return finish(std::move(r));
  }
  const int st = end.status;
  if (WIFEXITED(st) && WEXITSTATUS(st) == kFaultExitStatus &&
      __atomic_load_n(&fault->magic, __ATOMIC_ACQUIRE) == kFaultMagic) {
    const auto* addr = reinterpret_cast<const void*>(fault->addr);
    return finish(classify_fault(placed.slots, c, addr,
                                 static_cast<Access>(static_cast<int>(fault->access)),
                                 fault->signo));
  }
  if (WIFSIGNALED(st)) {
    r.status = CallStatus::crashed;
    r.reason = fmt::format("kernel crashed with {} ({})", signal_name(WTERMSIG(st)), call_shape(c));
    return finish(std::move(r));
  }
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 ||
      __atomic_load_n(&fault->returned, __ATOMIC_ACQUIRE) != 1) {
    r.status = CallStatus::crashed;
    r.reason = fmt::format(
        "kernel ended the process with exit status {} during the call instead of returning ({})",
        WEXITSTATUS(st), call_shape(c));
    return finish(std::move(r));
  }
  if (CallResult fp = check_fp_environment(*fault, c); !fp.ok()) return finish(std::move(fp));
  // The kernel returned: what did it touch that it should not have, and what did it not write?
  return finish(check_returned(placed.slots, c));
}

}  // namespace softcheck
