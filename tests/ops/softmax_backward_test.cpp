// Self-checks of the impl/ops softmax backward kernels (f32, f64) against a long double reference,
// with the bound of impl/ops/softmax_backward.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "tests/ops/ops_test_support.hpp"

namespace softcheck::testing {
namespace {

const char* const kBackwardKernels[] = {"f32_softmax_backward_shifted__scalar",
                                        "f64_softmax_backward_shifted__scalar"};

// A forward output y: the reference softmax of random logits, rounded to t (the kernel only sees y,
// which need not sum to exactly 1; the reference uses the same rounded y).
std::vector<double> forward_output(std::mt19937_64& g, DType t, std::size_t n, double spread) {
  const std::vector<double> x = uniform_row(g, t, n, -spread, spread);
  std::vector<double> y;
  for (LD p : ref_softmax(x)) y.push_back(round_to(t, static_cast<double>(p)));
  return y;
}

struct Sums {
  LD s_abs = 0;  // sum |dy_i y_i|
  LD dot = 0;    // <dy, y>
};

Sums sums(const std::vector<double>& y, const std::vector<double>& dy) {
  Sums s;
  for (std::size_t i = 0; i < y.size(); ++i) {
    s.s_abs += std::fabs(LD{dy[i]} * y[i]);
    s.dot += LD{dy[i]} * y[i];
  }
  return s;
}

TEST(SoftmaxBackward, WithinBoundOfLongDoubleReference) {
  for (const char* name : kBackwardKernels) {
    const Kernel& k = ops_kernel(name);
    const DType t = k.contract.dtype;
    std::mt19937_64 g(0xbac4);
    double worst = 0;
    for (std::size_t n : {1, 2, 3, 16, 100, 1000}) {
      for (double spread : {1.0, 30.0}) {
        // Several rows in one call, so a wrong row stride would show.
        const std::size_t rows = 3;
        std::vector<double> y, dy;
        for (std::size_t r = 0; r < rows; ++r) {
          const std::vector<double> yr = forward_output(g, t, n, spread);
          const std::vector<double> dyr = uniform_row(g, t, n, -1, 1);
          y.insert(y.end(), yr.begin(), yr.end());
          dy.insert(dy.end(), dyr.begin(), dyr.end());
        }
        const std::vector<double> got = run_backward(k, rows, n, y, dy);
        for (std::size_t r = 0; r < rows; ++r) {
          const std::vector<double> yr(y.begin() + r * n, y.begin() + (r + 1) * n);
          const std::vector<double> dyr(dy.begin() + r * n, dy.begin() + (r + 1) * n);
          const std::vector<LD> ref = ref_backward(yr, dyr);
          const Sums s = sums(yr, dyr);
          for (std::size_t j = 0; j < n; ++j) {
            const double bound = backward_bound(k.contract, n, yr[j], static_cast<double>(s.s_abs),
                                                static_cast<double>(dyr[j] - s.dot));
            const double err = static_cast<double>(std::fabs(got[r * n + j] - ref[j]));
            EXPECT_LE(err, bound) << name << " n=" << n << " r=" << r << " j=" << j;
            if (bound > 0) worst = std::max(worst, err / bound);
          }
        }
      }
    }
    std::printf("%s: max error %.3f of the bound\n", name, worst);
  }
}

// The null direction of J = diag(y) - y y^T: backward(1) = y (1 - sum y), which is 0 up to the
// rounding of y and the bound of the dot product.
TEST(SoftmaxBackward, OnesGiveZero) {
  for (const char* name : kBackwardKernels) {
    const Kernel& k = ops_kernel(name);
    const DType t = k.contract.dtype;
    std::mt19937_64 g(0x0e5);
    for (std::size_t n : {2, 7, 64, 1000}) {
      const std::vector<double> y = forward_output(g, t, n, 5);
      const std::vector<double> ones(n, 1.0);
      const std::vector<double> got = run_backward(k, 1, n, y, ones);
      const Sums s = sums(y, ones);  // s_abs = dot = sum y
      const LD off = 1 - s.dot;      // y's own deviation from summing to 1
      for (std::size_t j = 0; j < n; ++j) {
        const double allowed = static_cast<double>(std::fabs(y[j] * off)) +
                               backward_bound(k.contract, n, y[j], static_cast<double>(s.s_abs),
                                              static_cast<double>(off));
        EXPECT_LE(std::fabs(got[j]), allowed) << name << " n=" << n << " j=" << j;
      }
    }
  }
}

TEST(SoftmaxBackward, NanPropagatesToTheRow) {
  for (const char* name : kBackwardKernels) {
    const Kernel& k = ops_kernel(name);
    const std::vector<double> y = {0.25, 0.5, 0.25, 0.5, 0.25, 0.25};
    const std::vector<double> dy = {1, kNaN, 2, 1, 2, 3};
    const std::vector<double> got = run_backward(k, 2, 3, y, dy);
    for (std::size_t j = 0; j < 3; ++j) EXPECT_TRUE(std::isnan(got[j])) << name;
    // The second row is exact: <dy, y> = 0.5 + 0.5 + 0.75 = 1.75.
    EXPECT_EQ(got[3], 0.5 * (1 - 1.75)) << name;
    EXPECT_EQ(got[4], 0.25 * (2 - 1.75)) << name;
    EXPECT_EQ(got[5], 0.25 * (3 - 1.75)) << name;
  }
}

}  // namespace
}  // namespace softcheck::testing
