// Self-check of the impl/simd kernels, once per registered kernel (every op, dtype and Highway
// target): accuracy against a double-precision reference within the bound derived from the
// kernel's contract, rows of every length 1..129 (all tails for tiles T = 4..64, i.e. 1..2T+1)
// between guard pages, masks, special values, large offsets and exact cases. Targets this CPU
// lacks are skipped with the reason printed. The full MPFR-based property catalogue runs on the
// same kernels elsewhere; this file is the kernels' own unit test.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "impl/registry.hpp"
#include "impl/simd/simd_targets.hpp"
#include "softcheck/dtype.hpp"
#include "tests/simd/guarded_buffer.hpp"

namespace softcheck {
namespace {

using test::GuardedBuffer;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kU32 = 0x1p-24;       // unit roundoff of the f32 accumulation
constexpr double kF32Tiny = 0x1p-149;  // smallest f32 subnormal

std::vector<Kernel> simd_list() { return simd_kernels(); }

const Kernel& kernel_named(const std::string& name) {
  static const std::vector<Kernel> all = simd_list();
  for (const Kernel& k : all)
    if (k.contract.name == name) return k;
  throw std::runtime_error("no simd kernel " + name);
}

// Height of the k-lane summation tree (contract.hpp): ceil(n / k) - 1 + ceil(log2 k).
double tree_height(const Contract& c, std::size_t n) {
  const double k = c.lanes;
  return std::ceil(n / k) - 1 + std::ceil(std::log2(k));
}

// Double-precision reference, built from the exact inputs (values of the kernel's format).
struct Reference {
  std::vector<double> y;
  double max = -kInf, min = kInf;
};

Reference reference(Op op, const std::vector<double>& x) {
  Reference r;
  for (double v : x) {
    r.max = std::max(r.max, v);
    if (v != -kInf) r.min = std::min(r.min, v);
  }
  double sum = 0;
  for (double v : x) sum += std::exp(v - r.max);
  for (double v : x) {
    r.y.push_back(op == Op::log_softmax ? (v - r.max) - std::log(sum) : std::exp(v - r.max) / sum);
  }
  return r;
}

// Componentwise bound on |y_j - ref_j| from the contract (docs/error-model.md):
//  softmax, relative: (h + 2 + 2 * (2 exp_ulps) + |x_j - a| + (xmax - xmin)) u32 -- h for the sum,
//    2 for the quotient and the subtraction x_j - a, 2 exp_ulps ulps of relative error (1 ulp <=
//    2u) once in e_j and once through the sum, |x_j - a| for the rounding of x_j - a amplified by
//    exp, xmax - xmin for the same in the sum's terms; plus (2 + exp_ulps) f32 subnormal spacings
//    for results below the normal range; f16/bf16 add half an ulp of the output format (one
//    rounding of the f32 result, ties to even).
//  log-softmax, absolute: (3 |l_j| + h + (xmax - xmin) + 4 exp_ulps + 2) u32 -- the roundings of
//    x_j - a, of log(S) and of the difference are each at most u |l_j| (|x_j - a| <= |l_j| and
//    log S <= |l_j|), the sum's relative error becomes an absolute error of log S.
double bound(const Contract& c, const Reference& r, std::size_t j, double xj, std::size_t n) {
  const double h = tree_height(c, n);
  const double spread = r.max - r.min;
  const double ref = r.y[j];
  if (c.op == Op::log_softmax) {
    return (3 * std::fabs(ref) + h + spread + 4 * c.exp_ulps + 2) * kU32;
  }
  const double rel = (h + 2 + 4 * c.exp_ulps + std::fabs(xj - r.max) + spread) * kU32;
  double b = rel * ref + (2 + c.exp_ulps) * kF32Tiny;
  if (c.dtype != DType::f32) b += 0.5 * ulp(c.dtype, ref);
  return b;
}

std::vector<double> run(const Kernel& k, const std::vector<double>& x, std::size_t rows,
                        std::size_t cols, GuardedBuffer::Guard guard) {
  const DType t = k.contract.dtype;
  const Buffer in = Buffer::from_values(t, x);
  GuardedBuffer gx(in.size_bytes(), guard), gy(in.size_bytes(), guard);
  gx.fill_from(in.data());
  std::memset(gy.data(), 0xFF, gy.size_bytes());  // NaN pattern: an unwritten output shows
  std::get<RowwiseFn>(k.entry)(gx.data(), gy.data(), rows, cols);
  EXPECT_EQ(std::memcmp(gx.data(), in.data(), in.size_bytes()), 0) << "input modified";
  Buffer out(t, x.size());
  std::memcpy(out.data(), gy.data(), out.size_bytes());
  return out.values();
}

std::vector<double> run(const Kernel& k, const std::vector<double>& x, std::size_t rows = 1) {
  return run(k, x, rows, x.size() / rows, GuardedBuffer::Guard::after);
}

// Checks every row of y against the reference; returns the number of violations (printed).
int check_rows(const Kernel& k, const std::vector<double>& x, const std::vector<double>& y,
               std::size_t rows, const std::string& what) {
  const std::size_t n = x.size() / rows;
  int bad = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    const std::vector<double> xr(x.begin() + r * n, x.begin() + (r + 1) * n);
    const Reference ref = reference(k.contract.op, xr);
    for (std::size_t j = 0; j < n; ++j) {
      const double got = y[r * n + j], want = ref.y[j];
      if (got == want) continue;  // also -inf == -inf (masked log-probabilities)
      const double b = bound(k.contract, ref, j, xr[j], n);
      if (!(std::fabs(got - want) <= b) && bad++ < 5) {
        ADD_FAILURE() << k.contract.name << " " << what << " n=" << n << " row " << r << " j=" << j
                      << " x=" << hex(xr[j]) << " got " << hex(got) << " want " << hex(want)
                      << " |err|=" << std::fabs(got - want) << " bound " << b;
      }
    }
  }
  return bad;
}

std::vector<double> random_logits(DType t, std::size_t count, double lo, double hi,
                                  std::mt19937_64& rng) {
  std::uniform_real_distribution<double> dist(lo, hi);
  std::vector<double> x(count);
  for (double& v : x) v = round_to(t, dist(rng));
  return x;
}

class SimdKernel : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    k_ = &kernel_named(GetParam());
    if (auto why = k_->unrunnable_reason()) GTEST_SKIP() << "SKIPPED(" << *why << ")";
  }
  const Contract& c() const { return k_->contract; }
  bool log_op() const { return c().op == Op::log_softmax; }
  const Kernel* k_ = nullptr;
};

TEST_P(SimdKernel, AccuracyRandomRows) {
  const uint64_t seed = 20240605;
  std::mt19937_64 rng(seed);
  for (std::size_t n : {1, 2, 3, 15, 16, 17, 63, 64, 65, 100, 1000, 4096, 4099, 33000}) {
    for (double range : {1.0, 10.0, 60.0}) {
      const std::size_t rows = n > 4096 ? 1 : 3;
      const auto x = random_logits(c().dtype, rows * n, -range, range, rng);
      const auto y = run(*k_, x, rows);
      EXPECT_EQ(check_rows(*k_, x, y, rows, "random +-" + std::to_string(range)), 0)
          << "seed " << seed;
    }
  }
}

// Every length 1..129 covers the tails 1..2T+1 of every tile T = 4..64 (vector lanes 4..16 times
// up to 4 accumulators); the guard page sits right after (then right before) x and y.
TEST_P(SimdKernel, TailsBetweenGuardPages) {
  std::mt19937_64 rng(7);
  for (auto guard : {GuardedBuffer::Guard::after, GuardedBuffer::Guard::before}) {
    for (std::size_t n = 1; n <= 129; ++n) {
      for (std::size_t rows : {1, 2}) {
        const auto x = random_logits(c().dtype, rows * n, -8, 8, rng);
        const auto y = run(*k_, x, rows, n, guard);
        ASSERT_EQ(check_rows(*k_, x, y, rows, "tail"), 0) << "n=" << n << " rows=" << rows;
      }
    }
  }
}

TEST_P(SimdKernel, MaskedLogitsGiveExactZero) {
  std::mt19937_64 rng(11);
  for (std::size_t n : {2, 3, 7, 16, 33, 64, 130, 1000}) {
    auto x = random_logits(c().dtype, n, -5, 5, rng);
    for (std::size_t j = 0; j < n; j += 3) x[j] = -kInf;
    const auto y = run(*k_, x);
    for (std::size_t j = 0; j < n; ++j) {
      if (j % 3 == 0) {
        EXPECT_EQ(y[j], log_op() ? -kInf : 0.0) << "n=" << n << " masked j=" << j;
        if (!log_op()) {
          EXPECT_FALSE(std::signbit(y[j])) << "-0 at masked j=" << j;
        }
      } else {
        EXPECT_TRUE(std::isfinite(y[j])) << "n=" << n << " j=" << j;
      }
    }
    EXPECT_EQ(check_rows(*k_, x, y, 1, "masked"), 0);
  }
}

TEST_P(SimdKernel, AllMaskedRowFollowsPolicy) {
  ASSERT_EQ(c().all_masked, MaskedRowPolicy::nan);
  for (std::size_t n : {1, 5, 16, 100}) {
    const auto y = run(*k_, std::vector<double>(n, -kInf));
    for (double v : y) EXPECT_TRUE(std::isnan(v)) << "n=" << n << " got " << hex(v);
  }
}

// A NaN or +inf logit must not give a row of finite probabilities; these kernels make the whole
// row NaN (the exp propagates NaN into the sum; inf - inf is NaN).
TEST_P(SimdKernel, NaNAndInfPoisonTheRow) {
  for (double special : {std::numeric_limits<double>::quiet_NaN(), kInf}) {
    for (std::size_t n : {1, 4, 17, 100}) {
      for (std::size_t at : {std::size_t{0}, n / 2, n - 1}) {
        std::vector<double> x(n, 0.5);
        x[at] = special;
        const auto y = run(*k_, x);
        for (std::size_t j = 0; j < n; ++j) {
          EXPECT_TRUE(std::isnan(y[j]))
              << hex(special) << " at " << at << ", n=" << n << ": y[" << j << "] = " << hex(y[j]);
        }
      }
    }
  }
}

// A batch gives bitwise the rows computed one at a time (the kernels take the next row's max
// while finishing the current one): rows with different maxima, a masked row, a NaN row.
TEST_P(SimdKernel, RowsOfABatchAreIndependent) {
  std::mt19937_64 rng(23);
  const double top = c().dtype == DType::f16 ? 6e4 : 1e4;
  for (std::size_t n : {1, 7, 16, 40, 64, 129, 1000}) {
    std::vector<double> x;
    for (double offset : {0.0, top, -top, 0.0, 30.0, 0.0}) {
      const auto row = random_logits(c().dtype, n, offset - 5, offset + 5, rng);
      x.insert(x.end(), row.begin(), row.end());
    }
    std::fill(x.begin() + 3 * n, x.begin() + 4 * n, -kInf);       // row 3: all masked
    x[5 * n + n / 2] = std::numeric_limits<double>::quiet_NaN();  // row 5: one NaN
    const std::size_t rows = x.size() / n;
    const auto batch = run(*k_, x, rows);
    for (std::size_t r = 0; r < rows; ++r) {
      const std::vector<double> xr(x.begin() + r * n, x.begin() + (r + 1) * n);
      const auto alone = run(*k_, xr);
      for (std::size_t j = 0; j < n; ++j) {
        ASSERT_EQ(std::memcmp(&batch[r * n + j], &alone[j], sizeof(double)), 0)
            << "n=" << n << " row " << r << " j=" << j << ": batch " << hex(batch[r * n + j])
            << ", alone " << hex(alone[j]);
      }
    }
  }
}

// Offsets far beyond exp's overflow threshold (88.72) must not overflow: the max is subtracted.
TEST_P(SimdKernel, LargeOffsetsDoNotOverflow) {
  std::mt19937_64 rng(13);
  const double top = c().dtype == DType::f16 ? 6e4 : 1e4;  // f16 max is 65504
  for (double offset : {top, -top, 80.0, 88.72, 100.0, -100.0}) {
    for (std::size_t n : {5, 64, 1000}) {
      const auto x = random_logits(c().dtype, n, offset - 20, offset + 20, rng);
      const auto y = run(*k_, x);
      for (double v : y) ASSERT_TRUE(std::isfinite(v)) << "offset " << offset << " n=" << n;
      EXPECT_EQ(check_rows(*k_, x, y, 1, "offset " + std::to_string(offset)), 0);
    }
  }
}

// Exact facts (error-model.md): n = 1 gives 1 (log: 0); k equal logits, k a power of two, give
// exactly 1/k (log: -log k within the bound); equal logits give bitwise-equal outputs.
TEST_P(SimdKernel, ExactCases) {
  for (double v : {-3.0, 0.0, 7.5}) EXPECT_EQ(run(*k_, {v})[0], log_op() ? 0.0 : 1.0) << v;
  for (std::size_t k : {2, 4, 8, 16, 64, 256, 1024}) {
    const auto y = run(*k_, std::vector<double>(k, 1.25));
    for (double v : y) {
      if (log_op()) {
        EXPECT_NEAR(v, -std::log(static_cast<double>(k)), 4 * kU32 * std::log(k)) << "k=" << k;
      } else {
        EXPECT_EQ(v, 1.0 / static_cast<double>(k)) << "k=" << k;
      }
    }
  }
  std::mt19937_64 rng(17);
  for (std::size_t n : {3, 20, 77}) {
    auto x = random_logits(c().dtype, n, -4, 4, rng);
    for (std::size_t j = 1; j < n; j += 2) x[j] = x[0];
    const auto y = run(*k_, x);
    for (std::size_t j = 1; j < n; j += 2) EXPECT_EQ(y[j], y[0]) << "tie at j=" << j;
  }
}

// exp(x_j - a) below the normal range stays subnormal (flushes_subnormals = false) and tiny
// differences (< -104) give exact zeros, not garbage from the exponent arithmetic.
TEST_P(SimdKernel, VeryNegativeDifferences) {
  ASSERT_FALSE(c().flushes_subnormals);
  std::vector<double> x = {0.0, -20.0, -87.0, -90.0, -95.5, -100.0, -103.9, -104.5, -150.0, -1e4};
  for (double& v : x) v = round_to(c().dtype, v);
  const auto y = run(*k_, x);
  EXPECT_EQ(check_rows(*k_, x, y, 1, "very negative"), 0);
  if (c().dtype == DType::f32 && !log_op()) {
    EXPECT_GT(y[3], 0.0) << "exp(-90) is a normal-range f32 result";
    EXPECT_GT(y[5], 0.0) << "exp(-100) ~ 3.7e-44 is an f32 subnormal, not 0";
    EXPECT_EQ(y[7], 0.0);
    EXPECT_EQ(y[9], 0.0);
  }
}

std::vector<std::string> names() {
  std::vector<std::string> v;
  for (const Kernel& k : simd_list()) v.push_back(k.contract.name);
  return v;
}

INSTANTIATE_TEST_SUITE_P(Simd, SimdKernel, ::testing::ValuesIn(names()),
                         [](const auto& info) { return info.param; });

// The registration itself: every compiled target of every op/dtype, plus one dispatch kernel each,
// with the contract facts the property catalogue reads.
TEST(SimdRegistry, OneKernelPerTargetAndDispatch) {
  const auto targets = simd_compiled_targets();
  ASSERT_GE(targets.size(), 2u);
  for (const char* family : {"f32_softmax_shifted", "f32_log_softmax_shifted",
                             "f16_softmax_shifted", "bf16_softmax_shifted"}) {
    for (const std::string& isa : targets) {
      const Kernel& k = kernel_named(std::string(family) + "__" + isa);
      EXPECT_EQ(k.contract.isa, isa);
      EXPECT_EQ(k.contract.summation, Summation::k_lane);
      EXPECT_EQ(k.contract.accum, DType::f32);
      EXPECT_GE(k.contract.lanes, 4);
      EXPECT_GE(k.contract.exp_ulps, 1.0);
      EXPECT_TRUE(std::holds_alternative<RowwiseFn>(k.entry));
      if (!simd_target_supported(isa))
        std::printf("[  NOTE    ] %s: target not supported\n", k.contract.name.c_str());
    }
    EXPECT_EQ(kernel_named(std::string(family) + "__dispatch").contract.isa, "dispatch");
  }
#if defined(__x86_64__)
  for (const char* isa : {"avx3", "avx2", "sse4"}) {
    EXPECT_NE(std::find(targets.begin(), targets.end(), isa), targets.end()) << isa;
  }
#endif
  EXPECT_TRUE(simd_target_supported("dispatch"));
  EXPECT_TRUE(simd_target_supported("scalar")) << "impl/scalar kernels are not SIMD targets";
  for (const std::string& isa : targets) {
    const bool cpu = simd_target_supported(isa);
    std::printf("[  NOTE    ] target %s: %s\n", isa.c_str(), cpu ? "supported" : "not supported");
  }
}

// The dispatch kernels compute bitwise what the best supported target computes, and carry its
// contract factors.
TEST(SimdRegistry, DispatchComputesWhatTheBestTargetComputes) {
  const std::string best = simd_best_target();
  ASSERT_TRUE(simd_target_supported(best)) << best;
  std::mt19937_64 rng(19);
  for (const char* family : {"f32_softmax_shifted", "f32_log_softmax_shifted",
                             "f16_softmax_shifted", "bf16_softmax_shifted"}) {
    const Kernel& dispatch = kernel_named(std::string(family) + "__dispatch");
    const Kernel& direct = kernel_named(std::string(family) + "__" + best);
    EXPECT_EQ(dispatch.contract.lanes, direct.contract.lanes);
    EXPECT_EQ(dispatch.contract.exp_ulps, direct.contract.exp_ulps);
    for (std::size_t n : {1, 13, 200, 5000}) {
      const auto x = random_logits(dispatch.contract.dtype, 2 * n, -30, 30, rng);
      const auto a = run(dispatch, x, 2), b = run(direct, x, 2);
      for (std::size_t j = 0; j < a.size(); ++j) {
        ASSERT_EQ(std::memcmp(&a[j], &b[j], sizeof(double)), 0) << family << " j=" << j;
      }
    }
  }
}

}  // namespace
}  // namespace softcheck
