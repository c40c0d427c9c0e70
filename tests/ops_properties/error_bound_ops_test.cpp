// The bounds of the derived ops follow their derivations (properties/error_bound_ops.cpp) term by
// term, and relate to each other as the derivations say.
#include "properties/error_bound_ops.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace softcheck {
namespace {

Contract contract(Op op, DType t = DType::f32) {
  Contract c;
  c.op = op;
  c.dtype = t;
  c.accum = t == DType::f16 || t == DType::bf16 ? DType::f32 : t;
  c.algorithm = Algorithm::shifted;
  c.summation = Summation::serial;
  c.exp_ulps = 1;
  c.log_ulps = 1;
  return c;
}

double gamma(double k, double u) { return k * u / (1 - k * u); }

TEST(LogSoftmaxBound, EqualLogitsFollowTheFormula) {
  // n = 8 equal logits: l_j = -ln 8, S = 0, log s = ln 8:
  // K = 2 ln 8 + (n - 1) + 0 + 2E + 2E_log ln 8 with E = E_log = 1.
  const std::vector<double> x(8, 5.0), l(8, -std::log(8.0));
  const RowBound b = log_softmax_row_bound(contract(Op::log_softmax), x, l);
  const double k = 2 * std::log(8.0) + 7 + 2 + 2 * std::log(8.0);
  const double u = 0x1p-24, underflow = 8 * 2 * 0x1p-149;
  for (std::size_t j = 0; j < 8; ++j) {
    EXPECT_DOUBLE_EQ(b.factor[j], k);
    EXPECT_DOUBLE_EQ(b.abs[j], gamma(k, u) + underflow);
  }
}

TEST(LogSoftmaxBound, DoesNotGrowWithTheOffset) {
  // The shifted form cancels the offset exactly before rounding: the bound depends on x - max only
  // (the x - (max + log sum) bug's error grows with ulp(max) instead).
  const std::vector<double> x{0.5, -1.25, 2.0}, far{1e6 + 0.5, 1e6 - 1.25, 1e6 + 2.0};
  const std::vector<double> l{-1.7, -3.45, -0.2};
  const Contract c = contract(Op::log_softmax);
  EXPECT_EQ(log_softmax_row_bound(c, x, l).abs, log_softmax_row_bound(c, far, l).abs);
}

TEST(LogSoftmaxBound, NaiveFormCarriesTheLseMagnitude) {
  Contract c = contract(Op::log_softmax);
  c.algorithm = Algorithm::naive;
  const std::vector<double> x{60.0, 59.0}, l{-0.3133, -1.3133};
  const RowBound b = log_softmax_row_bound(c, x, l);
  EXPECT_GT(b.factor[0], 2 * 60.0);  // 2E_log |lse| with lse ~ 60.3
}

TEST(LogSoftmaxBound, MasksAndNarrowStorage) {
  Contract c = contract(Op::log_softmax, DType::bf16);
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> x{0.0, -inf}, l{0.0, -inf};
  const RowBound b = log_softmax_row_bound(c, x, l);
  EXPECT_EQ(b.abs[1], 0.0);  // -inf must be exactly -inf
  // l = 0: K = h + 2E = 1 + 2 in f32, plus half an ulp of bf16 at 0 (its smallest subnormal).
  EXPECT_GE(b.abs[0], 0.5 * denorm_min(DType::bf16));
  EXPECT_LT(b.abs[0], 1e-6);
}

TEST(CrossEntropyBound, LossIsTheLogSoftmaxBoundOfTheLabel) {
  const Contract ce = contract(Op::cross_entropy), ls = contract(Op::log_softmax);
  const std::vector<double> x{1.0, 3.0, -2.0};
  double s = 0;
  for (double v : x) s += std::exp(v - 3.0);
  std::vector<double> l(3), p(3);
  for (std::size_t j = 0; j < 3; ++j) {
    l[j] = x[j] - 3.0 - std::log(s);
    p[j] = std::exp(l[j]);
  }
  const CrossEntropyBound b = cross_entropy_row_bound(ce, x, 0, p, -l[0]);
  EXPECT_DOUBLE_EQ(b.loss_abs, log_softmax_row_bound(ls, x, l).abs[0]);
  // dx = p off the label (the softmax bound); at the label one more rounding, of p_0 - 1.
  const RowBound sm = softmax_row_bound(ce, x, p);
  EXPECT_EQ(b.dx.abs[1], sm.abs[1]);
  EXPECT_DOUBLE_EQ(b.dx.abs[0], sm.abs[0] + 0x1p-24 * ((1 - p[0]) + sm.abs[0]));
  EXPECT_DOUBLE_EQ(b.dx.sum_abs, b.dx.abs[0] + b.dx.abs[1] + b.dx.abs[2]);
}

TEST(TemperatureBound, IsTheSoftmaxBoundWithTwoArgumentRoundings) {
  const Contract c = contract(Op::softmax_temp);
  const std::vector<double> x{0.0, -3.0, -1.0};
  const std::vector<double> p{0.7054, 0.0351, 0.2595};
  const double tau = 0.5;
  const RowBound t = softmax_temp_row_bound(c, x, tau, p);
  const RowBound s = softmax_row_bound(c, x, p);
  // Softmax: K_j = 1 + 2E + (max - x_j) + h + 2E + S. Temperature: the argument terms are those of
  // t = (x - max) / tau, times (2 + 2^-28).
  double s_x = 0;
  for (std::size_t i = 0; i < 3; ++i) s_x += p[i] * -x[i];
  for (std::size_t j = 0; j < 3; ++j) {
    const double args_soft = -x[j] + s_x, args_temp = (2 + 0x1p-28) * (-x[j] + s_x) / tau;
    EXPECT_NEAR(t.factor[j] - s.factor[j], args_temp - args_soft, 1e-12);
  }
  // tau = inf: every argument is 0, only summation, exps and division remain: h + 1 + 4E.
  const RowBound flat = softmax_temp_row_bound(c, x, std::numeric_limits<double>::infinity(),
                                               std::vector<double>(3, 1.0 / 3));
  for (double k : flat.factor) EXPECT_DOUBLE_EQ(k, 2 + 1 + 4);
}

TEST(TemperatureBound, OverflowingArgumentsKeepTheFloor) {
  // (x_j - max) / tau overflows double: the output is ~0, not a mask; the bound keeps the floor.
  const Contract c = contract(Op::softmax_temp);
  const std::vector<double> x{0.0, -1.0};
  const RowBound b = softmax_temp_row_bound(c, x, 1e-320, std::vector<double>{1.0, 0.0});
  EXPECT_GT(b.abs[1], 0.0);
  EXPECT_LT(b.abs[1], 1e-40);
}

TEST(BackwardBound, FollowsTheDotProductAnalysis) {
  const Contract c = contract(Op::softmax_backward);
  const std::vector<double> y{0.25, 0.75}, dy{2.0, -1.0};
  const double dot = 0.25 * 2 - 0.75, s_dot = 0.5 + 0.75, u = 0x1p-24;
  const RowBound b = softmax_backward_row_bound(c, y, dy);
  for (std::size_t j = 0; j < 2; ++j) {
    const double want =
        y[j] * (gamma(1 + 3, u) * s_dot + gamma(2, u) * std::fabs(dy[j] - dot) + 2 * 0x1p-149) +
        0x1p-149;
    EXPECT_DOUBLE_EQ(b.abs[j], want);
  }
  // y_j = 0 gives dx_j = 0 exactly up to underflow.
  const RowBound z = softmax_backward_row_bound(c, std::vector<double>{0.0, 1.0}, dy);
  EXPECT_EQ(z.abs[0], 0x1p-149);
}

TEST(OpBounds, UnsupportedAlgorithmsSayWhy) {
  Contract c = contract(Op::log_softmax);
  EXPECT_FALSE(op_bound_unsupported(c));
  c.algorithm = Algorithm::online;
  EXPECT_TRUE(op_bound_unsupported(c));
  c.op = Op::softmax_temp;
  EXPECT_FALSE(op_bound_unsupported(c));
  c.algorithm = Algorithm::naive;
  EXPECT_TRUE(op_bound_unsupported(c));
  c.op = Op::softmax_backward;
  EXPECT_FALSE(op_bound_unsupported(c));
}

}  // namespace
}  // namespace softcheck
