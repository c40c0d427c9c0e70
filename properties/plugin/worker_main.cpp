// softcheck-worker: the process a plugin kernel runs in (worker_invoker.hpp). softcheck starts it
// with posix_spawn; it loads the plugin once (its constructors, softcheck_init(), the descriptor
// list all run here, never in softcheck), then serves calls on buffers in the shared arena until
// softcheck asks it to quit or goes away. A crash in a call ends this process; softcheck reads the
// fault from the control page and starts a fresh worker. Protocol: worker_protocol.hpp.
//
//   softcheck-worker --parent PID --lib PATH [--symbol NAME:OP]...
#include <dirent.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "properties/plugin/call_slots.hpp"
#include "properties/plugin/fault_record.hpp"
#include "properties/plugin/plugin_library.hpp"
#include "properties/plugin/worker_protocol.hpp"

namespace softcheck::worker {
namespace {

struct Arguments {
  pid_t parent = 0;
  std::string lib;
  std::vector<std::pair<std::string, Op>> symbols;  // empty: the softcheck_kernels() list
};

std::optional<Arguments> parse_arguments(int argc, char** argv) {
  Arguments a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--parent") {
      a.parent = static_cast<pid_t>(std::atol(value.c_str()));
    } else if (flag == "--lib") {
      a.lib = value;
    } else if (flag == "--symbol") {
      const auto colon = value.rfind(':');
      if (colon == std::string::npos) return std::nullopt;
      const auto op = parse_op(value.substr(colon + 1));
      if (!op) return std::nullopt;
      a.symbols.emplace_back(value.substr(0, colon), *op);
    } else {
      return std::nullopt;
    }
  }
  if (argc % 2 != 1 || a.lib.empty() || a.parent <= 0) return std::nullopt;
  return a;
}

class Arena {
 public:
  bool ensure(std::size_t bytes) {
    if (bytes <= bytes_) return true;
    if (base_) munmap(base_, bytes_);
    void* m = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, kArenaFd, 0);
    if (m == MAP_FAILED) {
      base_ = nullptr;
      bytes_ = 0;
      return false;
    }
    base_ = static_cast<std::byte*>(m);
    bytes_ = bytes;
    control()->worker_base = reinterpret_cast<uintptr_t>(base_);
    control()->worker_bytes = bytes_;
    return true;
  }
  ControlPage* control() { return reinterpret_cast<ControlPage*>(base_); }
  std::byte* at(uint64_t offset) { return offset == kNoBuffer ? nullptr : base_ + offset; }
  std::size_t bytes() const { return bytes_; }

 private:
  std::byte* base_ = nullptr;
  std::size_t bytes_ = 0;
};

// Guard pages inaccessible, input pages read-only, output pages writable: in this mapping only.
bool protect(Arena& arena, const CallRequest& r) {
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  for (uint32_t i = 0; i < r.slot_count; ++i) {
    const SlotLayout& s = r.slots[i];
    if (s.region_bytes < 2 * page || s.region_offset + s.region_bytes > arena.bytes()) return false;
    std::byte* region = arena.at(s.region_offset);
    const std::size_t data = s.region_bytes - 2 * page;
    if (mprotect(region, page, PROT_NONE) != 0 ||
        mprotect(region + page + data, page, PROT_NONE) != 0 ||
        (data > 0 && mprotect(region + page, data, s.input ? PROT_READ : PROT_READ | PROT_WRITE) != 0))
      return false;
  }
  return true;
}

// Children of this process (any thread's) and, this being a subreaper, orphans of its
// descendants: a kernel must not leave processes behind. They are killed and reaped here.
std::vector<std::string> kill_leftover_processes() {
  std::vector<std::string> found;
  std::vector<pid_t> pids;
  if (DIR* d = opendir("/proc/self/task")) {
    while (const dirent* e = readdir(d)) {
      if (e->d_name[0] == '.') continue;
      std::ifstream children(fmt::format("/proc/self/task/{}/children", e->d_name));
      for (pid_t pid; children >> pid;) pids.push_back(pid);
    }
    closedir(d);
  }
  for (const pid_t pid : pids) {
    std::string comm;
    std::getline(std::ifstream(fmt::format("/proc/{}/comm", pid)), comm);
    found.push_back(fmt::format("pid {} ({})", pid, comm));
    kill(pid, SIGKILL);
  }
  // Reap them, and whatever else has ended meanwhile (zombies a kernel did not wait for).
  while (waitpid(-1, nullptr, __WALL | WNOHANG) > 0) {
  }
  for (const pid_t pid : pids) waitpid(pid, nullptr, __WALL);
  return found;
}

int serve(const std::vector<Kernel>& kernels, Arena& arena) {
  for (;;) {
    CallRequest req;
    if (!read_all(kChannelFd, &req, sizeof req)) return 0;  // softcheck is gone
    if (req.kind == RequestKind::quit) return 1;
    if (req.kernel >= kernels.size() || req.slot_count > kMaxSlots || !arena.ensure(req.arena_bytes) ||
        !protect(arena, req))
      return kProtocolErrorExitStatus;
    Call c;
    c.op = static_cast<Op>(req.op);
    c.rows = req.rows;
    c.cols = req.cols;
    c.tau = req.tau;
    FaultRecord* record = &arena.control()->fault;
    set_fault_record(record);  // ensure() may have mapped the arena elsewhere
    begin_call(record);
    run_entry(kernels[req.kernel], c, arena.at(req.a), arena.at(req.b),
              reinterpret_cast<const int64_t*>(arena.at(req.labels)), arena.at(req.y),
              arena.at(req.loss));
    end_call(record);
    CallReply reply;
    reply.returned = 1;
    const std::vector<std::string> leftover = kill_leftover_processes();
    reply.leftover_processes = static_cast<uint32_t>(leftover.size());
    std::string text;
    for (const std::string& p : leftover) text += (text.empty() ? "" : ", ") + p;
    std::strncpy(reply.leftover, text.c_str(), sizeof reply.leftover - 1);
    if (!write_all(kChannelFd, &reply, sizeof reply)) return 0;
  }
}

int worker_main(int argc, char** argv) {
  const std::optional<Arguments> args = parse_arguments(argc, argv);
  if (!args) {
    std::fputs("softcheck-worker: started by softcheck, not by hand\n", stderr);
    return kLoadFailedExitStatus;
  }
  // End with softcheck (Ctrl-C, crash) instead of living on as an orphan; adopt the orphans of
  // processes a kernel starts, so that they can be found and killed.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != args->parent) return kLoadFailedExitStatus;
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  signal(SIGPIPE, SIG_IGN);  // a write to a closed channel fails with EPIPE instead

  Arena arena;
  if (!arena.ensure(static_cast<std::size_t>(sysconf(_SC_PAGESIZE)))) return kLoadFailedExitStatus;

  // A crash while loading must end the worker with its signal, which softcheck names; under ASan
  // the runtime's own handlers would turn it into "exit status 1".
  for (int sig : {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL}) signal(sig, SIG_DFL);

  Hello hello;
  std::vector<Kernel> kernels;
  std::optional<PluginLibrary> library;
  try {
    library = PluginLibrary::open(args->lib);
    library->init();
    if (args->symbols.empty()) {
      for (DescribedKernel& d : library->described_kernels()) {
        hello.kernels.push_back(std::move(d.fields));
        kernels.push_back(std::move(d.kernel));
      }
    } else {
      for (const auto& [symbol, op] : args->symbols) {
        kernels.push_back(library->kernel(symbol, plugin_contract(op, DType::f32)));
        KernelDescFields f;
        f.name = symbol;
        hello.kernels.push_back(std::move(f));
      }
    }
  } catch (const std::exception& e) {
    hello.error = e.what();
    hello.kernels.clear();
  }
  if (!write_frame(kChannelFd, encode_hello(hello)) || !hello.error.empty())
    return kLoadFailedExitStatus;

  install_fault_handler(&arena.control()->fault);
  const int end = serve(kernels, arena);
  if (end == 1) library->teardown();
  return end == 1 ? 0 : end;
}

}  // namespace
}  // namespace softcheck::worker

// _exit: a kernel's library may have left threads running and atexit handlers or static
// destructors that race with them; the worker has nothing to flush.
int main(int argc, char** argv) { _exit(softcheck::worker::worker_main(argc, argv)); }
