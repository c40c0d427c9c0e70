#include "cli/output_paths.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "cli/commands.hpp"
#include "reports/report_dir.hpp"

namespace softcheck::cli {
namespace fs = std::filesystem;
namespace {

// The file a write to `path` replaces: the end of a chain of symbolic links (a dangling link's
// target too), made absolute.
fs::path write_target(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::absolute(path);
  for (int hops = 0; hops < 40 && fs::is_symlink(p, ec); ++hops) {
    const fs::path to = fs::read_symlink(p, ec);
    if (ec) break;
    p = to.is_absolute() ? to : p.parent_path() / to;
  }
  const fs::path resolved = fs::weakly_canonical(p, ec);
  return ec ? p : resolved;
}

}  // namespace

void require_writable_output(const char* flag, const std::string& path) {
  if (path.empty() || path == kStdout) return;
  const fs::path target = write_target(path);
  std::error_code ec;
  if (fs::is_directory(target, ec))
    throw UsageError(fmt::format("{} {}: is a directory (give a file name)", flag, path));
  const fs::path dir = target.parent_path();
  if (!fs::is_directory(dir, ec))
    throw UsageError(fmt::format("{} {}: directory {} does not exist", flag, path, dir.string()));
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    throw UsageError(
        fmt::format("{} {}: directory {} is not writable", flag, path, dir.string()));
  if (fs::exists(target, ec) && !fs::is_regular_file(target, ec))
    throw UsageError(fmt::format("{} {}: exists and is not a regular file", flag, path));
}

void require_distinct_outputs(const std::vector<std::pair<const char*, std::string>>& outputs) {
  for (std::size_t i = 0; i < outputs.size(); ++i)
    for (std::size_t j = 0; j < i; ++j) {
      const std::string& a = outputs[i].second;
      const std::string& b = outputs[j].second;
      if (a.empty() || b.empty()) continue;
      const bool same = (a == kStdout || b == kStdout) ? a == b : write_target(a) == write_target(b);
      if (same)
        throw UsageError(fmt::format("{} and {} name the same {} ({}): one would overwrite the "
                                     "other",
                                     outputs[j].first, outputs[i].first,
                                     a == kStdout ? "stream" : "file", a));
    }
}

void require_report_out(const char* flag, const std::string& out) {
  try {
    reports::require_replaceable_report_dir(out);
  } catch (const std::exception& e) {
    throw UsageError(fmt::format("{} {}: {}", flag, out, e.what()));
  }
}

void write_output(const std::string& path, const std::string& text) {
  if (path == kStdout) {
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0)
      throw UsageError("cannot write to standard output");
    return;
  }
  const fs::path target = write_target(path);
  // mkstemp: a name nobody else uses (a fixed FILE.tmp could be the user's file, or another run's).
  std::string tmp = target.string() + ".tmp-XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) throw UsageError(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  // mkstemp creates the file 0600; results are for reading: the usual mode, or the replaced
  // file's.
  struct stat old {};
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, ::stat(target.c_str(), &old) == 0 ? (old.st_mode & 07777) : (0666 & ~mask));
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  const bool ok = done == text.size() && ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), target.c_str()) != 0) {
    const int e = ok ? errno : saved;
    ::unlink(tmp.c_str());
    throw UsageError(fmt::format("cannot write {}: {}", path, std::strerror(e)));
  }
}

}  // namespace softcheck::cli
