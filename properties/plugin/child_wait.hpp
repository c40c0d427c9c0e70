// Waiting for a child process with a deadline: shared by the invokers that run kernels in child
// processes (a forked child per call, or a softcheck-worker).
#pragma once

#include <sys/types.h>

#include <chrono>

namespace softcheck {

// waitpid(pid) until it returns (retrying on EINTR); its status.
int reap(pid_t pid);

struct ChildEnd {
  int status = 0;
  bool killed_for_timeout = false;
};

// Waits for the child at most `timeout`; past that kills `kill_target` (the child, or -pgid for its
// process group) with SIGKILL and reaps the child.
ChildEnd wait_for(pid_t pid, std::chrono::milliseconds timeout, pid_t kill_target);
inline ChildEnd wait_for(pid_t pid, std::chrono::milliseconds timeout) {
  return wait_for(pid, timeout, pid);
}

}  // namespace softcheck
