// The baseline checkers are faithful to what they imitate: a correct kernel passes both, and the
// absolute floor of allclose (atol = 1e-2) hides a dropped tail that assert_close's defaults see
// (docs/findings.md, "Why not allclose?").
#include <gtest/gtest.h>

#include "impl/registry.hpp"
#include "tests/mutants/baseline_checkers.hpp"
#include "tests/mutants/mutant.hpp"

namespace softcheck::mutants {
namespace {

const Mutant& gallery_kernel(const std::string& name) {
  static const std::vector<Mutant> all = gallery();
  for (const Mutant& m : all)
    if (m.kernel.contract.name == name) return m;
  throw std::logic_error("no gallery kernel " + name);
}

TEST(BaselineCheckers, PassACorrectKernel) {
  const Kernel* k = find_kernel("f32_softmax_shifted__scalar");
  ASSERT_NE(k, nullptr);
  const BaselineVerdict a = allclose_baseline(*k), b = assert_close_baseline(*k);
  EXPECT_FALSE(a.caught) << a.detail;
  EXPECT_FALSE(b.caught) << b.detail;
}

TEST(BaselineCheckers, AllcloseFloorHidesADroppedTailThatAssertCloseSees) {
  const Mutant& m = gallery_kernel("f32_softmax_shifted__scalar_x8_wrong_tail_dropped");
  const BaselineVerdict a = allclose_baseline(m.kernel), b = assert_close_baseline(m.kernel);
  EXPECT_FALSE(a.caught) << a.detail;
  EXPECT_TRUE(b.caught) << b.detail;
  std::cout << "assert_close: " << b.detail << "\n";
}

TEST(BaselineCheckers, BothCatchAWrongLabel) {
  const Mutant& m = gallery_kernel("f32_cross_entropy_shifted__scalar_wrong_one_based_label");
  EXPECT_TRUE(allclose_baseline(m.kernel).caught);
  EXPECT_TRUE(assert_close_baseline(m.kernel).caught);
}

}  // namespace
}  // namespace softcheck::mutants
