// The bounds follow the formulas of docs/error-model.md term by term.
#include <cmath>

#include <gtest/gtest.h>

#include "properties/error_bound.hpp"

namespace softcheck {
namespace {

Contract contract(Algorithm a, Summation s = Summation::serial, int lanes = 1) {
  Contract c;
  c.algorithm = a;
  c.summation = s;
  c.lanes = lanes;
  c.exp_ulps = 0.5;  // correctly rounded exp, as BHH assume
  return c;
}

TEST(SummationHeight, MatchesTheTreeShapes) {
  EXPECT_EQ(summation_height(contract(Algorithm::shifted), 100), 99);
  EXPECT_EQ(summation_height(contract(Algorithm::shifted, Summation::pairwise), 100), 7);
  EXPECT_EQ(summation_height(contract(Algorithm::shifted, Summation::k_lane, 16), 100), 6 + 4);
}

TEST(SoftmaxBound, ShiftedMatchesBhhTheorem43ForEqualLogits) {
  // n equal logits: Delta = 0, S = 0, so K = 1 + 2E + h + 2E = h + 3 with E = 1/2:
  // BHH's (n + 2) u with h = n - 1.
  const std::vector<double> x(8, 3.0), p(8, 0.125);
  const RowBound b = softmax_row_bound(contract(Algorithm::shifted), x, p);
  for (double k : b.factor) EXPECT_DOUBLE_EQ(k, 7 + 3);
  const double u = 0x1p-24;
  EXPECT_NEAR(b.abs[0], 10 * u / (1 - 10 * u) * 0.125 + 1.5 * 0x1p-149, 1e-20);
}

TEST(SoftmaxBound, ShiftedGrowsWithDistanceFromMax) {
  const std::vector<double> x{0, -10};
  const double p0 = 1 / (1 + std::exp(-10.0)), p1 = 1 - p0;
  const RowBound b = softmax_row_bound(contract(Algorithm::shifted), x, std::vector<double>{p0, p1});
  EXPECT_NEAR(b.factor[1] - b.factor[0], 10.0, 1e-12);  // the |x_j - a| term
}

TEST(SoftmaxBound, DivisionFreeCarriesTheLseOffset) {
  const std::vector<double> x{1e4, 1e4 - 1};
  const std::vector<double> p{0.731, 0.269};
  const RowBound shifted = softmax_row_bound(contract(Algorithm::shifted), x, p);
  const RowBound lse = softmax_row_bound(contract(Algorithm::division_free), x, p);
  EXPECT_GT(lse.factor[0], 1e4);  // the |lse| u term of the addition a + log(s)
  EXPECT_LT(shifted.factor[0], 10);
}

TEST(SoftmaxBound, MixedPrecisionAddsHalfAnUlpOfTheOutput) {
  Contract c = contract(Algorithm::shifted);
  c.dtype = DType::bf16;
  c.accum = DType::f32;
  const std::vector<double> x(4096, 0.0), p(4096, 1.0 / 4096);
  const RowBound b = softmax_row_bound(c, x, p);
  // error-model.md: 0.5 + (n + 2 + 2 Delta) u32 / u_out ulps; bf16, n = 4096: about 0.56 ulp.
  const double ulps = b.abs[0] / ulp(DType::bf16, 1.0 / 4096);
  EXPECT_GT(ulps, 0.5);
  EXPECT_LT(ulps, 0.6);
}

TEST(SoftmaxBound, OnlineCountsRescales) {
  const std::vector<double> up{0, 1, 2, 3}, down{3, 2, 1, 0};
  const std::vector<double> p(4, 0.25);
  const Contract c = contract(Algorithm::online);
  EXPECT_GT(softmax_row_bound(c, up, p).factor[0], softmax_row_bound(c, down, p).factor[0]);
}

TEST(Domain, NaiveDomainStopsAtOverflow) {
  Contract c = contract(Algorithm::naive);
  c.domain.max_logit = 88.0;
  c.domain.min_row_max = -87.0;
  EXPECT_TRUE(in_domain(c, std::vector<double>{88.0, -1000}));
  EXPECT_FALSE(in_domain(c, std::vector<double>{88.5}));
  EXPECT_FALSE(in_domain(c, std::vector<double>{-90, -95}));
}

}  // namespace
}  // namespace softcheck
