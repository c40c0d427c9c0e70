// A failed kernel's report carries the diagnosis of properties/diagnosis: in the model, in
// report.json (and back), in summary.md's diagnosis column and failed-cells list, and through a
// shard merge; a passing kernel has none.
#include <gtest/gtest.h>

#include "reports/diagnosis_json.hpp"
#include "reports/merge.hpp"
#include "reports/render.hpp"
#include "reports/report_json.hpp"
#include "tests/reports/report_test_support.hpp"
#include "tests/reports/wrong_report_kernels.hpp"

namespace softcheck::reports {
namespace {

TEST(ReportDiagnosis, FailedKernelIsDiagnosedPassingOneIsNot) {
  const Report r = testing::sweep({testing::truncating_bf16_softmax(),
                                   testing::builtin("f32_softmax_shifted__scalar")});
  ASSERT_EQ(r.kernels.size(), 2u);
  const KernelReport& bad = r.kernels[0];
  ASSERT_EQ(bad.totals.verdict, "failed");
  ASSERT_TRUE(bad.diagnosis);
  EXPECT_EQ(bad.diagnosis->kind, "truncating_conversion");
  EXPECT_EQ(r.kernels[1].totals.verdict, "passed");
  EXPECT_FALSE(r.kernels[1].diagnosis);

  const std::string md = render_summary_md(r, nullptr);
  EXPECT_NE(md.find("| diagnosis |"), std::string::npos) << md;
  EXPECT_NE(md.find("| truncating_conversion |"), std::string::npos) << md;
  EXPECT_NE(md.find("  - diagnosis `truncating_conversion` (mean_ulps="), std::string::npos) << md;

  const nlohmann::json j = to_json(r);
  EXPECT_EQ(j["kernels"][0]["diagnosis"]["kind"], "truncating_conversion");
  EXPECT_TRUE(j["kernels"][1]["diagnosis"].is_null());
  const Report back = report_from_json(nlohmann::json::parse(format_report_json(j)));
  ASSERT_TRUE(back.kernels[0].diagnosis);
  EXPECT_EQ(back.kernels[0].diagnosis->kind, "truncating_conversion");
  // Parameters come back by name (a JSON object has no order).
  EXPECT_EQ(diagnosis_to_json(back.kernels[0].diagnosis), diagnosis_to_json(bad.diagnosis));
  EXPECT_FALSE(back.kernels[1].diagnosis);
}

TEST(ReportDiagnosis, SurvivesAShardMerge) {
  std::vector<Report> parts;
  for (std::size_t i = 0; i < 3; ++i)
    parts.push_back(testing::sweep({testing::truncating_bf16_softmax()}, testing::tiny_plan(),
                                   Shard{i, 3}));
  const Report merged = merge_reports(std::move(parts));
  ASSERT_EQ(merged.kernels.size(), 1u);
  ASSERT_EQ(merged.kernels[0].totals.verdict, "failed");
  ASSERT_TRUE(merged.kernels[0].diagnosis);
  EXPECT_EQ(merged.kernels[0].diagnosis->kind, "truncating_conversion");
}

}  // namespace
}  // namespace softcheck::reports
