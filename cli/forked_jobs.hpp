// Runs jobs in forked child processes, at most `workers` at a time: how `softcheck check --jobs N`
// checks properties in parallel. Processes, not threads, because RapidCheck keeps the state of the
// property being checked (its generation context, rc::detail::ImplicitParam) in plain statics, so
// two checkTestable calls in one process at once would corrupt each other; a child also begins with
// the parent's memory as it was, so each job sees what a --jobs 1 run would have seen.
//
// Forks happen only on the calling thread while the parent runs nothing else; a child runs one
// job, writes what it returned to a pipe and leaves with _exit (no atexit handlers, no destructors
// of objects it inherited, such as the parent's plugin worker).
#pragma once

#include <cstddef>
#include <functional>
#include <string>

namespace softcheck::cli {

struct JobResult {
  bool ok = false;
  std::string data;  // ok: what the job returned; else why the job failed (a signal, a throw)
};

// Calls job(i) for i in [0, count), each in a child process, and done(i, result) in this process
// as each finishes (in the order they finish; the caller merges). Children still running when
// done() throws are killed and reaped.
void run_forked(std::size_t count, int workers, const std::function<std::string(std::size_t)>& job,
                const std::function<void(std::size_t, JobResult)>& done);

}  // namespace softcheck::cli
