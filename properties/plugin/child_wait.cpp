#include "properties/plugin/child_wait.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <system_error>
#include <thread>

namespace softcheck {

int reap(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "waitpid");
  }
  return status;
}

// Waits for the child at most `timeout`; kills it with SIGKILL past that. pidfd + poll wakes up the
// moment the child exits (no polling latency); kernels without pidfd_open get a backing-off waitpid
// loop.
ChildEnd wait_for(pid_t pid, std::chrono::milliseconds timeout, pid_t kill_target) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  auto ms_left = [&] {
    return std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
  };
  bool exited = false;
#ifdef SYS_pidfd_open
  const int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (fd >= 0) {
    for (long long left; !exited && (left = ms_left()) > 0;) {
      pollfd p{fd, POLLIN, 0};
      const int r = poll(&p, 1, static_cast<int>(std::min<long long>(left, INT_MAX)));
      if (r > 0)
        exited = true;
      else if (r < 0 && errno != EINTR)
        break;  // fall back to the waitpid loop below
    }
    close(fd);
    if (exited) return {reap(pid), false};
  }
#endif
  auto pause = std::chrono::microseconds(20);
  while (ms_left() > 0) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return {status, false};
    if (r < 0 && errno != EINTR) throw std::system_error(errno, std::generic_category(), "waitpid");
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(5000));
  }
  kill(kill_target, SIGKILL);
  const int status = reap(pid);
  // The child may have finished between the deadline and the kill: then its own status stands.
  return {status, WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL};
}

}  // namespace softcheck
