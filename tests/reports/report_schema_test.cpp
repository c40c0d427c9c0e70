// report.json (docs/report-json-schema.md): every documented field is present with its type, the
// JSON reads back to the same report, derived fields are recomputed, the plan is deterministic.
#include <gtest/gtest.h>

#include <cmath>

#include "oracles/oracle.hpp"
#include "reports/cell_stats.hpp"
#include "reports/families.hpp"
#include "reports/report_dir.hpp"
#include "reports/report_json.hpp"
#include "tests/reports/report_test_support.hpp"

namespace softcheck::reports {
namespace {

using nlohmann::json;

void expect_fields(const json& j, std::initializer_list<const char*> fields,
                   const std::string& where) {
  for (const char* f : fields) EXPECT_TRUE(j.contains(f)) << where << " lacks '" << f << "'";
}

TEST(ReportSchema, DocumentedFieldsArePresent) {
  const Report r = testing::sweep(
      {testing::builtin("f32_softmax_shifted__scalar"), testing::unjudgeable_kernel()});
  const json j = to_json(r);
  EXPECT_EQ(j.at("schema"), "softcheck-report/1");
  expect_fields(
      j, {"schema", "generator", "plan", "shard", "limits", "summary", "kernels", "skipped", "run"},
      "report");
  expect_fields(
      j.at("plan"),
      {"name", "seed", "fingerprint", "elements_per_cell", "max_rows", "families", "cols"}, "plan");
  expect_fields(j.at("plan").at("families").at(0), {"name", "description"}, "family");
  expect_fields(j.at("shard"), {"index", "count"}, "shard");
  expect_fields(j.at("limits"), {"bias_z", "min_bias_rows", "bias_max_bound_ulps", "bias_min_ulps"},
                "limits");
  expect_fields(j.at("summary"), {"kernels", "passed", "failed", "skipped", "verdict"}, "summary");
  ASSERT_EQ(j.at("kernels").size(), 1u);
  const json& k = j.at("kernels").at(0);
  expect_fields(k,
                {"name", "op", "dtype", "contract", "bound", "repro", "verdict", "cells_measured",
                 "cells_out_of_domain", "failed_cells", "totals", "worst_case", "cells"},
                "kernel");
  expect_fields(
      k.at("totals"),
      {"elements", "max_ulps_exact", "max_ulps_rounded", "max_p99_ulps_exact", "max_rel", "max_abs",
       "max_tightness", "max_bound_k", "max_abs_bias_z", "cells_bias_judged", "vacuous_bound"},
      "totals");
  expect_fields(
      k.at("worst_case"),
      {"file", "family", "cols", "row", "index", "kind", "tightness", "ulps_exact", "got", "exact"},
      "worst_case");
  const json& c = k.at("cells").at(0);
  expect_fields(c,
                {"family", "cols", "seed", "rows", "rows_out_of_domain", "elements", "call_error",
                 "verdict", "failures", "ulps_exact", "ulps_rounded", "rel_max", "abs_max", "bound",
                 "bias", "spread_mean", "magnitude_mean", "error_histogram", "specials", "worst"},
                "cell");
  expect_fields(c.at("ulps_exact"), {"max", "mean", "p99"}, "ulps_exact");
  expect_fields(c.at("error_histogram"), {"exact", "min_log2", "counts"}, "error_histogram");
  expect_fields(c.at("bound"),
                {"k_max", "tightness", "tightest_observed_ulps", "tightest_bound_ulps",
                 "over_bound", "vacuous"},
                "bound");
  expect_fields(c.at("bias"), {"elements", "mean_signed_ulps", "sd_ulps", "rows", "z", "judged"},
                "bias");
  expect_fields(c.at("specials"),
                {"masked", "masked_wrong", "all_masked_rows", "all_masked_wrong", "class_mismatch",
                 "flushed_to_zero", "subnormal_outputs"},
                "specials");
  expect_fields(c.at("worst"),
                {"kind", "row", "index", "got", "exact", "expected", "ulps_exact", "ulps_rounded",
                 "abs", "bound_abs", "tightness"},
                "worst");
  ASSERT_EQ(j.at("skipped").size(), 1u);
  expect_fields(j.at("skipped").at(0), {"name", "op", "dtype", "reason"}, "skipped");
  EXPECT_EQ(j.at("skipped").at(0).at("name"), "f32_log_softmax_online__test");
  EXPECT_NE(j.at("skipped").at(0).at("reason").get<std::string>().find("online"),
            std::string::npos);
  // Every cell of the plan, in plan order.
  const Plan p = testing::tiny_plan();
  ASSERT_EQ(k.at("cells").size(), p.families.size() * p.cols.size());
  EXPECT_EQ(k.at("cells").at(1).at("cols"), p.cols[1]);
}

TEST(ReportSchema, JsonRoundTripIsExact) {
  const Report r = testing::sweep({testing::builtin("bf16_softmax_shifted__scalar"),
                                   testing::builtin("f32_log_softmax_shifted__scalar"),
                                   testing::builtin("f32_cross_entropy_shifted__scalar"),
                                   testing::unjudgeable_kernel()});
  const json j = to_json(r);
  // The JSON alone holds everything but the worst-case inputs (those are in worst/*.txt).
  auto without_worst = [](json d) {
    for (json& k : d["kernels"]) k.erase("worst_case");
    return d;
  };
  const Report back = report_from_json(j);
  EXPECT_TRUE(without_worst(to_json(back)) == without_worst(j))
      << json::diff(without_worst(j), without_worst(to_json(back))).dump(1);
  // A report directory holds all of it.
  const auto dir = testing::fresh_dir("schema-roundtrip");
  write_report_dir(dir / "r", r);
  EXPECT_TRUE(to_json(read_report_dir(dir / "r")) == j)
      << json::diff(j, to_json(read_report_dir(dir / "r"))).dump(1);
  std::filesystem::remove_all(dir);
  // Derived fields are recomputed from the cells, not read: a tampered verdict does not survive.
  json tampered = j;
  tampered["kernels"][0]["verdict"] = "failed";
  EXPECT_EQ(report_from_json(tampered).kernels[0].totals.verdict, r.kernels[0].totals.verdict);
  json wrong = j;
  wrong["schema"] = "softcheck-report/99";
  EXPECT_THROW(report_from_json(wrong), std::runtime_error);
  json missing = j;
  missing["kernels"][0]["cells"][0].erase("bias");
  EXPECT_THROW(report_from_json(missing), std::runtime_error);
  // Fields added within softcheck-report/1 are optional on reading: a report written before them
  // (a checked-in baseline) still reads, with them empty.
  json older = j;
  for (json& k : older["kernels"])
    for (json& c : k["cells"]) c.erase("magnitude_mean"), c.erase("error_histogram");
  const Report old_back = report_from_json(older);
  EXPECT_EQ(old_back.kernels[0].cells[0].magnitude_mean, 0.0);
  EXPECT_EQ(old_back.kernels[0].cells[0].histogram.exact, 0u);
  EXPECT_EQ(old_back.kernels[0].totals.verdict, r.kernels[0].totals.verdict);
}

// The error histogram counts every measured output once, in the op's own measure.
TEST(ReportSchema, ErrorHistogramCountsEveryOutput) {
  const Report r = testing::sweep({testing::builtin("f32_softmax_shifted__scalar"),
                                   testing::builtin("f32_log_softmax_shifted__scalar")});
  for (const KernelReport& k : r.kernels)
    for (const CellResult& c : k.cells) {
      std::size_t n = c.histogram.exact;
      for (auto [e, count] : c.histogram.log2) n += count;
      EXPECT_EQ(n, c.elements) << k.name << " " << c.key();
      if (c.histogram.log2.empty()) continue;
      // The top bin holds the cell's largest error: in ulps, or absolute for log-softmax.
      const double largest = k.op == Op::log_softmax ? c.abs_max : c.ulps_exact.max;
      const int top = c.histogram.log2.rbegin()->first;
      EXPECT_GE(c.histogram.log2.begin()->first,
                histogram_floor_log2(k.op == Op::log_softmax, k.dtype));
      EXPECT_LE(largest, std::ldexp(1.0, top) * (1 + 1e-6)) << k.name << " " << c.key();
      EXPECT_GT(largest, std::ldexp(1.0, top - 1) * (1 - 1e-6)) << k.name << " " << c.key();
      EXPECT_GT(c.magnitude_mean, 0.0) << k.name << " " << c.key();
    }
}

TEST(ReportSchema, CellsAreDeterministicAndIndependentOfOrder) {
  const Plan p = testing::tiny_plan();
  const Kernel& k = testing::builtin("f32_softmax_shifted__scalar");
  const CellRun a = run_cell(k, p, "normal-s1", 33, 5, InProcessInvoker{});
  const CellRun b = run_cell(k, p, "normal-s1", 33, 5, InProcessInvoker{});
  EXPECT_EQ(to_json(a.cell), to_json(b.cell));
  EXPECT_EQ(a.worst.x, b.worst.x);
  EXPECT_NE(cell_seed(p, "normal-s1", 33), cell_seed(p, "normal-s1", 32));
  EXPECT_NE(cell_seed(p, "normal-s1", 33), cell_seed(p, "masked", 33));
  EXPECT_EQ(a.cell.rows, rows_for(p, 33));
  EXPECT_GT(a.cell.elements, 0u);
}

// The fast path of measure() agrees with oracle::compare: to the bit for f64 (the same rounding at
// 64 bits), within 2^-28 ulp for the narrower formats (the exact value rounded to double).
TEST(ReportSchema, MeasureMatchesOracleCompare) {
  for (DType t : kAllDTypes) {
    const Contract& c =
        testing::builtin(std::string(name_of(t)) + "_softmax_shifted__scalar").contract;
    const std::vector<double> x = draw_family(c, "normal-s10", 1, 257, 7);
    const RowReference ref = softmax_reference(x, t);
    for (std::size_t j = 0; j < x.size(); ++j) {
      // The correctly rounded value and its neighbours a few ulps away.
      for (int steps : {-3, -1, 0, 1, 2}) {
        double got = ref.rounded[j];
        for (int i = 0; i < std::abs(steps); ++i)
          got = steps > 0 ? next_up(t, got) : next_down(t, got);
        const oracle::ErrorMetrics a = measure(got, ref, j, t),
                                   b = oracle::compare(got, ref.exact()[j], t);
        const double tol = t == DType::f64 ? 0.0 : 0x1p-28;
        EXPECT_NEAR(a.signed_ulps, b.signed_ulps, tol) << name_of(t) << " " << j;
        EXPECT_NEAR(a.ulps_vs_exact, b.ulps_vs_exact, tol);
        EXPECT_EQ(a.ulps_vs_rounded, b.ulps_vs_rounded);
        EXPECT_NEAR(a.abs, b.abs, tol * ulp(t, ref.exact_d[j]));
        EXPECT_NEAR(a.rel, b.rel,
                    0x1p-50 + 2 * tol * ulp(t, ref.exact_d[j]) / std::fabs(ref.exact_d[j]));
        EXPECT_FALSE(a.class_mismatch);
      }
    }
    const double nan = std::numeric_limits<double>::quiet_NaN();
    EXPECT_TRUE(measure(nan, ref, 0, t).class_mismatch);  // classes go through compare()
  }
}

TEST(ReportSchema, PercentileIsNearestRank) {
  std::vector<double> v;
  for (int i = 1; i <= 200; ++i) v.push_back(i);
  EXPECT_EQ(percentile(v, 0.99), 198);
  std::vector<double> one{7};
  EXPECT_EQ(percentile(one, 0.99), 7);
  std::vector<double> none;
  EXPECT_EQ(percentile(none, 0.99), 0);
}

TEST(ReportSchema, FamiliesStayInTheFormatAndMasksAppear) {
  const Contract& c = testing::builtin("f16_softmax_shifted__scalar").contract;
  for (const FamilyInfo& f : families()) {
    const std::vector<double> x = draw_family(c, f.name, 16, 33, 42);
    ASSERT_EQ(x.size(), 16u * 33u);
    for (double v : x) EXPECT_TRUE(representable(DType::f16, v)) << f.name << " " << hex(v);
  }
  const std::vector<double> m = draw_family(c, "masked", 16, 33, 42);
  std::size_t masks = 0;
  for (double v : m) masks += v == -std::numeric_limits<double>::infinity();
  EXPECT_GT(masks, 33u);  // row 15 is fully masked, others partly
  EXPECT_THROW(draw_family(c, "no-such-family", 1, 1, 0), std::invalid_argument);
}

}  // namespace
}  // namespace softcheck::reports
