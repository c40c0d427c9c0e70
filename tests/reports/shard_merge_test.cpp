// Shards merge into the same result as one unsharded run (issue 7), in memory and through report
// directories; malformed shard sets are refused; GTEST_SHARD_INDEX / GTEST_TOTAL_SHARDS are read.
#include <gtest/gtest.h>

#include <cstdlib>

#include "reports/merge.hpp"
#include "reports/report_dir.hpp"
#include "reports/report_json.hpp"
#include "tests/reports/report_test_support.hpp"

namespace softcheck::reports {
namespace {

using testing::builtin;
using testing::sweep;

std::vector<Kernel> kernels() {
  // One kernel of every op, a half kernel, and one the reports skip (listed in every shard).
  return {builtin("f32_softmax_online__scalar"),
          builtin("f32_log_softmax_shifted__scalar"),
          builtin("bf16_softmax_shifted__scalar"),
          builtin("f32_softmax_backward_shifted__scalar"),
          builtin("f32_cross_entropy_shifted__scalar"),
          builtin("f32_softmax_temp_shifted__scalar"),
          testing::unjudgeable_kernel()};
}

std::vector<Report> shards(std::size_t n) {
  std::vector<Report> parts;
  for (std::size_t i = 0; i < n; ++i)
    parts.push_back(sweep(kernels(), testing::tiny_plan(), Shard{i, n}));
  return parts;
}

TEST(ShardMerge, ShardsPartitionTheCells) {
  const Report whole = sweep(kernels());
  std::size_t total = 0, sum = 0;
  for (const KernelReport& k : whole.kernels) total += k.cells.size();
  for (const Report& p : shards(3)) {
    for (const KernelReport& k : p.kernels) sum += k.cells.size();
    EXPECT_EQ(p.kernels.size(), whole.kernels.size());
    EXPECT_EQ(p.skipped.size(), whole.skipped.size());
  }
  EXPECT_EQ(sum, total);
  EXPECT_EQ(whole.skipped.size(), 1u);
}

TEST(ShardMerge, MergeEqualsOneRun) {
  const Report whole = sweep(kernels());
  const Report merged = merge_reports(shards(3));
  EXPECT_EQ(result_part(to_json(merged)), result_part(to_json(whole)));
  ASSERT_EQ(merged.kernels.size(), whole.kernels.size());
  for (std::size_t i = 0; i < whole.kernels.size(); ++i) {
    ASSERT_EQ(merged.kernels[i].worst.has_value(), whole.kernels[i].worst.has_value());
    if (whole.kernels[i].worst) {
      EXPECT_EQ(format_worst_case(*merged.kernels[i].worst),
                format_worst_case(*whole.kernels[i].worst));
    }
  }
}

TEST(ShardMerge, MergedDirectoryEqualsOneRunDirectory) {
  const std::filesystem::path root = testing::fresh_dir("merge");
  write_report_dir(root / "whole", sweep(kernels()));
  std::vector<Report> parts;
  std::size_t i = 0;
  for (const Report& p : shards(2)) {
    const auto dir = root / ("shard" + std::to_string(i++));
    write_report_dir(dir, p);
    parts.push_back(read_report_dir(dir));
  }
  write_report_dir(root / "merged", merge_reports(std::move(parts)));
  for (const char* f : {"summary.md", "index.html"})
    EXPECT_EQ(testing::slurp(root / "merged" / f), testing::slurp(root / "whole" / f)) << f;
  const auto a = nlohmann::json::parse(testing::slurp(root / "merged" / "report.json"));
  const auto b = nlohmann::json::parse(testing::slurp(root / "whole" / "report.json"));
  EXPECT_EQ(result_part(a), result_part(b));
  for (const auto& entry : std::filesystem::directory_iterator(root / "whole" / "worst"))
    EXPECT_EQ(testing::slurp(root / "merged" / "worst" / entry.path().filename()),
              testing::slurp(entry.path()))
        << entry.path();
  std::filesystem::remove_all(root);
}

TEST(ShardMerge, RefusesIncompleteOrDuplicateShards) {
  std::vector<Report> parts = shards(3);
  EXPECT_THROW(merge_reports({parts[0], parts[1]}), MergeError);
  EXPECT_THROW(merge_reports({parts[0], parts[1], parts[1]}), MergeError);
  Report other = parts[2];
  other.plan.seed ^= 1;
  EXPECT_THROW(merge_reports({parts[0], parts[1], other}), MergeError);
  EXPECT_NO_THROW(merge_reports({parts[2], parts[0], parts[1]}));  // any order
}

TEST(ShardMerge, ParsesShardsAndTheGtestVariables) {
  EXPECT_EQ(parse_shard("2/5")->index, 2u);
  EXPECT_EQ(parse_shard("2/5")->count, 5u);
  EXPECT_FALSE(parse_shard("5/5"));
  EXPECT_FALSE(parse_shard("1/0"));
  EXPECT_FALSE(parse_shard("x/2"));
  EXPECT_FALSE(parse_shard("1"));
  const char* saved_i = std::getenv("GTEST_SHARD_INDEX");
  const char* saved_n = std::getenv("GTEST_TOTAL_SHARDS");
  const std::string keep_i = saved_i ? saved_i : "", keep_n = saved_n ? saved_n : "";
  ::setenv("GTEST_SHARD_INDEX", "1", 1);
  ::setenv("GTEST_TOTAL_SHARDS", "4", 1);
  const auto s = shard_from_environment();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->index, 1u);
  EXPECT_EQ(s->count, 4u);
  ::setenv("GTEST_SHARD_INDEX", "4", 1);
  EXPECT_THROW(shard_from_environment(), std::invalid_argument);
  ::unsetenv("GTEST_SHARD_INDEX");
  ::unsetenv("GTEST_TOTAL_SHARDS");
  EXPECT_FALSE(shard_from_environment());
  if (saved_i) ::setenv("GTEST_SHARD_INDEX", keep_i.c_str(), 1);
  if (saved_n) ::setenv("GTEST_TOTAL_SHARDS", keep_n.c_str(), 1);
}

}  // namespace
}  // namespace softcheck::reports
