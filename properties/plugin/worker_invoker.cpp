#include "properties/plugin/worker_invoker.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "properties/plugin/call_slots.hpp"
#include "properties/plugin/child_wait.hpp"
#include "properties/plugin/worker_protocol.hpp"

extern char** environ;

namespace softcheck {
namespace {

std::size_t page_size() { return static_cast<std::size_t>(sysconf(_SC_PAGESIZE)); }

[[noreturn]] void runs_in_the_worker() {
  throw std::logic_error(
      "a plugin kernel loaded by a softcheck-worker was called in softcheck's own process; call it "
      "through its WorkerInvoker");
}
void rowwise_stub(const void*, void*, std::size_t, std::size_t) { runs_in_the_worker(); }
void temperature_stub(const void*, void*, std::size_t, std::size_t, double) {
  runs_in_the_worker();
}
void backward_stub(const void*, const void*, void*, std::size_t, std::size_t) {
  runs_in_the_worker();
}
void cross_entropy_stub(const void*, const int64_t*, void*, void*, std::size_t, std::size_t) {
  runs_in_the_worker();
}

KernelEntry stub_entry(Op op) {
  switch (op) {
    case Op::softmax:
    case Op::log_softmax:
      return &rowwise_stub;
    case Op::softmax_temp:
      return &temperature_stub;
    case Op::softmax_backward:
      return &backward_stub;
    case Op::cross_entropy:
      return &cross_entropy_stub;
  }
  throw std::logic_error("stub_entry: unknown op");
}

// Waits until fd is readable (data or EOF) for at most `timeout`; false on timeout.
bool readable_within(int fd, std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    const int r = poll(&p, 1, static_cast<int>(std::min<long long>(left, INT_MAX)));
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) throw std::system_error(errno, std::generic_category(), "poll");
  }
}

// A close-on-exec duplicate of fd numbered above the worker's fixed descriptors (3 and 4), so that
// the dup2s of the spawn cannot overwrite one source with another; closes fd.
int above_fixed_fds(int fd) {
  const int moved = fcntl(fd, F_DUPFD_CLOEXEC, 10);
  const int e = errno;
  close(fd);
  if (moved < 0) throw std::system_error(e, std::generic_category(), "WorkerInvoker: fcntl");
  return moved;
}

std::string describe_status(int st) {
  if (WIFSIGNALED(st)) return fmt::format("was killed by {}", signal_name(WTERMSIG(st)));
  return fmt::format("exited with status {}", WEXITSTATUS(st));
}

}  // namespace

std::string default_worker_path() {
  if (const char* env = std::getenv("SOFTCHECK_WORKER"); env && *env) return env;
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "softcheck-worker";
  return (self.parent_path() / "softcheck-worker").string();
}

struct WorkerInvoker::Arena {
  int fd = -1;
  std::byte* base = nullptr;
  std::size_t bytes = 0;

  Arena() {
    fd = memfd_create("softcheck-arena", MFD_CLOEXEC);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "memfd_create");
    fd = above_fixed_fds(fd);
    ensure(std::size_t{1} << 20);
  }
  ~Arena() {
    if (base) munmap(base, bytes);
    if (fd >= 0) close(fd);
  }
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Grows the file and this process's mapping (addresses into the old mapping become invalid).
  void ensure(std::size_t need) {
    if (need <= bytes) return;
    const std::size_t grown = std::max(need, 2 * bytes);
    if (ftruncate(fd, static_cast<off_t>(grown)) != 0)
      throw std::system_error(errno, std::generic_category(), "WorkerInvoker: ftruncate");
    void* m = mmap(nullptr, grown, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED)
      throw std::system_error(errno, std::generic_category(), "WorkerInvoker: mmap");
    if (base) munmap(base, bytes);
    base = static_cast<std::byte*>(m);
    bytes = grown;
  }
  worker::ControlPage* control() const { return reinterpret_cast<worker::ControlPage*>(base); }
};

struct WorkerInvoker::Worker {
  pid_t pid = -1;  // also its process group
  int channel = -1;
  bool reaped = false;
};

WorkerInvoker::WorkerInvoker(WorkerPluginSpec spec, WorkerOptions options)
    : spec_(std::move(spec)), options_(std::move(options)) {
  if (options_.worker_path.empty()) options_.worker_path = default_worker_path();
  arena_ = std::make_unique<Arena>();
  const std::vector<KernelDescFields> listed = start_worker();
  for (std::size_t i = 0; i < listed.size(); ++i) {
    if (spec_.symbols.empty()) {
      Contract c = descriptor_contract(spec_.lib, i, listed[i]);
      const Op op = c.op;
      kernels_.push_back(Kernel{std::move(c), stub_entry(op)});
    } else {
      const auto& [symbol, op] = spec_.symbols.at(i);
      Contract c = plugin_contract(op, DType::f32);
      c.name = symbol;
      c.summary = fmt::format("plugin {}:{}", spec_.lib, symbol);
      kernels_.push_back(Kernel{std::move(c), stub_entry(op)});
    }
  }
}

WorkerInvoker::~WorkerInvoker() {
  try {
    stop_worker(true);
  } catch (...) {
    // A destructor must not throw; the process group was killed either way.
  }
}

std::vector<KernelDescFields> WorkerInvoker::start_worker() const {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    throw std::system_error(errno, std::generic_category(), "WorkerInvoker: socketpair");
  sv[0] = above_fixed_fds(sv[0]);
  sv[1] = above_fixed_fds(sv[1]);
  std::vector<std::string> args = {options_.worker_path, "--parent", std::to_string(getpid()),
                                   "--lib", spec_.lib};
  for (const auto& [symbol, op] : spec_.symbols) {
    args.push_back("--symbol");
    args.push_back(fmt::format("{}:{}", symbol, name_of(op)));
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  // dup2 clears FD_CLOEXEC on the target: the worker gets exactly the channel and the arena, and a
  // kernel's printf goes to stderr, never into softcheck's (possibly machine-read) stdout.
  posix_spawn_file_actions_adddup2(&fa, sv[1], worker::kChannelFd);
  posix_spawn_file_actions_adddup2(&fa, arena_->fd, worker::kArenaFd);
  posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);  // its own process group, killed as a whole at the end
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, options_.worker_path.c_str(), &fa, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(sv[1]);
  if (rc != 0) {
    close(sv[0]);
    throw PluginError(fmt::format("cannot start the plugin worker {}: {}", options_.worker_path,
                                  std::strerror(rc)));
  }
  worker_ = std::make_unique<Worker>(Worker{pid, sv[0], false});
  ++workers_started_;

  const auto fail = [&](const std::string& why) -> PluginError {
    stop_worker(false);
    return PluginError(fmt::format("cannot load plugin '{}': {}", spec_.lib, why));
  };
  if (!readable_within(sv[0], options_.start_timeout))
    throw fail(fmt::format(
        "the worker process did not finish loading it within {} s (its constructors, "
        "softcheck_init() and softcheck_kernels() run there)",
        options_.start_timeout.count() / 1000.0));
  const std::optional<std::string> frame = worker::read_frame(sv[0]);
  if (!frame) {
    const ChildEnd end = wait_for(pid, std::chrono::seconds(5), -pid);
    worker_->reaped = true;
    throw fail(fmt::format(
        "the worker process that loads it {} before it was ready (a crash in one of the library's "
        "constructors, in softcheck_init() or in softcheck_kernels(), or a wild pointer in the "
        "list it returned)",
        describe_status(end.status)));
  }
  const std::optional<worker::Hello> hello = worker::decode_hello(*frame);
  if (!hello) throw fail("the worker process sent an unreadable answer");
  if (!hello->error.empty()) {
    stop_worker(false);
    throw PluginError(hello->error);
  }
  return hello->kernels;
}

void WorkerInvoker::stop_worker(bool gracefully) const {
  if (!worker_) return;
  if (!worker_->reaped && gracefully) {
    worker::CallRequest quit;
    quit.kind = worker::RequestKind::quit;
    // The worker runs softcheck_teardown() and exits; a teardown that hangs is cut short.
    if (worker::write_all(worker_->channel, &quit, sizeof quit)) {
      wait_for(worker_->pid, std::chrono::seconds(10), -worker_->pid);
      worker_->reaped = true;
    }
  }
  // Whatever the worker or a kernel left in the group (helper processes, daemons) ends with it.
  kill(-worker_->pid, SIGKILL);
  if (!worker_->reaped) reap(worker_->pid);
  if (worker_->channel >= 0) close(worker_->channel);
  worker_.reset();
}

std::size_t WorkerInvoker::index_of(const Kernel& k) const {
  for (std::size_t i = 0; i < kernels_.size(); ++i)
    if (kernels_[i].contract.name == k.contract.name) return i;
  throw std::invalid_argument(fmt::format(
      "WorkerInvoker: kernel {} is not one of the plugin {} it loaded", k.contract.name, spec_.lib));
}

CallResult WorkerInvoker::call(const Kernel& kernel, const Call& c) const {
  validate_call(kernel, c, "WorkerInvoker");
  const std::size_t index = index_of(kernel);
  const std::lock_guard<std::mutex> lock(calls_);
  CallResult r = call_placed(index, c, GuardPlacement::end);
  if (!r.ok()) return r;
  CallResult second = call_placed(index, c, GuardPlacement::start);
  return second.ok() ? r : second;
}

CallResult WorkerInvoker::call_placed(std::size_t index, const Call& c,
                                      GuardPlacement placement) const {
  if (!worker_) {
    std::vector<KernelDescFields> listed;
    try {
      listed = start_worker();
    } catch (const PluginError& e) {
      throw std::runtime_error(fmt::format("restarting the plugin worker failed: {}", e.what()));
    }
    if (listed.size() != kernels_.size() || listed[index].name != kernels_[index].contract.name)
      throw std::runtime_error(fmt::format(
          "a fresh worker of plugin {} lists other kernels than the first one did", spec_.lib));
  }
  // Room for the largest layout of any op before placing, so the mapping does not move under
  // the buffers: 3 buffers of rows x cols elements and 2 of one element per row.
  const std::size_t n = c.rows * c.cols;
  const auto elem = static_cast<std::size_t>(format_of(c.dtype).bytes);
  const std::size_t page = page_size();
  arena_->ensure(page + 3 * GuardedBuffer::region_bytes(elem, n) +
                 2 * GuardedBuffer::region_bytes(sizeof(int64_t), c.rows));
  std::byte* const base = arena_->base;
  std::size_t cursor = page;  // page 0: the ControlPage
  const PlacedCall placed = place_call(c, [&](std::size_t elem_bytes, std::size_t count) {
    GuardedBuffer b(base + cursor, elem_bytes, count, placement);
    cursor += b.region_size();
    return b;
  });

  worker::CallRequest req;
  req.kind = worker::RequestKind::call;
  req.kernel = static_cast<uint32_t>(index);
  req.op = static_cast<uint32_t>(c.op);
  req.rows = c.rows;
  req.cols = c.cols;
  req.tau = c.tau;
  req.arena_bytes = arena_->bytes;
  req.slot_count = static_cast<uint32_t>(placed.slots.size());
  for (std::size_t i = 0; i < placed.slots.size(); ++i) {
    const GuardedBuffer& m = placed.slots[i].mem;
    req.slots[i] = {static_cast<uint64_t>(m.region() - base), m.region_size(),
                    placed.slots[i].input ? 1u : 0u};
  }
  const auto offset = [&](const void* p) {
    return p ? static_cast<uint64_t>(static_cast<const std::byte*>(p) - base) : worker::kNoBuffer;
  };
  req.a = offset(placed.p.a);
  req.b = offset(placed.p.b);
  req.labels = offset(placed.p.labels);
  req.y = offset(placed.p.y);
  req.loss = offset(placed.p.loss);
  worker::ControlPage* control = arena_->control();
  control->fault.magic = 0;

  CallResult r;
  const auto finish = [&](CallResult v) {
    copy_outputs(placed, c, v);
    return v;
  };
  worker::CallReply reply;
  const bool sent = worker::write_all(worker_->channel, &req, sizeof req);
  if (sent && !readable_within(worker_->channel, options_.timeout)) {
    stop_worker(false);
    r.status = CallStatus::timed_out;
    r.reason = fmt::format(
        "kernel did not return within {} ms; its worker process was killed ({}; a fresh worker "
        "continues)",
        options_.timeout.count(), call_shape(c));
    return finish(std::move(r));
  }
  if (!sent || !worker::read_all(worker_->channel, &reply, sizeof reply)) {
    // The worker ended during the call. It closed the channel as it exited; a kernel that closed
    // the channel itself and lives on is killed after a grace period.
    const ChildEnd end = wait_for(worker_->pid, std::chrono::seconds(5), -worker_->pid);
    worker_->reaped = true;
    stop_worker(false);
    const int st = end.status;
    if (WIFEXITED(st) && WEXITSTATUS(st) == kFaultExitStatus &&
        __atomic_load_n(&control->fault.magic, __ATOMIC_ACQUIRE) == kFaultMagic) {
      // The handler saw the worker's address: translate it into this process's mapping.
      const uintptr_t addr = control->fault.addr;
      const uintptr_t wbase = control->worker_base;
      const void* local = reinterpret_cast<const void*>(addr);
      if (addr >= wbase && addr - wbase < control->worker_bytes && addr - wbase < arena_->bytes)
        local = base + (addr - wbase);
      CallResult f = classify_fault(placed.slots, c, local,
                                    static_cast<Access>(static_cast<int>(control->fault.access)),
                                    control->fault.signo);
      if (f.status == CallStatus::crashed)  // the address means nothing in this process
        f.reason = fmt::format("kernel crashed with {} at address {:#x} (outside every buffer; {})",
                               signal_name(control->fault.signo), addr, call_shape(c));
      return finish(std::move(f));
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) == worker::kProtocolErrorExitStatus)
      throw std::runtime_error("the plugin worker refused a request (a softcheck defect)");
    r.status = CallStatus::crashed;
    if (WIFSIGNALED(st))
      r.reason = fmt::format("kernel crashed with {} ({})", signal_name(WTERMSIG(st)),
                             call_shape(c));
    else
      r.reason = fmt::format(
          "kernel ended the worker process with exit status {} during the call instead of "
          "returning ({})",
          WEXITSTATUS(st), call_shape(c));
    return finish(std::move(r));
  }
  if (CallResult fp = check_fp_environment(control->fault, c); !fp.ok())
    return finish(std::move(fp));
  if (reply.leftover_processes > 0) {
    reply.leftover[sizeof reply.leftover - 1] = '\0';
    r.status = CallStatus::left_process;
    r.reason = fmt::format(
        "kernel left {} process(es) running after the call: {} (killed by the worker; {})",
        reply.leftover_processes, reply.leftover, call_shape(c));
    return finish(std::move(r));
  }
  return finish(check_returned(placed.slots, c));
}

}  // namespace softcheck
