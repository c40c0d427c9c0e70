// Atomic report directories (issue 7: nothing half-written after an interruption): a completed
// write replaces the old directory as a whole; a failed or killed write leaves it untouched.
#include "reports/staged_dir.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "reports/report_dir.hpp"
#include "tests/reports/report_test_support.hpp"

namespace softcheck::reports {
namespace {

namespace fs = std::filesystem;
using testing::slurp;

std::size_t staging_leftovers(const fs::path& target) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(target.parent_path()))
    n += e.path().filename().string().rfind(target.filename().string() + ".tmp-", 0) == 0;
  return n;
}

void write_old(const fs::path& target) {
  StagedDir d(target);
  d.write("summary.md", "old summary\n");
  d.write("old-only.txt", "stale\n");
  d.commit();
}

TEST(StagedDir, CommitCreatesAndReplacesWholeDirectories) {
  const fs::path root = testing::fresh_dir("staged-replace");
  const fs::path target = root / "report";
  write_old(target);
  EXPECT_EQ(slurp(target / "summary.md"), "old summary\n");
  {
    StagedDir d(target);
    d.write("summary.md", "new summary\n");
    d.write("worst/k.txt", "x\n");
    EXPECT_EQ(slurp(target / "summary.md"), "old summary\n");  // not visible before commit
    d.commit();
  }
  EXPECT_EQ(slurp(target / "summary.md"), "new summary\n");
  EXPECT_EQ(slurp(target / "worst" / "k.txt"), "x\n");
  EXPECT_FALSE(fs::exists(target / "old-only.txt"));  // a replacement, not an overlay
  EXPECT_EQ(staging_leftovers(target), 0u);
  EXPECT_EQ(fs::status(target).permissions() & fs::perms::others_read, fs::perms::others_read);
  fs::remove_all(root);
}

TEST(StagedDir, FailureBeforeCommitLeavesTheOldDirectory) {
  const fs::path root = testing::fresh_dir("staged-throw");
  const fs::path target = root / "report";
  write_old(target);
  try {
    StagedDir d(target);
    d.write("summary.md", "half\n");
    throw std::runtime_error("interrupted mid-write");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(slurp(target / "summary.md"), "old summary\n");
  EXPECT_TRUE(fs::exists(target / "old-only.txt"));
  EXPECT_EQ(staging_leftovers(target), 0u);
  fs::remove_all(root);
}

TEST(StagedDir, KilledWriterLeavesTheOldDirectory) {
  const fs::path root = testing::fresh_dir("staged-kill");
  const fs::path target = root / "report";
  write_old(target);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // a writer killed between two files, as by kill -9 or a power cut
    StagedDir d(target);
    d.write("summary.md", "half\n");
    ::raise(SIGKILL);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(slurp(target / "summary.md"), "old summary\n");
  EXPECT_TRUE(fs::exists(target / "old-only.txt"));
  EXPECT_EQ(staging_leftovers(target), 1u);  // the killed writer's staging directory
  {
    StagedDir d(target);  // the next writer clears it
    d.write("summary.md", "next\n");
    d.commit();
  }
  EXPECT_EQ(staging_leftovers(target), 0u);
  EXPECT_EQ(slurp(target / "summary.md"), "next\n");
  fs::remove_all(root);
}

TEST(StagedDir, ReportDirectoryHasEveryOutput) {
  const fs::path root = testing::fresh_dir("staged-report");
  const fs::path target = root / "out";
  write_report_dir(target, testing::sweep({testing::builtin("f32_softmax_shifted__scalar")}));
  for (const char* f :
       {"summary.md", "report.json", "index.html", "worst/f32_softmax_shifted__scalar.txt"})
    EXPECT_TRUE(fs::is_regular_file(target / f)) << f;
  EXPECT_EQ(staging_leftovers(target), 0u);
  fs::remove_all(root);
}

TEST(StagedDir, ReportReplacesOnlyNewEmptyOrPreviousReportDirectories) {
  const fs::path root = testing::fresh_dir("staged-replaceable");
  const Report r = testing::sweep({testing::builtin("f32_softmax_shifted__scalar")});
  EXPECT_NO_THROW(require_replaceable_report_dir(root / "new" / "deeper"));
  fs::create_directories(root / "empty");
  EXPECT_NO_THROW(write_report_dir(root / "empty", r));
  EXPECT_TRUE(fs::exists(root / "empty" / kReportMarker));
  EXPECT_NO_THROW(write_report_dir(root / "empty", r));  // a previous report
  // A report written before the marker existed: only the files a report writes.
  fs::remove(root / "empty" / kReportMarker);
  EXPECT_NO_THROW(require_replaceable_report_dir(root / "empty"));
  // ... plus a file of the user's: refused, naming it, and nothing is touched.
  { std::ofstream(root / "empty" / "worst" / "notes.md") << "mine\n"; }
  try {
    write_report_dir(root / "empty", r);
    ADD_FAILURE() << "replaced a directory holding a user's file";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("notes.md"), std::string::npos) << e.what();
  }
  EXPECT_EQ(slurp(root / "empty" / "worst" / "notes.md"), "mine\n");
  fs::remove_all(root);
}

TEST(StagedDir, UnwritableTargetThrowsAndWritesNothing) {
  const fs::path root = testing::fresh_dir("staged-bad");
  { std::ofstream(root / "file") << "not a directory"; }
  EXPECT_THROW(StagedDir(root / "file" / "report"), std::runtime_error);
  {
    StagedDir d(root / "file");  // the target exists and is a file: commit refuses
    d.write("a", "b");
    EXPECT_THROW(d.commit(), std::runtime_error);
  }
  EXPECT_EQ(slurp(root / "file"), "not a directory");
  fs::remove_all(root);
}

}  // namespace
}  // namespace softcheck::reports
