#include "reports/staged_dir.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace softcheck::reports {
namespace fs = std::filesystem;

namespace {

std::string error_text(int e) { return std::strerror(e); }

bool is_staging_of(const fs::path& p, const fs::path& target) {
  const std::string prefix = target.filename().string() + ".tmp-";
  const std::string name = p.filename().string();
  return name.size() == prefix.size() + 6 && name.compare(0, prefix.size(), prefix) == 0;
}

void fsync_path(const fs::path& p) {
  const int fd = ::open(p.c_str(), O_RDONLY);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

}  // namespace

void remove_stale_staging(const fs::path& target) {
  const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(parent, ec))
    if (entry.is_directory() && is_staging_of(entry.path(), target))
      fs::remove_all(entry.path(), ec);
}

StagedDir::StagedDir(const fs::path& target) {
  // A symbolic link is written through: its target is replaced, the link stays.
  std::error_code ec;
  target_ = fs::weakly_canonical(fs::absolute(target), ec);
  if (ec) target_ = fs::absolute(target);
  if (target_.filename().empty()) target_ = target_.parent_path();  // "dir/" -> "dir"
  fs::create_directories(target_.parent_path(), ec);
  if (ec)
    throw std::runtime_error(
        fmt::format("cannot create {}: {}", target_.parent_path().string(), ec.message()));
  remove_stale_staging(target_);
  std::string templ = target_.string() + ".tmp-XXXXXX";
  if (!::mkdtemp(templ.data()))
    throw std::runtime_error(fmt::format("cannot create a directory next to {}: {}",
                                         target_.string(), error_text(errno)));
  staging_ = templ;
  // mkdtemp makes the directory private (0700); a report is for reading: the usual mode.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::chmod(staging_.c_str(), 0777 & ~mask);
}

StagedDir::~StagedDir() {
  if (committed_) return;
  std::error_code ec;
  fs::remove_all(staging_, ec);
}

void StagedDir::write(const std::string& relative, const std::string& text) {
  write(relative, [&](std::ostream& out) { out << text; });
}

void StagedDir::write(const std::string& relative,
                      const std::function<void(std::ostream&)>& writer) {
  const fs::path p = staging_ / relative;
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  std::ofstream out(p, std::ios::binary);
  writer(out);
  if (!out.flush()) throw std::runtime_error(fmt::format("cannot write {}", p.string()));
}

void StagedDir::commit() {
  // The files' data reach the disk before the rename makes them visible (ext4 orders it for
  // rename-over, but not every file system does).
  for (const auto& entry : fs::recursive_directory_iterator(staging_))
    if (entry.is_regular_file()) fsync_path(entry.path());
  fsync_path(staging_);
  std::error_code ec;
  if (!fs::exists(target_, ec)) {
    if (::rename(staging_.c_str(), target_.c_str()) != 0)
      throw std::runtime_error(fmt::format("cannot rename {} to {}: {}", staging_.string(),
                                           target_.string(), error_text(errno)));
  } else {
    if (!fs::is_directory(target_))
      throw std::runtime_error(fmt::format("{} exists and is not a directory", target_.string()));
    // Atomic swap; the old report ends up at the staging path and is removed.
    if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE) != 0) {
      // File systems without RENAME_EXCHANGE: move the old one aside first (a short window where
      // DIR is absent, never one where it is half-written).
      // Aside under a fresh staging-pattern name (never a fixed DIR.old, which may be the user's;
      // a killed process leaves it for remove_stale_staging). rename() may replace an empty
      // directory.
      std::string aside = target_.string() + ".tmp-XXXXXX";
      if (!::mkdtemp(aside.data()))
        throw std::runtime_error(
            fmt::format("cannot replace {}: {}", target_.string(), error_text(errno)));
      const fs::path old = aside;
      if (::rename(target_.c_str(), old.c_str()) != 0 ||
          ::rename(staging_.c_str(), target_.c_str()) != 0)
        throw std::runtime_error(
            fmt::format("cannot replace {}: {}", target_.string(), error_text(errno)));
      fs::remove_all(old, ec);
      committed_ = true;
      return;
    }
    fs::remove_all(staging_, ec);
  }
  fsync_path(target_.parent_path());
  committed_ = true;
}

}  // namespace softcheck::reports
