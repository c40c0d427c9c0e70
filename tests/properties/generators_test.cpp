// The generators aim where kernels break: values representable in the format, inside the
// contract's domain, lengths at tile edges, overflow offsets, masks; shrinking walks the format.
#include <cmath>
#include <set>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "properties/generators.hpp"

namespace softcheck {
namespace {

TEST(OrderedIndex, WalksEveryFormatValueInOrder) {
  for (DType t : kAllDTypes) {
    for (double x : {0.0, 1.0, -1.0, 88.72283935546875, 1e-40, 5.9604644775390625e-08, 65504.0}) {
      const double v = round_to(t, x);
      if (!std::isfinite(v)) continue;
      EXPECT_EQ(from_ordered_index(t, ordered_index(t, v)), v) << name_of(t) << " " << x;
      EXPECT_GT(next_up(t, v), v);
      EXPECT_EQ(next_down(t, next_up(t, v)), v);
    }
    EXPECT_EQ(next_up(t, 0.0), denorm_min(t));
    EXPECT_EQ(from_ordered_index(t, ordered_index(t, max_finite(t)) + 1), INFINITY);
  }
  // f32: the index is the bit pattern for positive values.
  EXPECT_EQ(ordered_index(DType::f32, 1.0), 0x3f800000);
  EXPECT_EQ(ordered_index(DType::f16, 1.0), 0x3c00);
  EXPECT_EQ(ordered_index(DType::bf16, -1.0), -0x3f80);
}

TEST(RoundTo, HalfFormatsRoundToNearestEven) {
  EXPECT_EQ(round_to(DType::f16, 65519.0), 65504.0);
  EXPECT_EQ(round_to(DType::f16, 65520.0), INFINITY);
  EXPECT_EQ(round_to(DType::f16, 1.0 + 0x1p-11), 1.0);            // tie to even
  EXPECT_EQ(round_to(DType::f16, 1.0 + 3 * 0x1p-11), 1.0 + 0x1p-9);  // tie to even (up)
  EXPECT_EQ(round_to(DType::bf16, 1.0 + 0x1p-8), 1.0);
  EXPECT_EQ(round_to(DType::f16, 0x1p-25), 0.0);                   // half of denorm_min: to even
  EXPECT_EQ(round_to(DType::f16, 0x1.8p-25), 0x1p-24);
}

RC_GTEST_PROP(Generators, ValuesAreRepresentableAndInDomain, ()) {
  const DType t = *rc::gen::element(DType::f32, DType::f64, DType::f16, DType::bf16);
  GenSpec spec;
  spec.dtype = t;
  spec.domain.max_logit = *rc::gen::element(INFINITY, 88.0, 11.0);
  spec.max_cols = 5000;
  spec.max_rows = 3;
  const Batch b = *gen_batch(spec);
  RC_ASSERT(b.x.size() == b.rows * b.cols);
  RC_ASSERT(b.cols >= 1u);
  RC_ASSERT(b.cols <= 5000u);
  for (double v : b.x) {
    RC_ASSERT(representable(t, v));
    RC_ASSERT(!(v > spec.domain.max_logit));
    RC_ASSERT(!std::isnan(v));  // specials are off by default
  }
  RC_TAG(b.family, length_class(b.cols));
}

TEST(Generators, CoverTileEdgesOverflowOffsetsAndMasks) {
  GenSpec spec;
  spec.max_cols = 100000;
  std::set<std::size_t> lengths;
  std::set<std::string> families;
  int past_overflow = 0, masked = 0, long_rows = 0;
  const auto gen = gen_batch(spec);
  for (int i = 0; i < 2000; ++i) {
    const Batch b = gen(rc::Random(i), 50).value();
    lengths.insert(b.cols);
    families.insert(b.family.substr(0, b.family.find(' ')));  // without the binade tag
    double top = -INFINITY;
    for (double v : b.x) top = std::max(top, v);
    past_overflow += top >= 88.72284;
    masked += has_neg_inf(b.row(0));
    long_rows += b.cols > 4096;
  }
  for (std::size_t n : {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129})
    EXPECT_TRUE(lengths.count(n)) << "length " << n << " never generated";
  EXPECT_EQ(families.size(), 10u);
  EXPECT_GT(past_overflow, 40);
  EXPECT_GT(masked, 100);
  EXPECT_GT(long_rows, 10);
}

TEST(Generators, LongRowsReachMaxColsPastTheDefaultLimit) {
  // --max-cols above 1e5 is honoured: long rows are where index overflow and accumulation bugs
  // live, and a limit the user raised must not be clamped back to 1e5.
  GenSpec spec;
  spec.max_cols = 2000000;
  spec.long_rows = 1.0;
  const auto gen = gen_batch(spec);
  std::size_t longest = 0;
  for (int i = 0; i < 40; ++i) {
    const Batch b = gen(rc::Random(i), 50).value();
    EXPECT_LE(b.cols, spec.max_cols);
    longest = std::max(longest, b.cols);
  }
  EXPECT_GT(longest, 100000u);
  EXPECT_EQ(length_class(longest), "very long");
}

// The whole-format families reach every exponent range of every format (the binade tags), rows
// within a few ulps of lowest(), and rows mixing a logit near lowest() with logits near 0.
TEST(Generators, ReachEveryBinadeOfEachFormat) {
  for (DType t : kAllDTypes) {
    GenSpec spec;
    spec.dtype = t;
    spec.max_cols = 300;
    std::set<std::string> ranges;
    int near_lowest = 0, mixed = 0;
    const auto gen = gen_batch(spec);
    for (int i = 0; i < 3000; ++i) {
      const Batch b = gen(rc::Random(i), 50).value();
      if (b.family.find("|x|max 2^") != std::string::npos) ranges.insert(b.family.substr(b.family.find('|')));
      double lo = INFINITY, hi = -INFINITY;
      for (double v : b.x)
        if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
      near_lowest += lo <= -max_finite(t) * 0.99;
      mixed += lo <= -max_finite(t) * 0.99 && std::fabs(hi) < 10;
    }
    EXPECT_EQ(ranges.size(), 8u) << name_of(t);
    EXPECT_GT(near_lowest, 100) << name_of(t);
    EXPECT_GT(mixed, 20) << name_of(t);
  }
}

TEST(Shrinking, LogitsMoveAlongTheFormatTowardsZero) {
  int steps = 0;
  double last = 100.0;
  for (double v : shrink_logit(DType::f32, 100.0)) {
    EXPECT_TRUE(representable(DType::f32, v));
    EXPECT_LT(std::fabs(v), 100.0);
    last = v;
    ++steps;
  }
  EXPECT_GT(steps, 10);
  EXPECT_EQ(last, next_down(DType::f32, 100.0));  // the last candidate is one step down
  EXPECT_EQ(*shrink_logit(DType::f32, NAN).next(), 0.0);
}

}  // namespace
}  // namespace softcheck
