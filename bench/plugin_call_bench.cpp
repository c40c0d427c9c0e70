// What one plugin kernel call costs under each isolation level (docs/plugin-isolation.md): the
// example plugin's f32 softmax called in this process, through a persistent softcheck-worker
// (both guard placements, as `softcheck check` calls it), and through a fork per call (both
// placements). Plus what starting a worker costs, with and without a softcheck_init() that starts a
// thread pool (examples/threaded_plugin/). Paths come from bench/CMakeLists.txt.
#include <benchmark/benchmark.h>

#include <random>

#include "properties/plugin/isolated_invoker.hpp"
#include "properties/plugin/plugin_library.hpp"
#include "properties/plugin/worker_invoker.hpp"

namespace softcheck {
namespace {

Call row(std::size_t cols) {
  Call c;
  c.rows = 1;
  c.cols = cols;
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(-8.0, 8.0);
  std::vector<double> v(cols);
  for (double& x : v) x = round_to(DType::f32, u(rng));
  c.a = Buffer::from_values(DType::f32, v);
  return c;
}

WorkerOptions worker_options() {
  WorkerOptions o;
  o.worker_path = SOFTCHECK_BENCH_WORKER;
  return o;
}

const PluginLibrary& library() {
  static const PluginLibrary lib = PluginLibrary::open(SOFTCHECK_BENCH_PLUGIN);
  return lib;
}

Kernel direct_kernel() {
  return library().kernel("my_softmax_f32", plugin_contract(Op::softmax, DType::f32));
}

void run(benchmark::State& state, const Invoker& invoker, const Kernel& k) {
  const Call c = row(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    CallResult r = invoker.call(k, c);
    if (!r.ok()) state.SkipWithError(r.reason.c_str());
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_PluginCallInProcess(benchmark::State& state) {
  run(state, InProcessInvoker(), direct_kernel());
}

void BM_PluginCallWorker(benchmark::State& state) {
  const WorkerInvoker w({SOFTCHECK_BENCH_PLUGIN, {{"my_softmax_f32", Op::softmax}}},
                        worker_options());
  run(state, w, w.kernels().at(0));
}

void BM_PluginCallFork(benchmark::State& state) {
  IsolationOptions o;
  o.both_placements = true;
  run(state, IsolatedInvoker(o), direct_kernel());
}

void BM_WorkerStart(benchmark::State& state, const char* lib) {
  for (auto _ : state) {
    const WorkerInvoker w({lib, {}}, worker_options());
    benchmark::DoNotOptimize(w.kernels().size());
  }
}

BENCHMARK(BM_PluginCallInProcess)->Arg(16)->Arg(1000)->Arg(65536);
BENCHMARK(BM_PluginCallWorker)->Arg(16)->Arg(1000)->Arg(65536);
BENCHMARK(BM_PluginCallFork)->Arg(16)->Arg(1000)->Arg(65536);
BENCHMARK_CAPTURE(BM_WorkerStart, plain, SOFTCHECK_BENCH_PLUGIN)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_WorkerStart, thread_pool_init, SOFTCHECK_BENCH_THREADED_PLUGIN)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace softcheck

BENCHMARK_MAIN();
