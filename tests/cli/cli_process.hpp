// Runs the softcheck binary as a user does (posix_spawn, no shell), capturing what it printed, so
// that the CLI tests see exit statuses, stdout and stderr exactly as CI systems see them.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace softcheck::cli_test {

struct CliRun {
  bool exited = false;  // ended through exit(), not by a signal
  int status = -1;      // exit status when exited, else the signal number
  std::string out, err;
  double seconds = 0;
};

struct RunOptions {
  // Sent once the child has installed its handler for it (SigCgt in /proc/PID/status), so the
  // test never races the start-up; 0: none.
  int signal = 0;
  // stderr is a pseudo-terminal (isatty is true there); CliRun::err holds what it displayed.
  bool stderr_on_terminal = false;
};

// Runs `softcheck args...`; SOFTCHECK_BIN is the binary's path, set by tests/cli/CMakeLists.txt.
CliRun run_softcheck(const std::vector<std::string>& args, const RunOptions& options = {});

// A fresh, empty directory for one test's output files (removed by the destructor).
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& p);

// gtest printer for failures: the status and both streams.
std::string describe(const CliRun& r);

}  // namespace softcheck::cli_test
