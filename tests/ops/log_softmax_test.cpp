// Self-checks of the impl/ops log-softmax kernels (f32, f64, f16, bf16) against a long double
// reference, with the absolute bound of impl/ops/log_softmax.cpp; the largest error is printed in
// units of the bound, also when passing.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "tests/ops/ops_test_support.hpp"

namespace softcheck::testing {
namespace {

const char* const kLogSoftmaxKernels[] = {
    "f32_log_softmax_shifted__scalar", "f64_log_softmax_shifted__scalar",
    "f16_log_softmax_shifted__scalar", "bf16_log_softmax_shifted__scalar"};

struct Case {
  std::string what;
  std::vector<double> x;
};

// A handful of rows per format: random rows at several lengths, large offsets with a small spread,
// a wide spread, a dominant logit, values near the exp overflow argument, -inf masks.
std::vector<Case> cases(DType t) {
  std::mt19937_64 g(0x5eed0004);
  std::vector<Case> cs;
  const double range = t == DType::f16 ? 8 : 10;
  for (std::size_t n : {1, 2, 3, 5, 16, 33, 100, 1000})
    cs.push_back({"uniform n=" + std::to_string(n), uniform_row(g, t, n, -range, range)});
  // Offsets: +-1e7 in f32/f64 (f32 ulp there is 1), +-1e3 in the 16-bit formats (f16 cannot hold
  // 1e7; bf16 ulp at 1e3 is 4). The spread is a few steps of max(ulp, 1/4).
  const double offset = (t == DType::f32 || t == DType::f64) ? 1e7 : 1e3;
  for (double c : {offset, -offset}) {
    const double step = std::max(ulp(t, c), 0.25);
    std::vector<double> x;
    for (int k : {0, 1, 2, 3, 1, 0}) x.push_back(round_to(t, c + k * step));
    cs.push_back({"offset " + hex(c), x});
  }
  const double wide = t == DType::f64 ? 800 : t == DType::f16 ? 20 : 200;
  cs.push_back({"wide spread", {0, -wide, -wide / 2, round_to(t, -wide * 0.99)}});
  const double big = t == DType::f16 ? 10 : 50;
  cs.push_back({"dominant", {big, 0, 0, 0, 0, 0, 0, 0}});
  const double top = t == DType::f64 ? 709 : t == DType::f16 ? 11 : 88;
  cs.push_back({"near exp overflow", {top, top - 0.5, top - 8, -top}});
  cs.push_back({"masked", {1, -kInf, 2, -kInf, 0.5}});
  return cs;
}

TEST(LogSoftmax, WithinAbsoluteBoundOfLongDoubleReference) {
  for (const char* name : kLogSoftmaxKernels) {
    const Kernel& k = ops_kernel(name);
    double worst = 0;  // max |error| / bound
    std::string worst_case;
    for (const Case& c : cases(k.contract.dtype)) {
      const std::size_t n = c.x.size();
      const std::vector<double> got = run_rowwise(k, 1, n, c.x);
      const std::vector<LD> ref = ref_log_softmax(c.x);
      const double delta = finite_spread(c.x);
      for (std::size_t j = 0; j < n; ++j) {
        if (std::isinf(c.x[j])) {
          EXPECT_EQ(got[j], -kInf) << name << " " << c.what << " j=" << j;
          continue;
        }
        const double bound = log_softmax_bound(k.contract, n, delta, ref[j]);
        const double err = static_cast<double>(std::fabs(LD{got[j]} - ref[j]));
        EXPECT_LE(err, bound) << name << " " << c.what << " j=" << j << " x=" << hex_list(c.x)
                              << " got " << hex(got[j]) << " ref "
                              << hex(static_cast<double>(ref[j]));
        if (err / bound > worst) worst = err / bound, worst_case = c.what;
      }
    }
    std::printf("%s: max error %.3f of the bound (%s)\n", name, worst, worst_case.c_str());
  }
}

// The known bug class returns x minus a whole number there; the true values are -ln(sum) - k, never
// integers.
TEST(LogSoftmax, LargeOffsetsKeepFractionalLogProbabilities) {
  for (const char* name : {"f32_log_softmax_shifted__scalar", "f64_log_softmax_shifted__scalar"}) {
    const Kernel& k = ops_kernel(name);
    for (double c : {1e7, -1e7}) {
      const std::vector<double> x = {c, c + 1, c + 2, c + 3};
      const std::vector<double> got = run_rowwise(k, 1, x.size(), x);
      const std::vector<LD> ref = ref_log_softmax(x);
      for (std::size_t j = 0; j < x.size(); ++j) {
        EXPECT_NE(got[j], std::round(got[j])) << name << " offset " << c << " j=" << j;
        EXPECT_LE(static_cast<double>(std::fabs(got[j] - ref[j])),
                  log_softmax_bound(k.contract, x.size(), 3, ref[j]))
            << name << " offset " << c << " j=" << j;
      }
    }
  }
}

// l_j <= 0 (a positive log-probability is a defect; a peer returned +1.4e-6) and finite for finite
// inputs, over many random rows mixing scales, plus the rows where log(softmax) would give -inf.
TEST(LogSoftmax, NonPositiveAndFiniteForFiniteRows) {
  for (const char* name : kLogSoftmaxKernels) {
    const Kernel& k = ops_kernel(name);
    const DType t = k.contract.dtype;
    std::mt19937_64 g(0x10950f7);
    std::uniform_int_distribution<std::size_t> len(1, 64);
    std::uniform_int_distribution<int> scale_exp(-4, t == DType::f16 ? 3 : 6);
    std::size_t checked = 0;
    for (int r = 0; r < 500; ++r) {
      const std::size_t n = len(g);
      const double s = std::ldexp(1.0, scale_exp(g));
      std::vector<double> x = uniform_row(g, t, n, -s, s);
      // One entry at the top of the range: a dominant logit, l close to 0 from below.
      x[std::uniform_int_distribution<std::size_t>(0, n - 1)(g)] = round_to(t, s);
      const std::vector<double> got = run_rowwise(k, 1, n, x);
      for (std::size_t j = 0; j < n; ++j, ++checked) {
        ASSERT_LE(got[j], 0.0) << name << " x=" << hex_list(x) << " j=" << j;
        ASSERT_TRUE(std::isfinite(got[j])) << name << " x=" << hex_list(x) << " j=" << j;
      }
    }
    // exp(-200) is 0 in f32 (and -20 in f16 is below its underflow, -17.3): still finite here.
    const double gap = t == DType::f16 ? -20 : t == DType::f64 ? -800 : -200;
    const std::vector<double> x = {0, gap};
    const std::vector<double> got = run_rowwise(k, 1, 2, x);
    EXPECT_EQ(got[0], 0.0) << name;  // 1 + exp(gap) rounds to 1 in the accum format: log(1) = 0
    EXPECT_EQ(got[1], gap) << name;  // gap - log(1 + exp(gap)) rounds to gap in every format
    std::printf("%s: %zu outputs <= 0 and finite\n", name, checked);
  }
}

TEST(LogSoftmax, SpecialValues) {
  for (const char* name : kLogSoftmaxKernels) {
    const Kernel& k = ops_kernel(name);
    // n = 1: x - x - log(1) = 0 exactly.
    EXPECT_EQ(run_rowwise(k, 1, 1, std::vector<double>{3.5})[0], 0.0) << name;
    // A row with NaN or +inf anywhere is NaN throughout; an all -inf row is NaN (policy nan).
    for (const std::vector<double>& x :
         {std::vector<double>{kNaN, 1, 2}, std::vector<double>{1, kNaN, 2},
          std::vector<double>{1, 2, kNaN}, std::vector<double>{1, kInf, 2},
          std::vector<double>{-kInf, -kInf, -kInf}}) {
      for (double v : run_rowwise(k, 1, x.size(), x))
        EXPECT_TRUE(std::isnan(v)) << name << " x=" << hex_list(x);
    }
    // Rows are independent: a NaN row next to finite rows leaves them exact.
    const std::vector<double> rows = {1, 2, 3, kNaN, 0, 0, 0.5, -kInf, 1};
    const std::vector<double> got = run_rowwise(k, 3, 3, rows);
    const std::vector<double> row0 = run_rowwise(k, 1, 3, std::span(rows).subspan(0, 3));
    const std::vector<double> row2 = run_rowwise(k, 1, 3, std::span(rows).subspan(6, 3));
    for (std::size_t j = 0; j < 3; ++j) {
      EXPECT_EQ(got[j], row0[j]) << name;
      EXPECT_TRUE(std::isnan(got[3 + j])) << name;
      EXPECT_EQ(got[6 + j], row2[j]) << name;
    }
    EXPECT_EQ(got[7], -kInf) << name;
  }
}

}  // namespace
}  // namespace softcheck::testing
