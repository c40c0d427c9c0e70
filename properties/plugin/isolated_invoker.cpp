#include "properties/plugin/isolated_invoker.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
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

enum class Access : int { unknown = 0, read = 1, write = 2 };

// Written by the child's fault handler, read by the parent after waitpid. Lives in a shared page.
struct FaultRecord {
  volatile uint32_t magic;
  volatile int signo;
  volatile int code;
  volatile int access;  // Access
  volatile uintptr_t addr;
};
constexpr uint32_t kFaultMagic = 0x5ec0fa17;
// Exit status of a child whose handler recorded a fault. The parent also checks kFaultMagic, so a
// kernel calling exit(117) itself is not mistaken for a fault.
constexpr int kFaultExitStatus = 117;

FaultRecord* g_fault = nullptr;  // set in the child only
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

// Pointers the child passes to the entry point (all inside GuardedBuffers).
struct Pointers {
  const void* a = nullptr;
  const void* b = nullptr;
  const int64_t* labels = nullptr;
  void* y = nullptr;
  void* loss = nullptr;
};

[[noreturn]] void child_main(const Kernel& k, const Call& c, const Pointers& p, FaultRecord* fault,
                             pid_t parent) {
  // Die with softcheck (Ctrl-C, crash) instead of looping on as an orphan.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(kFaultExitStatus + 1);
  const rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);  // a fault per failing case must not write a core file

  // Default dispositions for the fatal signals, so the parent sees the signal itself. Under ASan
  // this also removes the runtime's own handlers, which would turn a fault into "exit status 1".
  for (int sig : {SIGABRT, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGXCPU, SIGPIPE}) signal(sig, SIG_DFL);
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, nullptr);

  g_fault = fault;
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

  // call() validated op and entry kind before forking, so run_entry cannot throw here.
  run_entry(k, c, p.a, p.b, p.labels, p.y, p.loss);
  _exit(0);
}

// ---- parent side ------------------------------------------------------------------------------

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

std::string element(const Slot& s, std::ptrdiff_t i) {
  if (i < 0 || static_cast<std::size_t>(i) >= s.mem.count())
    return fmt::format("{}[{}]", s.name, i);
  const auto u = static_cast<std::size_t>(i);
  if (s.per_row) return fmt::format("{}[{}] (row {})", s.name, u, u);
  return fmt::format("{}[{}] (row {}, col {})", s.name, u, u / s.cols, u % s.cols);
}

std::string shape(const Slot& s, const Call& c) {
  if (s.per_row) return fmt::format("{} holds {} element(s), one per row", s.name, c.rows);
  return fmt::format("{} holds {} x {} element(s)", s.name, c.rows, c.cols);
}

// Element i of `base` (a buffer laid out like slot s) as text: hex float, or integer for labels.
std::string element_text(const Slot& s, const void* base, std::size_t i) {
  const auto* p = static_cast<const unsigned char*>(base) + i * s.mem.elem_bytes();
  if (!s.dtype) {
    int64_t v;
    std::memcpy(&v, p, sizeof v);
    return std::to_string(v);
  }
  Buffer one(*s.dtype, 1);
  std::memcpy(one.data(), p, one.size_bytes());
  return hex(one.get(0));
}

// "write 4 bytes past the end of output y: y[1000] ..." for a byte offset from the slot's data.
std::string describe_out_of_bounds(const Slot& s, const Call& c, std::ptrdiff_t off,
                                   Access access) {
  const auto size = static_cast<std::ptrdiff_t>(s.mem.size_bytes());
  const auto elem = static_cast<std::ptrdiff_t>(s.mem.elem_bytes());
  const char* verb = access == Access::read ? "read" : access == Access::write ? "write" : "access";
  const char* kind = s.input ? "input" : "output";
  if (off >= size) {
    const std::ptrdiff_t past = off - size;
    return fmt::format("{} past the end of {} {}: {}, {}; {}", verb, kind, s.name,
                       element(s, static_cast<std::ptrdiff_t>(s.mem.count()) + past / elem),
                       past == 0 ? std::string("right after its last element")
                                 : fmt::format("{} byte(s) after its last element", past),
                       shape(s, c));
  }
  const std::ptrdiff_t before = -off;
  return fmt::format("{} before the start of {} {}: {}, {} byte(s) before its first element; {}",
                     verb, kind, s.name, element(s, -((before + elem - 1) / elem)), before,
                     shape(s, c));
}

std::string signal_name(int sig) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  if (const char* abbrev = sigabbrev_np(sig))
    return fmt::format("SIG{} ({})", abbrev, strsignal(sig));
#endif
  return fmt::format("signal {} ({})", sig, strsignal(sig));
}

int reap(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "waitpid");
  }
  return status;
}

struct ChildEnd {
  int status = 0;
  bool killed_for_timeout = false;
};

// Waits for the child at most `timeout`; kills it with SIGKILL past that. pidfd + poll wakes up the
// moment the child exits (no polling latency); kernels without pidfd_open get a backing-off waitpid
// loop.
ChildEnd wait_for(pid_t pid, std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  auto ms_left = [&] {
    return std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
  };
  bool exited = false;
#ifdef SYS_pidfd_open
  const int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (fd >= 0) {
    for (long long left; !exited && (left = ms_left()) > 0;) {
      pollfd p{fd, POLLIN, 0};
      const int r = poll(&p, 1, static_cast<int>(std::min<long long>(left, INT_MAX)));
      if (r > 0)
        exited = true;
      else if (r < 0 && errno != EINTR)
        break;  // fall back to the waitpid loop below
    }
    close(fd);
    if (exited) return {reap(pid), false};
  }
#endif
  auto pause = std::chrono::microseconds(20);
  while (ms_left() > 0) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return {status, false};
    if (r < 0 && errno != EINTR) throw std::system_error(errno, std::generic_category(), "waitpid");
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(5000));
  }
  kill(pid, SIGKILL);
  const int status = reap(pid);
  // The child may have finished between the deadline and the kill: then its own status stands.
  return {status, WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL};
}

void validate(const Kernel& k, const Call& c) {
  auto fail = [&](const std::string& what) {
    throw std::invalid_argument(
        fmt::format("IsolatedInvoker: kernel {}: {}", k.contract.name, what));
  };
  if (k.contract.op != c.op)
    fail(fmt::format("call is for op {}, kernel implements {}", name_of(c.op),
                     name_of(k.contract.op)));
  if (k.contract.dtype != c.dtype)
    fail(
        fmt::format("call is in {}, kernel takes {}", name_of(c.dtype), name_of(k.contract.dtype)));
  const bool kind_ok = [&] {
    switch (c.op) {
      case Op::softmax:
      case Op::log_softmax:
        return std::holds_alternative<RowwiseFn>(k.entry);
      case Op::softmax_temp:
        return std::holds_alternative<TemperatureFn>(k.entry);
      case Op::softmax_backward:
        return std::holds_alternative<BackwardFn>(k.entry);
      case Op::cross_entropy:
        return std::holds_alternative<CrossEntropyFn>(k.entry);
    }
    return false;
  }();
  if (!kind_ok) fail("entry point kind does not match its op");
  const bool null_entry = std::visit([](auto fn) { return fn == nullptr; }, k.entry);
  if (null_entry) fail("entry point is null");
  if (c.rows == 0 || c.cols == 0) fail("rows and cols must be >= 1 (kernel_abi.h)");
  const std::size_t n = c.rows * c.cols;
  if (c.a.dtype() != c.dtype || c.a.size() != n)
    fail(fmt::format("input a must hold {} {} values", n, name_of(c.dtype)));
  if (c.op == Op::softmax_backward && (c.b.dtype() != c.dtype || c.b.size() != n))
    fail(fmt::format("input b (dy) must hold {} {} values", n, name_of(c.dtype)));
  if (c.op == Op::cross_entropy && c.labels.size() != c.rows)
    fail(fmt::format("labels must hold {} values", c.rows));
}

}  // namespace

CallResult IsolatedInvoker::call(const Kernel& kernel, const Call& c) const {
  validate(kernel, c);
  const GuardPlacement place = options_.placement;
  const std::size_t n = c.rows * c.cols;
  const auto elem = static_cast<std::size_t>(format_of(c.dtype).bytes);

  std::vector<Slot> slots;
  slots.reserve(5);
  // A buffer of rows x cols elements, or of one element per row (per_row).
  auto add = [&](std::string name, bool input, std::optional<DType> dt, bool per_row,
                 const void* src) -> void* {
    const std::size_t bytes = dt ? elem : sizeof(int64_t);
    const std::size_t count = per_row ? c.rows : n;
    Slot& s = slots.emplace_back(
        Slot{std::move(name), input, dt, per_row, c.cols, src, GuardedBuffer(bytes, count, place)});
    if (src) {
      std::memcpy(s.mem.data(), src, s.mem.size_bytes());
      // A write to an input faults at the store, so even a kernel that restores what it wrote
      // (x as scratch space) is caught.
      s.mem.make_read_only();
    } else {
      fill_poison(s.mem.data(), *dt, count);
    }
    return s.mem.data();
  };

  Pointers p;
  switch (c.op) {
    case Op::softmax:
    case Op::log_softmax:
    case Op::softmax_temp:
      p.a = add("x", true, c.dtype, false, c.a.data());
      p.y = add("y", false, c.dtype, false, nullptr);
      break;
    case Op::softmax_backward:
      p.a = add("y", true, c.dtype, false, c.a.data());
      p.b = add("dy", true, c.dtype, false, c.b.data());
      p.y = add("dx", false, c.dtype, false, nullptr);
      break;
    case Op::cross_entropy:
      p.a = add("x", true, c.dtype, false, c.a.data());
      p.labels =
          static_cast<const int64_t*>(add("labels", true, std::nullopt, true, c.labels.data()));
      p.loss = add("loss", false, c.dtype, true, nullptr);
      p.y = add("dx", false, c.dtype, false, nullptr);
      break;
  }
  GuardedBuffer fault_page(sizeof(FaultRecord), 1, GuardPlacement::start);
  auto* fault = static_cast<FaultRecord*>(fault_page.data());
  fault->magic = 0;

  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "IsolatedInvoker: fork");
  if (pid == 0) child_main(kernel, c, p, fault, parent);

  const ChildEnd end = wait_for(pid, options_.timeout);

  CallResult r;
  r.out = allocate_outputs(c);
  std::memcpy(r.out.y.data(), p.y, r.out.y.size_bytes());
  if (p.loss) std::memcpy(r.out.loss.data(), p.loss, r.out.loss.size_bytes());
  const std::string call_shape = fmt::format("rows {} x cols {}", c.rows, c.cols);

  if (end.killed_for_timeout) {
    r.status = CallStatus::timed_out;
    r.reason = fmt::format("kernel did not return within {} ms and was killed ({})",
                           options_.timeout.count(), call_shape);
    return r;
  }
  const int st = end.status;
  if (WIFEXITED(st) && WEXITSTATUS(st) == kFaultExitStatus &&
      __atomic_load_n(&fault->magic, __ATOMIC_ACQUIRE) == kFaultMagic) {
    const auto* addr = reinterpret_cast<const void*>(fault->addr);
    for (const Slot& s : slots) {
      if (auto off = s.mem.guard_offset(addr)) {
        r.status = CallStatus::out_of_bounds;
        r.reason = describe_out_of_bounds(s, c, *off,
                                          static_cast<Access>(static_cast<int>(fault->access)));
        return r;
      }
      // Inputs are read-only: a fault inside their pages is a store.
      if (auto off = s.mem.page_offset(addr); off && s.input) {
        const auto size = static_cast<std::ptrdiff_t>(s.mem.size_bytes());
        if (*off < 0 || *off >= size) {
          r.status = CallStatus::out_of_bounds;
          r.reason = describe_out_of_bounds(s, c, *off, Access::write);
          return r;
        }
        const auto i = static_cast<std::size_t>(*off) / s.mem.elem_bytes();
        r.status = CallStatus::wrote_input;
        r.reason = fmt::format(
            "kernel wrote to input {}: a store to {}, which holds {}, faulted (inputs are "
            "read-only during the call; {})",
            s.name, element(s, static_cast<std::ptrdiff_t>(i)), element_text(s, s.original, i),
            call_shape);
        return r;
      }
    }
    r.status = CallStatus::crashed;
    r.reason = fmt::format("kernel crashed with {} at address {} (outside every buffer; {})",
                           signal_name(fault->signo), addr, call_shape);
    return r;
  }
  if (WIFSIGNALED(st)) {
    r.status = CallStatus::crashed;
    r.reason = fmt::format("kernel crashed with {} ({})", signal_name(WTERMSIG(st)), call_shape);
    return r;
  }
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    r.status = CallStatus::crashed;
    r.reason = fmt::format("kernel ended the process with exit status {} ({})", WEXITSTATUS(st),
                           call_shape);
    return r;
  }

  // The kernel returned: what did it touch that it should not have, and what did it not write?
  for (const Slot& s : slots) {
    if (auto off = s.mem.slack_write()) {
      r.status = CallStatus::out_of_bounds;
      r.reason = describe_out_of_bounds(s, c, *off, Access::write) +
                 " (found after the call, beside the guard page)";
      return r;
    }
  }
  // Inputs are read-only, so this only fires if the kernel lifted the protection (mprotect).
  for (const Slot& s : slots) {
    if (!s.input || std::memcmp(s.mem.data(), s.original, s.mem.size_bytes()) == 0) continue;
    const auto* now = static_cast<const unsigned char*>(s.mem.data());
    const auto* was = static_cast<const unsigned char*>(s.original);
    const std::size_t eb = s.mem.elem_bytes();
    std::size_t first = s.mem.count(), changed = 0;
    for (std::size_t i = 0; i < s.mem.count(); ++i) {
      if (std::memcmp(now + i * eb, was + i * eb, eb) != 0) {
        first = std::min(first, i);
        ++changed;
      }
    }
    r.status = CallStatus::wrote_input;
    r.reason = fmt::format(
        "kernel wrote to input {}: {} was {}, is now {}; {} of {} element(s) changed ({})", s.name,
        element(s, static_cast<std::ptrdiff_t>(first)), element_text(s, was, first),
        element_text(s, now, first), changed, s.mem.count(), call_shape);
    return r;
  }
  for (const Slot& s : slots) {
    if (s.input) continue;
    if (auto i = first_poisoned(s.mem.data(), *s.dtype, s.mem.count())) {
      r.status = CallStatus::left_unwritten;
      r.reason = fmt::format(
          "kernel left output {} unwritten: it still holds the poison pattern {:#x}; {} of {} "
          "element(s) of {} unwritten ({})",
          element(s, static_cast<std::ptrdiff_t>(*i)), poison_bits(*s.dtype),
          count_poisoned(s.mem.data(), *s.dtype, s.mem.count()), s.mem.count(), s.name, call_shape);
      return r;
    }
  }
  return r;
}

}  // namespace softcheck
