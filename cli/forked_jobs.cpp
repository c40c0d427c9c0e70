#include "cli/forked_jobs.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <vector>

#include "properties/plugin/child_wait.hpp"

namespace softcheck::cli {
namespace {

// A child's exit statuses: 0 with the job's result on the pipe, kThrew with the exception's text.
constexpr int kThrew = 3;

bool write_all(int fd, const std::string& data) {
  std::size_t at = 0;
  while (at < data.size()) {
    const ssize_t n = ::write(fd, data.data() + at, data.size() - at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    at += static_cast<std::size_t>(n);
  }
  return true;
}

// The message on the pipe: its length (8 bytes), then the bytes. The parent knows a message is
// whole without waiting for end-of-file, which never comes while a process the job forked and left
// running (a kernel under --isolation fork can) still holds the pipe.
std::string framed(const std::string& data) {
  const std::uint64_t n = data.size();
  return std::string(reinterpret_cast<const char*>(&n), sizeof n) + data;
}

[[noreturn]] void run_child(const std::function<std::string(std::size_t)>& job, std::size_t i,
                            int fd) {
  int status = 0;
  std::string data;
  try {
    data = job(i);
  } catch (const std::exception& e) {
    data = e.what();
    status = kThrew;
  } catch (...) {
    data = "unknown exception";
    status = kThrew;
  }
  // What the job printed through stdio or iostreams, before _exit drops the buffers.
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  if (!write_all(fd, framed(data))) status = kThrew;
  ::_exit(status);
}

struct Running {
  std::size_t index;
  pid_t pid;
  int fd;
  std::string data;
  // The whole message arrived.
  bool whole() const {
    std::uint64_t n;
    if (data.size() < sizeof n) return false;
    std::memcpy(&n, data.data(), sizeof n);
    return data.size() - sizeof n >= n;
  }
};

// Reads what the pipe holds now; false at end of file.
bool drain(Running& r) {
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(r.fd, buf, sizeof buf);
    if (n > 0) {
      r.data.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);  // nothing more for now
  }
}

// Children left running when the parent stops early (done() threw) are killed, not orphaned.
class Children {
 public:
  std::vector<Running> all;
  Children() = default;
  Children(const Children&) = delete;
  Children& operator=(const Children&) = delete;
  ~Children() {
    for (Running& r : all) {
      ::kill(r.pid, SIGKILL);
      ::close(r.fd);
      int status;
      while (::waitpid(r.pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
  }
};

JobResult result_of(int status, const Running& r) {
  const std::string body = r.whole() ? r.data.substr(sizeof(std::uint64_t)) : std::string();
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && r.whole()) return {true, body};
  if (WIFEXITED(status) && WEXITSTATUS(status) == kThrew) return {false, "the job threw: " + body};
  if (WIFSIGNALED(status))
    return {false, fmt::format("the job's process was killed by signal {} ({})", WTERMSIG(status),
                               ::strsignal(WTERMSIG(status)))};
  return {false, fmt::format("the job's process exited with status {}{}", WEXITSTATUS(status),
                             r.whole() ? "" : " without its result")};
}

}  // namespace

void run_forked(std::size_t count, int workers, const std::function<std::string(std::size_t)>& job,
                const std::function<void(std::size_t, JobResult)>& done) {
  if (workers < 1) throw std::invalid_argument("run_forked: workers < 1");
  Children children;
  std::size_t next = 0;
  while (next < count || !children.all.empty()) {
    while (next < count && children.all.size() < static_cast<std::size_t>(workers)) {
      int fds[2];
      // Close-on-exec: a plugin worker the job spawns must not hold the pipe open.
      if (::pipe2(fds, O_CLOEXEC) != 0)
        throw std::runtime_error(fmt::format("pipe: {}", std::strerror(errno)));
      // Buffered output would otherwise be written twice, once by the child.
      std::cout.flush();
      std::cerr.flush();
      std::fflush(nullptr);
      const pid_t pid = ::fork();
      if (pid < 0) {
        const int err = errno;
        ::close(fds[0]);
        ::close(fds[1]);
        throw std::runtime_error(fmt::format("fork: {}", std::strerror(err)));
      }
      if (pid == 0) {
        ::close(fds[0]);
        run_child(job, next, fds[1]);
      }
      ::close(fds[1]);
      ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK);
      children.all.push_back({next++, pid, fds[0], {}});
    }
    std::vector<pollfd> polls;
    for (const Running& r : children.all) polls.push_back({r.fd, POLLIN, 0});
    // The timeout notices a child that ended while something it left running keeps the pipe open.
    if (::poll(polls.data(), polls.size(), 200) < 0 && errno != EINTR)
      throw std::runtime_error(fmt::format("poll: {}", std::strerror(errno)));
    for (std::size_t k = children.all.size(); k-- > 0;) {
      Running& r = children.all[k];
      const bool eof = !drain(r);
      int status = 0;
      if (r.whole() || eof) {
        status = reap(r.pid);  // it is leaving: its message is written, or its end of the pipe shut
      } else {
        pid_t ended;
        while ((ended = ::waitpid(r.pid, &status, WNOHANG)) < 0 && errno == EINTR) {
        }
        if (ended != r.pid) continue;
        drain(r);  // what it wrote before it ended
      }
      Running finished = std::move(r);
      children.all.erase(children.all.begin() + static_cast<std::ptrdiff_t>(k));
      ::close(finished.fd);
      done(finished.index, result_of(status, finished));
    }
  }
}

}  // namespace softcheck::cli
