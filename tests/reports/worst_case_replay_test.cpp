// Worst-case files (issue 7): the worst input a report saves replays through the kernel and the
// oracle to the same output, error and bound, bit for bit; the file format round-trips and rejects
// malformed files.
#include <gtest/gtest.h>

#include "oracles/oracle.hpp"
#include "reports/cell_stats.hpp"
#include "reports/report_dir.hpp"
#include "reports/worst_case.hpp"
#include "tests/reports/report_test_support.hpp"

namespace softcheck::reports {
namespace {

namespace fs = std::filesystem;

class WorstCaseReplay : public ::testing::TestWithParam<const char*> {};

// Sweep, write the report, read the saved file back and replay it.
TEST_P(WorstCaseReplay, SavedFileReplaysBitForBit) {
  const Kernel& k = testing::builtin(GetParam());
  const fs::path dir = testing::fresh_dir(std::string("replay-") + GetParam());
  const Report r = testing::sweep({k});
  write_report_dir(dir, r);
  const WorstCase w = read_worst_case_file((dir / worst_case_path(k.contract.name)).string());
  EXPECT_EQ(format_worst_case(w), format_worst_case(*r.kernels.at(0).worst));
  ASSERT_EQ(w.x.size(), w.cols);

  const Replay again = replay(w, k, InProcessInvoker{});
  EXPECT_EQ(hex(again.got), hex(w.got));
  EXPECT_EQ(hex(again.exact), hex(w.exact));
  EXPECT_EQ(hex(again.expected), hex(w.expected));
  EXPECT_EQ(again.ulps_exact, w.ulps_exact);
  EXPECT_EQ(again.ulps_rounded, w.ulps_rounded);
  EXPECT_EQ(again.abs, w.abs);
  EXPECT_EQ(again.bound_abs, w.bound_abs);
  EXPECT_TRUE(again.within_bound) << format_worst_case(w);
  // The worst case is the cell's worst element as the report lists it.
  bool found = false;
  for (const CellResult& c : r.kernels[0].cells)
    if (c.family == w.family && c.cols == w.cols) {
      found = true;
      EXPECT_EQ(c.tightness, significant7(w.tightness));  // the cell keeps 7 digits
      EXPECT_EQ(c.worst.index, w.index);
      EXPECT_EQ(c.worst.row, w.row);
    }
  EXPECT_TRUE(found);
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Kernels, WorstCaseReplay,
                         ::testing::Values("f32_softmax_online__scalar",
                                           "f32_log_softmax_shifted__scalar",
                                           "f16_softmax_shifted__scalar", "f32_softmax_lse__scalar",
                                           "f32_softmax_temp_shifted__scalar",
                                           "f32_softmax_backward_shifted__scalar",
                                           "f32_cross_entropy_shifted__scalar"));

// A hand-written file: the oracle decides what the kernel should give, the replay what it gave.
TEST(WorstCaseFile, HandWrittenFileReplays) {
  const std::string text =
      "# a worst case written by hand\n"
      "format softcheck-worst-case/1\n"
      "kernel f32_softmax_shifted__scalar\nop softmax\ndtype f32\nfamily adversarial\ncols 3\n"
      "seed 0x1\nplan_position 0\nrow 0\nindex 2\nkind within\n"
      "got 0x0p+0\nexact 0x0p+0\nexpected 0x0p+0\nulps_exact 0x0p+0\nulps_rounded 0x0p+0\n"
      "abs 0x0p+0\nbound_abs 0x0p+0\ntightness 0x0p+0\n"
      "x\n0x1.62e42ep+6\n-inf\n0x1.8p+1\n";
  const WorstCase w = parse_worst_case(text);
  EXPECT_EQ(w.x[0], 0x1.62e42ep+6);
  EXPECT_EQ(w.x[1], -std::numeric_limits<double>::infinity());
  const Kernel& k = testing::builtin("f32_softmax_shifted__scalar");
  const Replay r = replay(w, k, InProcessInvoker{});
  const auto p = oracle::softmax(w.x, oracle::working_bits(DType::f32, 3));
  EXPECT_EQ(r.expected, oracle::round_to_format(p[2], DType::f32));
  EXPECT_TRUE(r.within_bound) << r.ulps_exact;
  EXPECT_EQ(parse_worst_case(format_worst_case(w)).x, w.x);
}

TEST(WorstCaseFile, FileNamesStayInsideTheReport) {
  EXPECT_EQ(worst_case_path("f32_softmax_shifted__scalar"),
            "worst/f32_softmax_shifted__scalar.txt");
  EXPECT_EQ(worst_case_path("../../etc/x y"), "worst/_.._.._etc_x_y.txt");
  EXPECT_EQ(worst_case_path(""), "worst/_.txt");
}

TEST(WorstCaseFile, RejectsMalformedFiles) {
  WorstCase w;
  w.kernel = "f32_softmax_shifted__scalar";
  w.family = "normal-s1";
  w.cols = 2;
  w.x = {0.5, 1.0};
  const std::string good = format_worst_case(w);
  EXPECT_NO_THROW(parse_worst_case(good));
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  EXPECT_THROW(parse_worst_case(replace("format softcheck-worst-case/1", "format other/9")),
               std::runtime_error);
  EXPECT_THROW(parse_worst_case(replace("\ncols 2\n", "\ncols 3\n")), std::runtime_error);
  EXPECT_THROW(parse_worst_case(replace("x\n0x1p-1", "x\nhalf")), std::runtime_error);
  EXPECT_THROW(parse_worst_case(replace("x\n0x1p-1", "x\n0x1.000001p-1")),
               std::runtime_error);  // not f32
  EXPECT_THROW(parse_worst_case(replace("\ndtype f32\n", "\n")), std::runtime_error);
  EXPECT_THROW(parse_worst_case(good + "x\n0x1p-1\n"), std::runtime_error);  // section twice
  // The wrong kernel is refused at replay.
  EXPECT_THROW(replay(w, testing::builtin("f64_softmax_shifted__scalar"), InProcessInvoker{}),
               std::invalid_argument);
}

}  // namespace
}  // namespace softcheck::reports
