// Calls plugin kernels in a persistent softcheck-worker process (worker_main.cpp): the isolation
// `softcheck check --lib` uses by default.
//
// The worker is started with posix_spawn (not a fork of softcheck, so it begins with a clean
// process: no copied threads or locks, no inherited FP environment) in a process group of its own.
// It loads the plugin once: the library's constructors, softcheck_init() and softcheck_kernels()
// run there, so a constructor that crashes or a wild descriptor pointer is a PluginError (softcheck
// exits 2 with a message), and state the plugin keeps (a thread pool, a device context, a JIT
// cache) lives across calls. Calls then repeat in that one process: a kernel that is wrong from its
// second call on, or depends on rand(), is seen by the properties (`deterministic` compares two
// calls made in the same worker after others).
//
// Per call: softcheck lays the buffers out in a shared memfd arena exactly as IsolatedInvoker does
// (call_slots.hpp: guard pages, read-only inputs, poisoned outputs, slack canaries), the worker
// protects them in its own mapping, resets the FP environment, calls the entry point and answers;
// a kernel that leaves the rounding mode or FTZ/DAZ changed, or a child process running, is a
// failed call. Each call is made twice, with the data against the trailing and then the leading
// guard page, so that x[n] and x[-1] both fault. A crash, abort, exit() or a call past the timeout
// ends the worker (its whole process group is killed): the call fails with the reason, and the next
// call starts a fresh worker.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "properties/invoke.hpp"
#include "properties/plugin/guarded_buffer.hpp"
#include "properties/plugin/plugin_library.hpp"

namespace softcheck {

struct WorkerOptions {
  std::chrono::milliseconds timeout{10000};  // per call
  // Loading the library and softcheck_init() (a device context or a JIT warm-up can be slow).
  std::chrono::milliseconds start_timeout{120000};
  std::string worker_path;  // empty: default_worker_path()
};

// $SOFTCHECK_WORKER if set, else softcheck-worker next to the running executable.
std::string default_worker_path();

// What the worker is asked to load: the softcheck_kernels() list (symbols empty) or these
// exported functions, each called as its op.
struct WorkerPluginSpec {
  std::string lib;
  std::vector<std::pair<std::string, Op>> symbols;
};

class WorkerInvoker final : public Invoker {
 public:
  // Starts the first worker and reads the plugin's kernels in it. Throws PluginError if the worker
  // cannot load the library (missing file or symbol, bad descriptor, init failed) or dies while
  // starting (a crashing constructor, a wild softcheck_kernels() pointer).
  WorkerInvoker(WorkerPluginSpec spec, WorkerOptions options = {});
  ~WorkerInvoker() override;
  WorkerInvoker(const WorkerInvoker&) = delete;
  WorkerInvoker& operator=(const WorkerInvoker&) = delete;

  // Descriptor mode: the kernels of the softcheck_kernels() list, with their declared contracts.
  // Symbol mode: one per symbol, named after it, with plugin_contract(op, f32) as a placeholder for
  // the caller's contract. Their entry points are stubs that throw: these kernels run only through
  // this invoker, which finds them by contract.name.
  const std::vector<Kernel>& kernels() const { return kernels_; }

  // Throws std::invalid_argument if the call does not match the kernel (as IsolatedInvoker), and
  // std::runtime_error if a fresh worker cannot be started or no longer lists the kernel.
  // Calls from several threads are served one after the other.
  CallResult call(const Kernel& kernel, const Call& call) const override;

  // Workers started so far (1 after construction; +1 after each call that ended one).
  int workers_started() const { return workers_started_; }
  const WorkerOptions& options() const { return options_; }

 private:
  struct Worker;
  struct Arena;
  std::vector<KernelDescFields> start_worker() const;
  void stop_worker(bool gracefully) const;
  CallResult call_placed(std::size_t index, const Call& c, GuardPlacement placement) const;
  std::size_t index_of(const Kernel& k) const;

  WorkerPluginSpec spec_;
  WorkerOptions options_;
  std::vector<Kernel> kernels_;
  mutable std::unique_ptr<Worker> worker_;
  mutable std::unique_ptr<Arena> arena_;
  mutable int workers_started_ = 0;
  mutable std::mutex calls_;  // one worker serves one call at a time
};

}  // namespace softcheck
