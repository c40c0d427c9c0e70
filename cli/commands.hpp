// Subcommands of the softcheck CLI. Each registers its options on the app and returns the exit
// status through a callback. The statuses (README.md, "Exit codes", lists the same):
#pragma once

#include <functional>
#include <stdexcept>
#include <string>

#include <CLI/CLI.hpp>

namespace softcheck::cli {

inline constexpr int kExitPassed = 0;  // every property held / every report verdict passed
inline constexpr int kExitFailed = 1;  // a kernel failed a property, a verdict or the baseline
inline constexpr int kExitUsage = 2;   // bad flag, path, file or plugin: nothing was judged
// Nothing was checked: every selected kernel or property was skipped (a SIMD kernel this CPU
// cannot run): a CI job that checked nothing must not read as green.
inline constexpr int kExitNothingChecked = 3;
// An error of softcheck itself (an oracle or generator threw) while checking: the verdict ERROR,
// never a failure of the kernel under test (benchdnn keeps FAILED apart from UNTESTED). A failed
// property elsewhere in the same run still exits 1.
inline constexpr int kExitError = 4;
// A run ended by signal N (SIGINT, SIGTERM) exits 128 + N, as shells report it.
inline constexpr int exit_status_for_signal(int signo) { return 128 + signo; }

// A usage or input problem (unknown kernel, missing file or symbol): exit 2 with the message.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

using Runner = std::function<int()>;

Runner add_list_command(CLI::App& app);
Runner add_check_command(CLI::App& app);
Runner add_report_command(CLI::App& app);
Runner add_merge_command(CLI::App& app);
#ifdef SOFTCHECK_HAVE_BENCH
Runner add_bench_command(CLI::App& app);  // cli/bench_command.cpp
#endif

}  // namespace softcheck::cli
