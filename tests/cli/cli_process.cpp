#include "tests/cli/cli_process.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace softcheck::cli_test {

namespace fs = std::filesystem;

ScratchDir::ScratchDir() {
  std::string tmpl = (fs::temp_directory_path() / "softcheck-cli-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error(std::string("mkdtemp: ") + strerror(errno));
  path_ = tmpl;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

namespace {

// Whether process `pid` catches signal `signo` (its SigCgt mask in /proc/PID/status).
bool catches(pid_t pid, int signo) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("SigCgt:", 0) == 0) {
      const unsigned long long mask = std::stoull(line.substr(7), nullptr, 16);
      return (mask >> (signo - 1)) & 1u;
    }
  return false;
}

// Appends what is readable on fd without blocking.
void drain(int fd, std::string& into) {
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return;
    into.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace

CliRun run_softcheck(const std::vector<std::string>& args, const RunOptions& options) {
  // stdout and stderr go to files rather than pipes: no reader thread, and no deadlock when the
  // child writes more than a pipe holds. A terminal's master side is read while the child runs.
  ScratchDir dir;
  const std::string out_path = (dir / "stdout").string(), err_path = (dir / "stderr").string();
  int master = -1;
  std::string terminal;
  if (options.stderr_on_terminal) {
    master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0)
      throw std::runtime_error(std::string("posix_openpt: ") + strerror(errno));
    terminal = ptsname(master);
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (master >= 0)
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, terminal.c_str(),
                                     O_RDWR | O_NOCTTY, 0);
  else
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (master >= 0) posix_spawn_file_actions_addclose(&actions, master);
  std::vector<std::string> argv_s{SOFTCHECK_BIN};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  const auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, SOFTCHECK_BIN, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    throw std::runtime_error(std::string("posix_spawn " SOFTCHECK_BIN ": ") + strerror(rc));
  int wstatus = 0;
  std::string shown;  // what the terminal displayed
  bool signalled = options.signal == 0;
  for (;;) {
    const pid_t w = waitpid(pid, &wstatus, (signalled && master < 0) ? 0 : WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) throw std::runtime_error(std::string("waitpid: ") + strerror(errno));
    if (!signalled && catches(pid, options.signal)) {
      kill(pid, options.signal);
      signalled = true;
    }
    if (master >= 0) drain(master, shown);
    if (w == 0) usleep(20000);
  }
  if (master >= 0) {
    drain(master, shown);
    close(master);
  }

  CliRun r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.exited = WIFEXITED(wstatus);
  r.status = r.exited ? WEXITSTATUS(wstatus) : WTERMSIG(wstatus);
  r.out = read_file(out_path);
  r.err = master >= 0 ? shown : read_file(err_path);
  return r;
}

std::string describe(const CliRun& r) {
  std::string s = r.exited ? "exit status " + std::to_string(r.status)
                           : "killed by signal " + std::to_string(r.status);
  return s + "\n--- stdout:\n" + r.out + "\n--- stderr:\n" + r.err;
}

}  // namespace softcheck::cli_test
