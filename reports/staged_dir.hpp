// Writing a directory atomically (issue 7: nothing half-written after an interruption). Files go
// into a fresh sibling DIR.tmp-XXXXXX; commit() then puts it in DIR's place with one rename (an
// existing DIR is swapped with renameat2(RENAME_EXCHANGE), so readers see the old or the new
// directory, never a mix, and never no directory). Destroyed without commit (an exception), the
// staging directory is removed; a killed process leaves only the DIR.tmp-* sibling behind, which
// the next write of DIR removes.
#pragma once

#include <filesystem>
#include <functional>
#include <ostream>
#include <string>

namespace softcheck::reports {

class StagedDir {
 public:
  explicit StagedDir(const std::filesystem::path& target);  // throws std::runtime_error
  ~StagedDir();
  StagedDir(const StagedDir&) = delete;
  StagedDir& operator=(const StagedDir&) = delete;

  const std::filesystem::path& staging() const { return staging_; }
  // Writes a file (relative path; parent folders created) into the staging directory.
  void write(const std::string& relative, const std::string& text);
  // The same, the file's text written by `writer` as it goes (files too large to build in memory).
  void write(const std::string& relative, const std::function<void(std::ostream&)>& writer);
  // Replaces the target by the staging directory; throws std::runtime_error on failure.
  void commit();

 private:
  std::filesystem::path target_, staging_;
  bool committed_ = false;
};

// Leftover staging directories of target from killed writers (DIR.tmp-*).
void remove_stale_staging(const std::filesystem::path& target);

}  // namespace softcheck::reports
