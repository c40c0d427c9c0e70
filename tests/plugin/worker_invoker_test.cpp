// WorkerInvoker: plugin kernels in a persistent softcheck-worker process. Every fault class comes
// back as its CallStatus and softcheck goes on with a fresh worker; loading problems (a crashing
// constructor, a wild descriptor pointer, a failing init) are PluginErrors; calls share the worker
// (init once, state and rand() carried across calls); the FP environment is reset and checked
// around every call; both guard placements are tried; processes left behind are reported.
#include "properties/plugin/worker_invoker.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "properties/plugin/isolated_invoker.hpp"
#include "properties/plugin/plugin_library.hpp"

namespace softcheck {
namespace {

using ::testing::HasSubstr;

WorkerOptions options(std::chrono::milliseconds timeout = std::chrono::milliseconds(10000)) {
  WorkerOptions o;
  o.worker_path = SOFTCHECK_TEST_WORKER;
  o.timeout = timeout;
  return o;
}

// A worker serving `symbols` of `lib`, all softmax.
WorkerInvoker worker_for(const char* lib, std::vector<std::string> symbols,
                         std::chrono::milliseconds timeout = std::chrono::milliseconds(10000)) {
  WorkerPluginSpec spec{lib, {}};
  for (std::string& s : symbols) spec.symbols.emplace_back(std::move(s), Op::softmax);
  return WorkerInvoker(std::move(spec), options(timeout));
}

const Kernel& kernel(const WorkerInvoker& w, const std::string& name) {
  for (const Kernel& k : w.kernels())
    if (k.contract.name == name) return k;
  throw std::invalid_argument(name);
}

Call rowwise_call(std::size_t rows, std::size_t cols, uint32_t seed = 1) {
  Call c;
  c.rows = rows;
  c.cols = cols;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-8.0, 8.0);
  std::vector<double> v(rows * cols);
  for (double& x : v) x = round_to(DType::f32, u(rng));
  c.a = Buffer::from_values(DType::f32, v);
  return c;
}

std::string load_error(const char* lib, std::vector<std::string> symbols = {}) {
  try {
    worker_for(lib, std::move(symbols));
  } catch (const PluginError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(WorkerInvoker, CorrectKernelMatchesAnInProcessCallBitwise) {
  const auto w = worker_for(SOFTCHECK_TEST_PLUGIN_GOOD_KERNELS, {"good_softmax_f32"});
  auto lib = PluginLibrary::open(SOFTCHECK_TEST_PLUGIN_GOOD_KERNELS);
  const Kernel direct = lib.kernel("good_softmax_f32", plugin_contract(Op::softmax, DType::f32));
  for (auto [rows, cols] : {std::pair{1, 1}, {1, 1000}, {3, 17}, {2, 1024}, {1, 300000}}) {
    const Call c = rowwise_call(rows, cols);
    const CallResult got = w.call(kernel(w, "good_softmax_f32"), c);
    ASSERT_TRUE(got.ok()) << got.reason;
    EXPECT_TRUE(got.out.y.bitwise_equal(InProcessInvoker().call(direct, c).out.y));
  }
  EXPECT_EQ(w.workers_started(), 1);
}

TEST(WorkerInvoker, DescriptorListIsReadInTheWorkerWithItsContracts) {
  WorkerInvoker w({SOFTCHECK_TEST_PLUGIN_GOOD_KERNELS, {}}, options());
  const std::vector<Kernel> direct = PluginLibrary::open(SOFTCHECK_TEST_PLUGIN_GOOD_KERNELS).kernels();
  ASSERT_EQ(w.kernels().size(), direct.size());
  for (std::size_t i = 0; i < direct.size(); ++i) {
    EXPECT_EQ(w.kernels()[i].contract.name, direct[i].contract.name);
    EXPECT_EQ(w.kernels()[i].contract.op, direct[i].contract.op);
    EXPECT_EQ(w.kernels()[i].contract.algorithm, direct[i].contract.algorithm);
    EXPECT_EQ(w.kernels()[i].contract.exp_ulps, direct[i].contract.exp_ulps);
    EXPECT_EQ(w.kernels()[i].entry.index(), direct[i].entry.index());
  }
  // The entry points are stubs: the plugin is not loaded in this process.
  float x = 0, y = 0;
  EXPECT_THROW(std::get<RowwiseFn>(w.kernels()[0].entry)(&x, &y, 1, 1), std::logic_error);
}

TEST(WorkerInvoker, ConstructorThatCrashesIsALoadingErrorNotACrashOfSoftcheck) {
  const std::string e = load_error(SOFTCHECK_TEST_PLUGIN_CONSTRUCTOR_CRASH, {"softmax_never_reached"});
  EXPECT_THAT(e, HasSubstr("cannot load plugin"));
  EXPECT_THAT(e, HasSubstr("SIGSEGV"));
  EXPECT_THAT(e, HasSubstr("constructors"));
}

TEST(WorkerInvoker, WildDescriptorPointerIsALoadingError) {
  const std::string e = load_error(SOFTCHECK_TEST_PLUGIN_WILD_DESCRIPTOR);
  EXPECT_THAT(e, HasSubstr("SIGSEGV"));
  EXPECT_THAT(e, HasSubstr("softcheck_kernels()"));
}

TEST(WorkerInvoker, LoadingErrorsOfTheWorkerComeBackAsTheyRead) {
  EXPECT_THAT(load_error("/nonexistent/libnothing.so"), HasSubstr("no such file"));
  EXPECT_THAT(load_error(SOFTCHECK_TEST_PLUGIN_GOOD_KERNELS, {"no_such_symbol"}),
              HasSubstr("has no symbol 'no_such_symbol'"));
  EXPECT_THAT(load_error(SOFTCHECK_TEST_PLUGIN_BAD_ABI_VERSION), HasSubstr("abi_version"));
  EXPECT_THAT(load_error(SOFTCHECK_TEST_PLUGIN_FAILING_INIT, {"never_called_f32"}),
              HasSubstr("softcheck_init() failed with 7"));
}

TEST(WorkerInvoker, MissingWorkerBinaryIsALoadingError) {
  WorkerOptions o = options();
  o.worker_path = "/nonexistent/softcheck-worker";
  try {
    WorkerInvoker({SOFTCHECK_TEST_PLUGIN_GOOD_KERNELS, {}}, o);
    FAIL() << "started";
  } catch (const PluginError& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot start the plugin worker"));
  }
}

TEST(WorkerInvoker, InitRunsOncePerWorkerAndCallsShareTheProcess) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto w = worker_for(SOFTCHECK_TEST_PLUGIN_WITH_INIT,
                            {"init_calls_f32", "process_id_f32", "abort_f32"});
  for (int i = 0; i < 20; ++i) {
    const CallResult r = w.call(kernel(w, "init_calls_f32"), rowwise_call(1, 3));
    ASSERT_TRUE(r.ok()) << r.reason;
    EXPECT_EQ(r.out.y.get(0), 1.0);
  }
  // 40 worker calls (both placements) after one 200 ms init: well under 40 x 200 ms.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(4));
  const double pid = w.call(kernel(w, "process_id_f32"), rowwise_call(1, 1)).out.y.get(0);
  EXPECT_EQ(w.call(kernel(w, "process_id_f32"), rowwise_call(1, 1)).out.y.get(0), pid);

  // A crash ends the worker; the next call runs in a fresh one, initialised once again.
  const CallResult crash = w.call(kernel(w, "abort_f32"), rowwise_call(1, 2));
  EXPECT_EQ(crash.status, CallStatus::crashed);
  EXPECT_THAT(crash.reason, HasSubstr("SIGABRT"));
  const CallResult again = w.call(kernel(w, "init_calls_f32"), rowwise_call(1, 3));
  ASSERT_TRUE(again.ok()) << again.reason;
  EXPECT_EQ(again.out.y.get(0), 1.0);
  EXPECT_EQ(w.workers_started(), 2);
  EXPECT_NE(w.call(kernel(w, "process_id_f32"), rowwise_call(1, 1)).out.y.get(0), pid);
}

TEST(WorkerInvoker, TeardownRunsWhenTheWorkerIsShutDown) {
  const auto file = std::filesystem::temp_directory_path() /
                    ("softcheck_teardown_" + std::to_string(getpid()));
  std::filesystem::remove(file);
  setenv("SOFTCHECK_TEST_TEARDOWN_FILE", file.c_str(), 1);
  {
    const auto w = worker_for(SOFTCHECK_TEST_PLUGIN_WITH_INIT, {"init_calls_f32"});
    ASSERT_TRUE(w.call(kernel(w, "init_calls_f32"), rowwise_call(1, 1)).ok());
    EXPECT_FALSE(std::filesystem::exists(file));
  }
  unsetenv("SOFTCHECK_TEST_TEARDOWN_FILE");
  EXPECT_TRUE(std::filesystem::exists(file));
  std::filesystem::remove(file);
}

TEST(WorkerInvoker, KernelWrongFromItsSecondCallIsSeen) {
  const auto w = worker_for(SOFTCHECK_TEST_PLUGIN_STATEFUL, {"softmax_wrong_after_first_call"});
  const Kernel& k = kernel(w, "softmax_wrong_after_first_call");
  const Call c = rowwise_call(1, 4);
  const CallResult first = w.call(k, c), second = w.call(k, c);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(second.out.y.get(0), 2 * first.out.y.get(0));
  // Under a fork per call every call is the first one.
  IsolationOptions fork_options;
  auto lib = PluginLibrary::open(SOFTCHECK_TEST_PLUGIN_STATEFUL);
  const Kernel forked =
      lib.kernel("softmax_wrong_after_first_call", plugin_contract(Op::softmax, DType::f32));
  const IsolatedInvoker fork_invoker(fork_options);
  EXPECT_TRUE(fork_invoker.call(forked, c).out.y.bitwise_equal(fork_invoker.call(forked, c).out.y));
}

TEST(WorkerInvoker, RandDependentKernelDiffersAcrossCalls) {
  const auto w = worker_for(SOFTCHECK_TEST_PLUGIN_STATEFUL, {"softmax_rand_ulp"});
  const Kernel& k = kernel(w, "softmax_rand_ulp");
  const Call c = rowwise_call(1, 5);
  const CallResult first = w.call(k, c);
  bool differed = false;
  for (int i = 0; i < 20 && !differed; ++i) differed = !w.call(k, c).out.y.bitwise_equal(first.out.y);
  EXPECT_TRUE(differed);
}

TEST(WorkerInvoker, ReadsBeforeTheStartAndPastTheEndBothFault) {
  const auto w = worker_for(SOFTCHECK_TEST_PLUGIN_OUT_OF_BOUNDS,
                            {"softmax_reads_before_start", "softmax_reads_past_end",
                             "softmax_writes_past_end", "softmax_writes_before_start"});
  // 10 columns: far from filling a page, so only the placement against the guard page catches it.
  const CallResult before = w.call(kernel(w, "softmax_reads_before_start"), rowwise_call(1, 10));
  EXPECT_EQ(before.status, CallStatus::out_of_bounds);
  EXPECT_THAT(before.reason, HasSubstr("before the start of input x: x[-1], 4 byte(s) before"));
#if defined(__x86_64__)
  EXPECT_THAT(before.reason, HasSubstr("read before"));
#endif
  const CallResult past = w.call(kernel(w, "softmax_reads_past_end"), rowwise_call(2, 7));
  EXPECT_EQ(past.status, CallStatus::out_of_bounds);
  EXPECT_THAT(past.reason, HasSubstr("past the end of input x: x[14], right after its last"));
  const CallResult wpast = w.call(kernel(w, "softmax_writes_past_end"), rowwise_call(1, 1000));
  EXPECT_THAT(wpast.reason, HasSubstr("past the end of output y: y[1000]"));
  const CallResult wbefore = w.call(kernel(w, "softmax_writes_before_start"), rowwise_call(1, 10));
  EXPECT_EQ(wbefore.status, CallStatus::out_of_bounds);
  EXPECT_THAT(wbefore.reason, HasSubstr("before the start of output y: y[-1]"));
}

TEST(WorkerInvoker, EveryFaultClassIsReportedAndTheNextCallWorks) {
  const auto w = worker_for(SOFTCHECK_TEST_PLUGIN_CRASHING,
                            {"softmax_abort", "softmax_null_write", "softmax_stack_overflow",
                             "softmax_exit3"});
  const auto good = worker_for(SOFTCHECK_TEST_PLUGIN_GOOD_KERNELS, {"good_softmax_f32"});
  const struct {
    const char* symbol;
    const char* reason;
  } cases[] = {{"softmax_abort", "SIGABRT"},
               {"softmax_null_write", "outside every buffer"},
               {"softmax_stack_overflow", "SIGSEGV"},
               {"softmax_exit3", "exit status 3"}};
  for (const auto& [symbol, reason] : cases) {
    const CallResult r = w.call(kernel(w, symbol), rowwise_call(1, 8));
    EXPECT_EQ(r.status, CallStatus::crashed) << symbol;
    EXPECT_THAT(r.reason, HasSubstr(reason)) << symbol;
  }
  EXPECT_EQ(w.workers_started(), 4);  // the first, and one after each crash but the last
  EXPECT_TRUE(good.call(kernel(good, "good_softmax_f32"), rowwise_call(2, 33)).ok());
}

TEST(WorkerInvoker, ExitAfterWritingTheOutputsIsReported) {
  const auto w = worker_for(SOFTCHECK_TEST_PLUGIN_PROCESSES, {"softmax_then_exit0"});
  const CallResult r = w.call(kernel(w, "softmax_then_exit0"), rowwise_call(1, 8));
  EXPECT_EQ(r.status, CallStatus::crashed);
  EXPECT_THAT(r.reason, HasSubstr("exit status 0 during the call"));
}

TEST(WorkerInvoker, ProcessesLeftBehindAreReportedAndKilled) {
  const auto w =
      worker_for(SOFTCHECK_TEST_PLUGIN_PROCESSES, {"softmax_leaves_child", "softmax_leaves_daemon"});
  for (const char* symbol : {"softmax_leaves_child", "softmax_leaves_daemon"}) {
    const CallResult r = w.call(kernel(w, symbol), rowwise_call(1, 8));
    EXPECT_EQ(r.status, CallStatus::left_process) << symbol << ": " << r.reason;
    EXPECT_THAT(r.reason, HasSubstr("left 1 process(es) running")) << symbol;
  }
  EXPECT_EQ(w.workers_started(), 1);
}

TEST(WorkerInvoker, EndlessLoopTimesOutAndAFreshWorkerContinues) {
  const auto w = worker_for(SOFTCHECK_TEST_PLUGIN_INFINITE_LOOP, {"softmax_spins"},
                            std::chrono::milliseconds(200));
  const auto t0 = std::chrono::steady_clock::now();
  const CallResult r = w.call(kernel(w, "softmax_spins"), rowwise_call(1, 8));
  EXPECT_EQ(r.status, CallStatus::timed_out);
  EXPECT_THAT(r.reason, HasSubstr("within 200 ms"));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_EQ(w.call(kernel(w, "softmax_spins"), rowwise_call(1, 8)).status, CallStatus::timed_out);
  EXPECT_EQ(w.workers_started(), 2);  // a fresh worker only when a call needs one
}

TEST(WorkerInvoker, ChangedFpEnvironmentIsReportedAndNotPassedOn) {
  const auto w = worker_for(SOFTCHECK_TEST_PLUGIN_FP_ENVIRONMENT,
                            {"softmax_clean", "softmax_leaves_ftz", "softmax_leaves_upward",
                             "softmax_restores"});
  const Call c = rowwise_call(3, 50);
  // The constructor left FTZ/DAZ and upward rounding in the worker: calls still start clean.
  const CallResult clean = w.call(kernel(w, "softmax_clean"), c);
  ASSERT_TRUE(clean.ok()) << clean.reason;
#if defined(__x86_64__)
  const CallResult ftz = w.call(kernel(w, "softmax_leaves_ftz"), c);
  EXPECT_EQ(ftz.status, CallStatus::changed_fp_environment);
  EXPECT_THAT(ftz.reason, HasSubstr("flush-to-zero (FTZ) set"));
  EXPECT_THAT(ftz.reason, HasSubstr("denormals-are-zero (DAZ) set"));
#endif
  const CallResult up = w.call(kernel(w, "softmax_leaves_upward"), c);
  EXPECT_EQ(up.status, CallStatus::changed_fp_environment);
  EXPECT_THAT(up.reason, HasSubstr("rounding upward, was to nearest"));
  EXPECT_TRUE(w.call(kernel(w, "softmax_restores"), c).ok());
  // The next call after them is not affected: bitwise the same as before.
  const CallResult after = w.call(kernel(w, "softmax_clean"), c);
  ASSERT_TRUE(after.ok()) << after.reason;
  EXPECT_TRUE(after.out.y.bitwise_equal(clean.out.y));
  EXPECT_EQ(w.workers_started(), 1);
}

TEST(WorkerInvoker, EveryOpIsServed) {
  WorkerPluginSpec spec{SOFTCHECK_TEST_PLUGIN_GOOD_KERNELS, {}};
  WorkerInvoker w(spec, options());
  auto lib = PluginLibrary::open(SOFTCHECK_TEST_PLUGIN_GOOD_KERNELS);
  const std::vector<Kernel> direct = lib.kernels();
  for (std::size_t i = 0; i < direct.size(); ++i) {
    const Contract& k = direct[i].contract;
    Call c;
    c.op = k.op;
    c.dtype = k.dtype;
    c.rows = 2;
    c.cols = 5;
    std::vector<double> v(10);
    for (std::size_t j = 0; j < v.size(); ++j) v[j] = 0.125 * static_cast<double>(j) - 0.5;
    c.a = Buffer::from_values(k.dtype, v);
    if (k.op == Op::softmax_backward) c.b = Buffer::from_values(k.dtype, v);
    if (k.op == Op::cross_entropy) c.labels = {1, 4};
    c.tau = 0.5;
    const CallResult got = w.call(w.kernels()[i], c);
    ASSERT_TRUE(got.ok()) << k.name << ": " << got.reason;
    const CallResult want = InProcessInvoker().call(direct[i], c);
    EXPECT_TRUE(got.out.y.bitwise_equal(want.out.y)) << k.name;
    if (k.op == Op::cross_entropy) {
      EXPECT_TRUE(got.out.loss.bitwise_equal(want.out.loss));
    }
  }
}

// Not a benchmark: prints what one worker call costs (both placements), next to the fork figure
// of isolated_invoker_test.cpp.
TEST(WorkerInvoker, CallsPerSecondFor1000Columns) {
  const auto w = worker_for(SOFTCHECK_TEST_PLUGIN_GOOD_KERNELS, {"good_softmax_f32"});
  const Call c = rowwise_call(1, 1000);
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  int n = 0;
  while (n < 2000 && Clock::now() - t0 < std::chrono::seconds(1)) {
    ASSERT_TRUE(w.call(kernel(w, "good_softmax_f32"), c).ok());
    ++n;
  }
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf("worker calls, 1 x 1000 f32: %.0f calls/s (%.1f us per call, %d calls)\n", n / s,
              1e6 * s / n, n);
}

}  // namespace
}  // namespace softcheck
