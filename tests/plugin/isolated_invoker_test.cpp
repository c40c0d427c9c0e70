// IsolatedInvoker: each defect class of tests/plugin/plugins/ comes back as its CallStatus with a
// reason naming the buffer and element; correct kernels come back ok and bitwise equal to an
// in-process call; softcheck survives all of it.
#include "properties/plugin/isolated_invoker.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>

#include "properties/plugin/plugin_library.hpp"

namespace softcheck {
namespace {

using ::testing::HasSubstr;

Kernel load(const char* lib, const char* symbol, Op op = Op::softmax, DType dt = DType::f32) {
  // Kernels point into the library: keep every library loaded for the whole test program.
  static std::vector<PluginLibrary> keep;
  keep.push_back(PluginLibrary::open(lib));
  return keep.back().kernel(symbol, plugin_contract(op, dt));
}

Call rowwise_call(std::size_t rows, std::size_t cols, DType dt = DType::f32, uint32_t seed = 1) {
  Call c;
  c.dtype = dt;
  c.rows = rows;
  c.cols = cols;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-8.0, 8.0);
  std::vector<double> v(rows * cols);
  for (double& x : v) x = round_to(dt, u(rng));
  c.a = Buffer::from_values(dt, v);
  return c;
}

CallResult isolated(const Kernel& k, const Call& c, IsolationOptions o = {}) {
  return IsolatedInvoker(o).call(k, c);
}

TEST(IsolatedInvoker, CorrectSoftmaxIsOkAndExact) {
  const Kernel k = load(SOFTCHECK_TEST_PLUGIN_GOOD_KERNELS, "good_softmax_f32");
  Call c = rowwise_call(1, 4);
  c.a = Buffer::from_values(DType::f32, std::vector<double>{7, 7, 7, 7});
  const CallResult r = isolated(k, c);
  ASSERT_TRUE(r.ok()) << r.reason;
  EXPECT_THAT(r.out.y.values(), ::testing::Each(0.25));  // 4 equal logits give exactly 1/4
}

TEST(IsolatedInvoker, CorrectSoftmaxMatchesAnInProcessCallBitwiseInBothPlacements) {
  const Kernel k = load(SOFTCHECK_TEST_PLUGIN_GOOD_KERNELS, "good_softmax_f32");
  for (auto [rows, cols] : {std::pair{1, 1}, {1, 1000}, {3, 17}, {2, 1024}}) {
    const Call c = rowwise_call(rows, cols);
    const CallResult want = InProcessInvoker().call(k, c);
    for (GuardPlacement place : {GuardPlacement::end, GuardPlacement::start}) {
      const CallResult got = isolated(k, c, {.placement = place});
      ASSERT_TRUE(got.ok()) << got.reason;
      EXPECT_TRUE(got.out.y.bitwise_equal(want.out.y)) << rows << "x" << cols;
    }
    // And the values are a softmax: within a few f32 ulps of a double-precision evaluation.
    for (std::size_t r = 0; r < c.rows; ++r) {
      double m = -INFINITY, s = 0;
      for (std::size_t j = 0; j < c.cols; ++j) m = std::max(m, c.a.get(r * c.cols + j));
      for (std::size_t j = 0; j < c.cols; ++j) s += std::exp(c.a.get(r * c.cols + j) - m);
      for (std::size_t j = 0; j < c.cols; ++j) {
        const double exact = std::exp(c.a.get(r * c.cols + j) - m) / s;
        EXPECT_NEAR(want.out.y.get(r * c.cols + j), exact, 1e-4 * exact + 1e-30);
      }
    }
  }
}

TEST(IsolatedInvoker, EveryOpIsCalledWithItsSignature) {
  const char* lib = SOFTCHECK_TEST_PLUGIN_GOOD_KERNELS;
  const std::size_t rows = 3, cols = 9;

  Call f64 = rowwise_call(rows, cols, DType::f64);
  const Kernel sm64 = load(lib, "good_softmax_f64", Op::softmax, DType::f64);

  Call temp = rowwise_call(rows, cols);
  temp.op = Op::softmax_temp;
  temp.tau = 0.25;
  const Kernel tk = load(lib, "good_softmax_temp_f32", Op::softmax_temp);

  Call lsm = rowwise_call(rows, cols);
  lsm.op = Op::log_softmax;
  const Kernel lk = load(lib, "good_log_softmax_f32", Op::log_softmax);

  Call bwd = rowwise_call(rows, cols);
  bwd.op = Op::softmax_backward;
  bwd.a = InProcessInvoker()
              .call(load(lib, "good_softmax_f32"), rowwise_call(rows, cols, DType::f32, 2))
              .out.y;
  bwd.b = rowwise_call(rows, cols, DType::f32, 3).a;
  const Kernel bk = load(lib, "good_softmax_backward_f32", Op::softmax_backward);

  Call ce = rowwise_call(rows, cols);
  ce.op = Op::cross_entropy;
  ce.labels = {0, 8, 4};
  const Kernel ck = load(lib, "good_cross_entropy_f32", Op::cross_entropy);

  for (auto [k, c] : {std::pair{&sm64, &f64}, {&tk, &temp}, {&lk, &lsm}, {&bk, &bwd}, {&ck, &ce}}) {
    const CallResult want = InProcessInvoker().call(*k, *c);
    const CallResult got = isolated(*k, *c);
    ASSERT_TRUE(got.ok()) << name_of(c->op) << ": " << got.reason;
    EXPECT_TRUE(got.out.y.bitwise_equal(want.out.y)) << name_of(c->op);
    EXPECT_TRUE(got.out.loss.bitwise_equal(want.out.loss)) << name_of(c->op);
  }
  // The labels reached the kernel: dx of the labelled entry is p - 1 < 0, every other dx >= 0.
  const CallResult r = isolated(ck, ce);
  EXPECT_LT(r.out.y.get(0 * cols + 0), 0);
  EXPECT_LT(r.out.y.get(1 * cols + 8), 0);
  EXPECT_GE(r.out.y.get(1 * cols + 0), 0);
  EXPECT_GT(r.out.loss.get(2), 0);
}

TEST(IsolatedInvoker, AbortIsACrashNamingTheSignal) {
  const CallResult r =
      isolated(load(SOFTCHECK_TEST_PLUGIN_CRASHING, "softmax_abort"), rowwise_call(1, 8));
  EXPECT_EQ(r.status, CallStatus::crashed);
  EXPECT_THAT(r.reason, HasSubstr("SIGABRT"));
}

TEST(IsolatedInvoker, NullStoreIsACrashOutsideEveryBuffer) {
  const CallResult r =
      isolated(load(SOFTCHECK_TEST_PLUGIN_CRASHING, "softmax_null_write"), rowwise_call(1, 8));
  EXPECT_EQ(r.status, CallStatus::crashed);
  EXPECT_THAT(r.reason, HasSubstr("SIGSEGV"));
  EXPECT_THAT(r.reason, HasSubstr("outside every buffer"));
}

TEST(IsolatedInvoker, DivisionByZeroIsACrash) {
  const CallResult r =
      isolated(load(SOFTCHECK_TEST_PLUGIN_CRASHING, "softmax_int_div_zero"), rowwise_call(1, 8));
  EXPECT_EQ(r.status, CallStatus::crashed);
  EXPECT_THAT(r.reason, HasSubstr("SIGFPE"));
}

TEST(IsolatedInvoker, StackOverflowIsACrash) {
  const CallResult r =
      isolated(load(SOFTCHECK_TEST_PLUGIN_CRASHING, "softmax_stack_overflow"), rowwise_call(1, 8));
  EXPECT_EQ(r.status, CallStatus::crashed);
  EXPECT_THAT(r.reason, HasSubstr("SIGSEGV"));
}

TEST(IsolatedInvoker, ExitingTheProcessIsACrash) {
  const CallResult r =
      isolated(load(SOFTCHECK_TEST_PLUGIN_CRASHING, "softmax_exit3"), rowwise_call(1, 8));
  EXPECT_EQ(r.status, CallStatus::crashed);
  EXPECT_THAT(r.reason, HasSubstr("exit status 3"));
}

TEST(IsolatedInvoker, ReadPastTheEndNamesInputAndElement) {
  const Kernel k = load(SOFTCHECK_TEST_PLUGIN_OUT_OF_BOUNDS, "softmax_reads_past_end");
  const CallResult r = isolated(k, rowwise_call(2, 7));
  EXPECT_EQ(r.status, CallStatus::out_of_bounds);
  EXPECT_THAT(
      r.reason,
      HasSubstr("past the end of input x: x[14], right after its last element; x holds 2 x 7"));
#if defined(__x86_64__)
  EXPECT_THAT(r.reason, HasSubstr("read past"));
#endif
}

TEST(IsolatedInvoker, WritePastTheEndNamesOutputAndElement) {
  const Kernel k = load(SOFTCHECK_TEST_PLUGIN_OUT_OF_BOUNDS, "softmax_writes_past_end");
  const CallResult r = isolated(k, rowwise_call(1, 1000));
  EXPECT_EQ(r.status, CallStatus::out_of_bounds);
  EXPECT_THAT(r.reason, HasSubstr("past the end of output y: y[1000]"));
#if defined(__x86_64__)
  EXPECT_THAT(r.reason, HasSubstr("write past"));
#endif
}

TEST(IsolatedInvoker, ReadBeforeTheStartFaultsWithStartPlacement) {
  const Kernel k = load(SOFTCHECK_TEST_PLUGIN_OUT_OF_BOUNDS, "softmax_reads_before_start");
  const CallResult r = isolated(k, rowwise_call(1, 10), {.placement = GuardPlacement::start});
  EXPECT_EQ(r.status, CallStatus::out_of_bounds);
  EXPECT_THAT(r.reason, HasSubstr("before the start of input x: x[-1], 4 byte(s) before"));
#if defined(__x86_64__)
  EXPECT_THAT(r.reason, HasSubstr("read before"));
#endif
}

TEST(IsolatedInvoker, WriteBeforeTheStartIsCaughtInBothPlacements) {
  const Kernel k = load(SOFTCHECK_TEST_PLUGIN_OUT_OF_BOUNDS, "softmax_writes_before_start");
  // start: the leading guard page faults. end: the canary in front of y changed.
  const CallResult s = isolated(k, rowwise_call(1, 10), {.placement = GuardPlacement::start});
  EXPECT_EQ(s.status, CallStatus::out_of_bounds);
  EXPECT_THAT(s.reason, HasSubstr("before the start of output y: y[-1]"));
  const CallResult e = isolated(k, rowwise_call(1, 10), {.placement = GuardPlacement::end});
  EXPECT_EQ(e.status, CallStatus::out_of_bounds);
  EXPECT_THAT(e.reason, HasSubstr("write before the start of output y: y[-1]"));
  EXPECT_THAT(e.reason, HasSubstr("found after the call"));
}

TEST(IsolatedInvoker, WritingAnInputFaultsAtTheStore) {
  const Kernel k = load(SOFTCHECK_TEST_PLUGIN_INPUT_SCRIBBLER, "softmax_scribbles_input");
  Call c = rowwise_call(1, 3);
  c.a = Buffer::from_values(DType::f32, std::vector<double>{1, 3, 2});
  const CallResult r = isolated(k, c);
  EXPECT_EQ(r.status, CallStatus::wrote_input);
  EXPECT_THAT(r.reason,
              HasSubstr("input x: a store to x[0] (row 0, col 0), which holds 0x1p+0, faulted"));
  EXPECT_EQ(c.a.get(0), 1.0);  // the caller's input is untouched in any case
}

TEST(IsolatedInvoker, WritingAnInputTemporarilyIsCaught) {
  // The kernel restores the value: only read-only inputs can see this.
  const Kernel k = load(SOFTCHECK_TEST_PLUGIN_INPUT_SCRIBBLER, "softmax_borrows_input");
  const CallResult r = isolated(k, rowwise_call(2, 5));
  EXPECT_EQ(r.status, CallStatus::wrote_input);
  EXPECT_THAT(r.reason, HasSubstr("a store to x[7] (row 1, col 2)"));
}

TEST(IsolatedInvoker, InputChangedBehindTheProtectionIsFoundAfterTheCall) {
  const Kernel k = load(SOFTCHECK_TEST_PLUGIN_INPUT_SCRIBBLER, "softmax_unprotects_input");
  Call c = rowwise_call(2, 3);
  c.a = Buffer::from_values(DType::f32, std::vector<double>{1, 2, 3, 4, 5, 6});
  const CallResult r = isolated(k, c);
  EXPECT_EQ(r.status, CallStatus::wrote_input);
  EXPECT_THAT(r.reason, HasSubstr("input x: x[2] (row 0, col 2) was 0x1.8p+1, is now 0x1.8p+0"));
  EXPECT_THAT(r.reason, HasSubstr("1 of 6 element(s) changed"));
}

TEST(IsolatedInvoker, UnwrittenOutputIsReportedPerFormat) {
  const char* lib = SOFTCHECK_TEST_PLUGIN_UNWRITTEN;
  const CallResult f32 = isolated(load(lib, "softmax_skips_last_f32"), rowwise_call(1, 1000));
  EXPECT_EQ(f32.status, CallStatus::left_unwritten);
  EXPECT_THAT(f32.reason, HasSubstr("output y[999] (row 0, col 999) unwritten"));
  EXPECT_THAT(f32.reason, HasSubstr("0x7fa5a5a5; 1 of 1000 element(s)"));

  // A single column is still a rows x cols matrix, not a per-row buffer.
  const CallResult col = isolated(load(lib, "softmax_skips_last_f32"), rowwise_call(3, 1));
  EXPECT_THAT(col.reason, HasSubstr("output y[2] (row 2, col 0) unwritten"));

  const CallResult f64 = isolated(load(lib, "softmax_skips_last_f64", Op::softmax, DType::f64),
                                  rowwise_call(2, 5, DType::f64));
  EXPECT_EQ(f64.status, CallStatus::left_unwritten);
  EXPECT_THAT(f64.reason, HasSubstr("y[9] (row 1, col 4)"));

  for (DType t : {DType::f16, DType::bf16}) {
    const CallResult h =
        isolated(load(lib, "softmax_skips_last_u16", Op::softmax, t), rowwise_call(1, 6, t));
    EXPECT_EQ(h.status, CallStatus::left_unwritten) << name_of(t);
    EXPECT_THAT(h.reason, HasSubstr("y[5]")) << name_of(t);
  }

  Call ce = rowwise_call(3, 4);
  ce.op = Op::cross_entropy;
  ce.labels = {1, 2, 3};
  const CallResult l = isolated(load(lib, "cross_entropy_skips_last_loss", Op::cross_entropy), ce);
  EXPECT_EQ(l.status, CallStatus::left_unwritten);
  EXPECT_THAT(l.reason, HasSubstr("output loss[2] (row 2) unwritten"));
}

TEST(IsolatedInvoker, EndlessLoopTimesOut) {
  const Kernel k = load(SOFTCHECK_TEST_PLUGIN_INFINITE_LOOP, "softmax_spins");
  const auto t0 = std::chrono::steady_clock::now();
  const CallResult r = isolated(k, rowwise_call(1, 8), {.timeout = std::chrono::milliseconds(200)});
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r.status, CallStatus::timed_out);
  EXPECT_THAT(r.reason, HasSubstr("within 200 ms"));
  EXPECT_GE(took, std::chrono::milliseconds(200));
  EXPECT_LT(took, std::chrono::seconds(5));
}

TEST(IsolatedInvoker, SoftcheckKeepsWorkingAfterEveryFailure) {
  const IsolatedInvoker impatient({.timeout = std::chrono::milliseconds(200)});
  const IsolatedInvoker normal;
  const Kernel good = load(SOFTCHECK_TEST_PLUGIN_GOOD_KERNELS, "good_softmax_f32");
  const Kernel bad[] = {load(SOFTCHECK_TEST_PLUGIN_CRASHING, "softmax_abort"),
                        load(SOFTCHECK_TEST_PLUGIN_OUT_OF_BOUNDS, "softmax_writes_past_end"),
                        load(SOFTCHECK_TEST_PLUGIN_INFINITE_LOOP, "softmax_spins")};
  const Call c = rowwise_call(2, 33);
  for (const Kernel& b : bad) {
    EXPECT_FALSE(impatient.call(b, c).ok());
    EXPECT_TRUE(normal.call(good, c).ok());
  }
}

TEST(IsolatedInvoker, MismatchedCallIsRejectedBeforeForking) {
  const Kernel k = load(SOFTCHECK_TEST_PLUGIN_GOOD_KERNELS, "good_softmax_f32");
  Call wrong_op = rowwise_call(1, 4);
  wrong_op.op = Op::log_softmax;
  EXPECT_THROW(isolated(k, wrong_op), std::invalid_argument);
  EXPECT_THROW(isolated(k, rowwise_call(1, 4, DType::f64)), std::invalid_argument);
  Call short_input = rowwise_call(2, 4);
  short_input.rows = 3;
  EXPECT_THROW(isolated(k, short_input), std::invalid_argument);
}

TEST(IsolatedInvoker, ExamplePluginPassesThroughBothEntries) {
  // examples/plugin/my_softmax.c, as users copy it: its symbol and its descriptor entry.
  auto lib = PluginLibrary::open(SOFTCHECK_TEST_PLUGIN_EXAMPLE);
  const std::vector<Kernel> listed = lib.kernels();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].contract.name, "f32_softmax_shifted__scalar");
  EXPECT_EQ(listed[0].contract.algorithm, Algorithm::shifted);
  const Kernel plain = lib.kernel("my_softmax_f32", plugin_contract(Op::softmax, DType::f32));
  Call c = rowwise_call(4, 257);
  // One row near the exp overflow threshold: only a max-shifted kernel keeps it finite.
  for (std::size_t j = 0; j < c.cols; ++j) c.a.set(j, 88.0 + 0.25 * static_cast<double>(j % 8));
  const CallResult want = InProcessInvoker().call(plain, c);
  for (const Kernel* k : {&plain, &listed[0]}) {
    for (GuardPlacement place : {GuardPlacement::end, GuardPlacement::start}) {
      const CallResult r = isolated(*k, c, {.placement = place});
      ASSERT_TRUE(r.ok()) << r.reason;
      EXPECT_TRUE(r.out.y.bitwise_equal(want.out.y));
    }
  }
  for (std::size_t j = 0; j < c.cols; ++j) EXPECT_TRUE(std::isfinite(want.out.y.get(j)));
}

// Not a benchmark: prints what one isolated call costs, so a regression is visible in the log.
// At most 200 calls or about a second (fork is much slower under ASan).
TEST(IsolatedInvoker, CallsPerSecondFor1000Columns) {
  const Kernel k = load(SOFTCHECK_TEST_PLUGIN_GOOD_KERNELS, "good_softmax_f32");
  const Call c = rowwise_call(1, 1000);
  const IsolatedInvoker inv;
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  int n = 0;
  while (n < 200 && Clock::now() - t0 < std::chrono::seconds(1)) {
    ASSERT_TRUE(inv.call(k, c).ok());
    ++n;
  }
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf("isolated calls, 1 x 1000 f32: %.0f calls/s (%.1f us per call, %d calls)\n", n / s,
              1e6 * s / n, n);
}

}  // namespace
}  // namespace softcheck
