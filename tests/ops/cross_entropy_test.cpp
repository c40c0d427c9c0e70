// Self-checks of the impl/ops fused cross-entropy kernels (f32, f64) against a long double
// reference, with the bounds of impl/ops/cross_entropy.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "tests/ops/ops_test_support.hpp"

namespace softcheck::testing {
namespace {

const char* const kCrossEntropyKernels[] = {"f32_cross_entropy_shifted__scalar",
                                            "f64_cross_entropy_shifted__scalar"};

struct Case {
  std::string what;
  std::vector<double> x;
};

std::vector<Case> cases(DType t) {
  std::mt19937_64 g(0xce);
  std::vector<Case> cs;
  for (std::size_t n : {1, 2, 3, 16, 100, 1000})
    cs.push_back({"uniform n=" + std::to_string(n), uniform_row(g, t, n, -10, 10)});
  for (double c : {1e7, -1e7}) {
    const double step = std::max(ulp(t, c), 0.25);
    cs.push_back({"offset " + hex(c), {c, c + step, c + 2 * step, c + 3 * step, c + step}});
  }
  const double wide = t == DType::f64 ? 800 : 200;
  cs.push_back({"wide spread", {0, -wide, -wide / 2, 5}});
  cs.push_back({"dominant", {60, 0, 0, 0, 0}});
  cs.push_back({"masked", {1, -kInf, 2, -kInf, 0.5}});
  return cs;
}

// Checks every finite-label row of every case: loss and dx against the reference, loss >= 0,
// dx[label] in [-1, 0], and sum(dx) = 0 within the sum of the dx bounds.
TEST(CrossEntropy, LossAndGradientWithinBoundOfLongDoubleReference) {
  for (const char* name : kCrossEntropyKernels) {
    const Kernel& k = ops_kernel(name);
    double worst_loss = 0, worst_dx = 0;
    for (const Case& c : cases(k.contract.dtype)) {
      const std::size_t n = c.x.size();
      // One call per case with every finite position as a label: rows share x, differ in label.
      std::vector<double> x;
      std::vector<int64_t> labels;
      for (std::size_t l = 0; l < n && labels.size() < 8; ++l) {
        if (!std::isfinite(c.x[l])) continue;
        labels.push_back(static_cast<int64_t>(l));
        x.insert(x.end(), c.x.begin(), c.x.end());
      }
      const std::size_t rows = labels.size();
      const CrossEntropyOut got = run_cross_entropy(k, rows, n, x, labels);
      const std::vector<LD> p = ref_softmax(c.x);
      const LD a = row_max(c.x);
      const double delta = finite_spread(c.x);
      for (std::size_t r = 0; r < rows; ++r) {
        const auto label = static_cast<std::size_t>(labels[r]);
        const LD ref_loss = ref_cross_entropy_loss(c.x, label);
        const double loss_bound = log_softmax_bound(k.contract, n, delta, ref_loss);
        const double loss_err = static_cast<double>(std::fabs(got.loss[r] - ref_loss));
        EXPECT_LE(loss_err, loss_bound) << name << " " << c.what << " label=" << label;
        EXPECT_GE(got.loss[r], 0.0) << name << " " << c.what << " label=" << label;
        worst_loss = std::max(worst_loss, loss_err / loss_bound);
        LD sum = 0, sum_bound = 0;
        for (std::size_t j = 0; j < n; ++j) {
          const double dx = got.dx[r * n + j];
          sum += dx;
          const LD ref_dx = p[j] - (j == label ? 1 : 0);
          if (std::isinf(c.x[j])) {
            EXPECT_EQ(dx, 0.0) << name << " " << c.what << " j=" << j;  // exp(-inf) = 0
            continue;
          }
          const double d_j = static_cast<double>(a - c.x[j]);
          const double bound =
              static_cast<double>(p[j]) * softmax_rel_bound(k.contract, n, d_j, delta, 1.0) +
              unit_roundoff(k.contract.accum) * static_cast<double>(std::fabs(ref_dx)) +
              softmax_underflow_floor(k.contract);
          const double err = static_cast<double>(std::fabs(dx - ref_dx));
          EXPECT_LE(err, bound) << name << " " << c.what << " label=" << label << " j=" << j;
          if (bound > 0) worst_dx = std::max(worst_dx, err / bound);
          sum_bound += bound;
        }
        const double dl = got.dx[r * n + label];
        EXPECT_TRUE(dl >= -1 && dl <= 0) << name << " " << c.what << " dx[label]=" << hex(dl);
        EXPECT_LE(std::fabs(sum), sum_bound) << name << " " << c.what << " label=" << label;
      }
    }
    std::printf("%s: max error %.3f (loss), %.3f (dx) of the bound\n", name, worst_loss, worst_dx);
  }
}

TEST(CrossEntropy, LabelAtMaskedLogitGivesInfiniteLoss) {
  for (const char* name : kCrossEntropyKernels) {
    const Kernel& k = ops_kernel(name);
    const std::vector<double> x = {1, -kInf, 2};
    const std::vector<int64_t> labels = {1};
    const CrossEntropyOut got = run_cross_entropy(k, 1, 3, x, labels);
    EXPECT_EQ(got.loss[0], kInf) << name;  // -log(0)
    EXPECT_EQ(got.dx[1], -1.0) << name;    // p = 0 exactly, minus 1
    EXPECT_TRUE(std::isfinite(got.dx[0]) && std::isfinite(got.dx[2])) << name;
  }
}

// A label outside [0, cols) is a precondition violation: that row gets NaN loss and NaN dx, its
// neighbours are exactly what they are alone. Run under ASan (label `unit`), an out-of-bounds read
// at the label would be reported.
TEST(CrossEntropy, InvalidLabelGivesNanRowAndNoOutOfBoundsAccess) {
  for (const char* name : kCrossEntropyKernels) {
    const Kernel& k = ops_kernel(name);
    const std::vector<double> row = {0.5, -1, 2, 0.25};
    for (int64_t bad : {int64_t{-1}, int64_t{4}, int64_t{5}, std::numeric_limits<int64_t>::max(),
                        std::numeric_limits<int64_t>::min()}) {
      std::vector<double> x;
      for (int r = 0; r < 3; ++r) x.insert(x.end(), row.begin(), row.end());
      const std::vector<int64_t> labels = {2, bad, 0};
      const CrossEntropyOut got = run_cross_entropy(k, 3, 4, x, labels);
      const CrossEntropyOut alone2 = run_cross_entropy(k, 1, 4, row, std::vector<int64_t>{2});
      const CrossEntropyOut alone0 = run_cross_entropy(k, 1, 4, row, std::vector<int64_t>{0});
      EXPECT_TRUE(std::isnan(got.loss[1])) << name << " label " << bad;
      EXPECT_EQ(got.loss[0], alone2.loss[0]) << name;
      EXPECT_EQ(got.loss[2], alone0.loss[0]) << name;
      for (std::size_t j = 0; j < 4; ++j) {
        EXPECT_TRUE(std::isnan(got.dx[4 + j])) << name << " label " << bad << " j=" << j;
        EXPECT_EQ(got.dx[j], alone2.dx[j]) << name;
        EXPECT_EQ(got.dx[8 + j], alone0.dx[j]) << name;
      }
    }
    // cols = 0: every label is out of range.
    const CrossEntropyOut empty =
        run_cross_entropy(k, 1, 0, std::vector<double>{}, std::vector<int64_t>{0});
    EXPECT_TRUE(std::isnan(empty.loss[0])) << name;
  }
}

TEST(CrossEntropy, NanInfAndAllMaskedRowsAreNan) {
  for (const char* name : kCrossEntropyKernels) {
    const Kernel& k = ops_kernel(name);
    for (const std::vector<double>& x :
         {std::vector<double>{1, kNaN, 2}, std::vector<double>{kInf, 0, 2},
          std::vector<double>{-kInf, -kInf, -kInf}}) {
      const CrossEntropyOut got = run_cross_entropy(k, 1, 3, x, std::vector<int64_t>{2});
      EXPECT_TRUE(std::isnan(got.loss[0])) << name << " x=" << hex_list(x);
      for (double v : got.dx) EXPECT_TRUE(std::isnan(v)) << name << " x=" << hex_list(x);
    }
  }
}

}  // namespace
}  // namespace softcheck::testing
