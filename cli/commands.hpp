// Subcommands of the softcheck CLI. Each registers its options on the app and returns the exit
// status through a callback: 0 every property held, 1 a property failed, 2 usage or input error.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>

#include <CLI/CLI.hpp>

namespace softcheck::cli {

inline constexpr int kExitPassed = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

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
