// The generators reach the f16 ground (issue 3): values representable in f16, rows whose largest
// logit sits near exp's f16 overflow threshold 11.09 and at the top of the format, 65504, and, for
// a kernel whose domain ends at 11.0859375 (f16_softmax_naive__scalar), rows clamped exactly there.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>

#include "properties/generators.hpp"

namespace softcheck {
namespace {

struct Coverage {
  int near_threshold = 0;  // largest logit within 0.25 of 11.09011
  int at_format_top = 0;   // largest logit 65504
  int at_domain_top = 0;   // largest logit equal to the domain's max_logit
  int past_domain = 0;     // a logit above the domain's max_logit (must stay 0)
  int not_representable = 0;
};

Coverage survey(const GenSpec& spec, int batches) {
  Coverage c;
  const auto gen = gen_batch(spec);
  for (int i = 0; i < batches; ++i) {
    const Batch b = gen(rc::Random(i), 50).value();
    double top = -INFINITY;
    for (double v : b.x) {
      if (!representable(DType::f16, v)) ++c.not_representable;
      if (std::isfinite(v)) top = std::max(top, v);
      if (v > spec.domain.max_logit) ++c.past_domain;
    }
    c.near_threshold += std::fabs(top - 11.09011) < 0.25;
    c.at_format_top += top == 65504.0;
    c.at_domain_top += top == spec.domain.max_logit;
  }
  return c;
}

TEST(F16Generators, ReachTheOverflowThresholdAndTheTopOfTheFormat) {
  GenSpec spec;
  spec.dtype = DType::f16;
  spec.max_cols = 4096;
  const Coverage c = survey(spec, 1000);
  std::cout << "of 1000 f16 batches: " << c.near_threshold << " with max near 11.09, "
            << c.at_format_top << " with max 65504\n";
  EXPECT_EQ(c.not_representable, 0);
  EXPECT_GE(c.near_threshold, 10);
  EXPECT_GE(c.at_format_top, 5);
}

TEST(F16Generators, StayInsideADomainThatEndsBelowTheThreshold) {
  GenSpec spec;
  spec.dtype = DType::f16;
  spec.max_cols = 4096;
  spec.domain.max_logit = 11.0859375;  // f16_softmax_naive__scalar: the last finite f16 exp
  const Coverage c = survey(spec, 1000);
  std::cout << "of 1000 f16 batches with max_logit 11.0859375: " << c.at_domain_top
            << " with max exactly 11.0859375\n";
  EXPECT_EQ(c.not_representable, 0);
  EXPECT_EQ(c.past_domain, 0);
  EXPECT_GE(c.at_domain_top, 50);
}

}  // namespace
}  // namespace softcheck
