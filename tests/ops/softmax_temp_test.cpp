// Self-checks of the impl/ops temperature softmax kernels (f32, f64) against a long double
// reference, with the bound of impl/ops/softmax_temp.cpp, and its exact limits.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "tests/ops/ops_test_support.hpp"

namespace softcheck::testing {
namespace {

const char* const kTempKernels[] = {"f32_softmax_temp_shifted__scalar",
                                    "f64_softmax_temp_shifted__scalar"};

// (2 + 2^-28): the shift and the quotient are each rounded (softmax_temp.cpp).
const double kTempShiftScale = 2 + std::ldexp(1.0, -28);

TEST(SoftmaxTemp, WithinRelativeBoundOfLongDoubleReference) {
  for (const char* name : kTempKernels) {
    const Kernel& k = ops_kernel(name);
    const DType t = k.contract.dtype;
    std::mt19937_64 g(0x7e3);
    double worst = 0;
    for (std::size_t n : {1, 2, 5, 64, 1000}) {
      const std::vector<double> x = uniform_row(g, t, n, -10, 10);
      for (double tau : {1e-3, 0.1, 0.7, 1.0, 3.0, 1e3}) {
        const std::vector<double> got = run_temp(k, 1, n, x, tau);
        const std::vector<LD> ref = ref_softmax(x, tau);
        const LD a = row_max(x);
        const double delta = finite_spread(x) / tau;
        for (std::size_t j = 0; j < n; ++j) {
          const double d_j = static_cast<double>((a - x[j]) / tau);
          const double rel = softmax_rel_bound(k.contract, n, d_j, delta, kTempShiftScale);
          const double bound =
              static_cast<double>(ref[j]) * rel + softmax_underflow_floor(k.contract);
          const double err = static_cast<double>(std::fabs(got[j] - ref[j]));
          EXPECT_LE(err, bound) << name << " n=" << n << " tau=" << tau << " j=" << j;
          worst = std::max(worst, err / bound);
        }
      }
    }
    std::printf("%s: max error %.3f of the bound\n", name, worst);
  }
}

// tau -> inf: every t_j rounds into (-ulp(1)/2, 0], exp gives exactly 1, the sum is exactly n and
// every output is fl(1/n): exactly uniform (exactly 1/8 for n = 8).
TEST(SoftmaxTemp, LargeTauIsExactlyUniform) {
  for (const char* name : kTempKernels) {
    const Kernel& k = ops_kernel(name);
    const DType t = k.contract.dtype;
    std::mt19937_64 g(0x1a);
    for (std::size_t n : {8, 10}) {
      const std::vector<double> x = uniform_row(g, t, n, -10, 10);
      for (double tau : {1e30, kInf}) {
        const std::vector<double> got = run_temp(k, 1, n, x, tau);
        for (double v : got) EXPECT_EQ(v, round_to(t, 1.0 / n)) << name << " n=" << n;
      }
    }
    // tau = inf with a masked entry: the mask stays exactly 0, the rest is uniform.
    const std::vector<double> got = run_temp(k, 1, 5, std::vector<double>{1, -kInf, 2, 3, 4}, kInf);
    EXPECT_EQ(got[1], 0.0) << name;
    for (std::size_t j : {0, 2, 3, 4}) EXPECT_EQ(got[j], 0.25) << name;
  }
}

// tau -> 0: one-hot on a unique argmax; k tied maxima share exactly equal (bitwise) parts, 1/k when
// k is a power of two.
TEST(SoftmaxTemp, SmallTauIsExactlyOneHotOrEqualShares) {
  for (const char* name : kTempKernels) {
    const Kernel& k = ops_kernel(name);
    const std::vector<double> unique = {0.5, 3, -1, 2.75, 3.25, 0};
    std::vector<double> got = run_temp(k, 1, unique.size(), unique, 1e-30);
    for (std::size_t j = 0; j < unique.size(); ++j) EXPECT_EQ(got[j], j == 4 ? 1.0 : 0.0) << name;

    const std::vector<double> four = {3, 1, 3, 3, -2, 3};
    got = run_temp(k, 1, four.size(), four, 1e-30);
    for (std::size_t j = 0; j < four.size(); ++j) EXPECT_EQ(got[j], four[j] == 3 ? 0.25 : 0.0);

    const std::vector<double> three = {7, 7, 1, 7};
    got = run_temp(k, 1, three.size(), three, 1e-30);
    EXPECT_EQ(got[0], got[1]) << name;
    EXPECT_EQ(got[0], got[3]) << name;
    EXPECT_EQ(got[0], round_to(k.contract.dtype, 1.0 / 3)) << name;
    EXPECT_EQ(got[2], 0.0) << name;
  }
  // f32: exactly one-hot once (xmax - x_j) / tau > 103.97 (exp rounds to 0 below -103.97208).
  const Kernel& k = ops_kernel("f32_softmax_temp_shifted__scalar");
  const std::vector<double> got = run_temp(k, 1, 2, std::vector<double>{1, 0}, 1.0 / 104.0);
  EXPECT_EQ(got[0], 1.0);
  EXPECT_EQ(got[1], 0.0);
}

// The shift comes before the division, so adding c with every x_i + c exact leaves the output
// bitwise unchanged (softmax_temp.cpp).
TEST(SoftmaxTemp, ShiftInvariantBitwise) {
  for (const char* name : kTempKernels) {
    const Kernel& k = ops_kernel(name);
    const std::vector<double> x = {0.5, -1.25, 3, 2.75, -7.5};  // multiples of 1/4
    for (double c : {64.0, -1024.0, 4096.0}) {
      std::vector<double> xc = x;
      for (double& v : xc) v += c;  // exact in f32 and f64
      for (double tau : {0.3, 1.0, 7.0}) {
        const std::vector<double> a = run_temp(k, 1, x.size(), x, tau);
        const std::vector<double> b = run_temp(k, 1, x.size(), xc, tau);
        for (std::size_t j = 0; j < x.size(); ++j)
          EXPECT_EQ(a[j], b[j]) << name << " c=" << c << " tau=" << tau << " j=" << j;
      }
    }
  }
}

TEST(SoftmaxTemp, InvalidTauAndSpecialValues) {
  for (const char* name : kTempKernels) {
    const Kernel& k = ops_kernel(name);
    const std::vector<double> x = {1, 2, 3};
    for (double tau : {0.0, -0.0, -1.0, kNaN, -kInf})
      for (double v : run_temp(k, 1, 3, x, tau)) EXPECT_TRUE(std::isnan(v)) << name << " " << tau;
    for (const std::vector<double>& bad :
         {std::vector<double>{1, kNaN, 2}, std::vector<double>{kInf, 0, 2},
          std::vector<double>{-kInf, -kInf, -kInf}})
      for (double v : run_temp(k, 1, 3, bad, 0.5))
        EXPECT_TRUE(std::isnan(v)) << name << " x=" << hex_list(bad);
    const std::vector<double> masked = run_temp(k, 1, 3, std::vector<double>{1, -kInf, 2}, 0.5);
    EXPECT_EQ(masked[1], 0.0) << name;
  }
}

}  // namespace
}  // namespace softcheck::testing
