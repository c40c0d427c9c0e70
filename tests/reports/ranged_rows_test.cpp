// A cell whose rows are judged in ranges (reports/sweep.hpp: rows from kRangedRowCols on) gives the
// figures of the same cell judged whole: same verdict, counts and worst element; the error
// figures equal to the digits the report keeps (the fast tier's exact values stand where a whole
// row escalated to MPFR; the compact p99 is the exact one rounded to float). Here with the
// thresholds set small, on correct and wrong kernels, masks and adversarial rows.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "report_test_support.hpp"
#include "reports/report_json.hpp"
#include "wrong_report_kernels.hpp"

namespace softcheck::reports {
namespace {

void expect_near7(double a, double b, const std::string& what) {
  EXPECT_NEAR(a, b, 2e-6 * std::max(std::fabs(a), std::fabs(b)) + 1e-300) << what;
}

void expect_same_cell(const CellRun& w, const CellRun& r, const std::string& where) {
  const CellResult &a = w.cell, &b = r.cell;
  EXPECT_EQ(a.failures(), b.failures()) << where;
  EXPECT_EQ(a.elements, b.elements) << where;
  EXPECT_EQ(a.over_bound, b.over_bound) << where;
  EXPECT_EQ(a.vacuous_bound, b.vacuous_bound) << where;
  EXPECT_EQ(to_json(a)["specials"], to_json(b)["specials"]) << where;
  EXPECT_EQ(a.ulps_rounded.max, b.ulps_rounded.max) << where;  // correctly rounded both ways
  EXPECT_EQ(a.ulps_rounded.mean, b.ulps_rounded.mean) << where;
  expect_near7(a.ulps_rounded.p99, b.ulps_rounded.p99, where + " p99 vs rounded");
  expect_near7(a.ulps_exact.max, b.ulps_exact.max, where + " max ulps");
  expect_near7(a.ulps_exact.mean, b.ulps_exact.mean, where + " mean ulps");
  expect_near7(a.ulps_exact.p99, b.ulps_exact.p99, where + " p99 ulps");
  expect_near7(a.tightness, b.tightness, where + " tightness");
  expect_near7(a.bound_k_max, b.bound_k_max, where + " K");
  expect_near7(a.bias.mean_signed_ulps, b.bias.mean_signed_ulps, where + " bias");
  EXPECT_EQ(a.worst.kind, b.worst.kind) << where;
  EXPECT_EQ(a.worst.row, b.worst.row) << where;
  EXPECT_EQ(a.worst.index, b.worst.index) << where;
  EXPECT_EQ(w.worst.x, r.worst.x) << where;
}

TEST(RangedRows, CellsJudgedInRangesEqualCellsJudgedWhole) {
  Plan p = testing::tiny_plan();
  p.elements_per_cell = 40000;  // several rows per cell: the bias is judged on them
  const InProcessInvoker invoker;
  std::vector<Kernel> kernels;
  for (const char* name :
       {"f32_softmax_shifted__scalar", "bf16_softmax_online__scalar", "f64_softmax_shifted__scalar",
        "f32_log_softmax_shifted__scalar", "f16_log_softmax_shifted__scalar"})
    kernels.push_back(testing::builtin(name));
  kernels.push_back(testing::scaled_f32_softmax());
  kernels.push_back(testing::truncating_bf16_softmax());
  constexpr std::size_t kWhole = std::numeric_limits<std::size_t>::max();
  for (const Kernel& k : kernels)
    for (const char* family : {"normal-s1", "masked", "adversarial"})
      for (std::size_t cols : {std::size_t{700}, std::size_t{2049}}) {
        const std::string where = k.contract.name + " " + family + "/" + std::to_string(cols);
        const CellRun whole = run_cell(k, p, family, cols, 0, invoker, kWhole);
        const CellRun ranged = run_cell(k, p, family, cols, 0, invoker, 64, 300);
        expect_same_cell(whole, ranged, where);
      }
}

// The wrong kernel fails both ways, so the comparison above covers failing cells too.
TEST(RangedRows, AWrongKernelFailsInRanges) {
  const CellRun r = run_cell(testing::truncating_bf16_softmax(), testing::tiny_plan(), "normal-s1",
                             700, 0, InProcessInvoker{}, 64, 300);
  EXPECT_FALSE(r.cell.passed());
}

}  // namespace
}  // namespace softcheck::reports
