// Running a report's sweep: every (kernel, family, cols) cell of the plan that falls in the shard,
// each measured against the MPFR oracle and the kernel's a-priori bound. Kernels run one after the
// other; the cells of a kernel run on `jobs` threads. Results do not depend on jobs or shards.
#pragma once

#include <atomic>
#include <span>
#include <stdexcept>
#include <string>

#include "properties/invoke.hpp"
#include "reports/progress.hpp"
#include "reports/report.hpp"

namespace softcheck::reports {

struct SweepOptions {
  Plan plan = default_plan();
  Shard shard;
  unsigned jobs = 1;
  const Invoker* invoker = nullptr;           // nullptr: in-process calls
  Progress* progress = nullptr;               // nullptr: silent
  const std::atomic<bool>* cancel = nullptr;  // set (e.g. by SIGINT) to stop between cells
  bool diagnose = true;  // diagnose failed kernels (properties/diagnosis)
};

// Thrown by run_sweep when options.cancel was set; nothing of the sweep is kept.
struct Interrupted : std::runtime_error {
  Interrupted() : std::runtime_error("interrupted") {}
};

// Sweeps every kernel (skipping, with the reason, those no adapter handles) and computes totals.
Report run_sweep(std::span<const Kernel> kernels, const SweepOptions& options);

struct CellRun {
  CellResult cell;
  WorstCase worst;  // x empty when nothing was measured
};

// Rows from this length on are judged in ranges of kJudgedRange outputs where the op's adapter can
// (OpAdapter::judges_in_ranges): the oracle's and the statistics' memory then stays independent of
// the row's length (README, "Memory"). Shorter rows are judged whole.
inline constexpr std::size_t kRangedRowCols = std::size_t{1} << 16;
inline constexpr std::size_t kJudgedRange = std::size_t{1} << 14;

// One cell: draws the rows, keeps those in the contract's domain, calls the kernel once on all of
// them, measures every output. plan_position is the cell's position in the kernel's plan.
// ranged_from, range: the row length from which rows are judged in ranges, and the range
// (the test of the two ways sets them small).
CellRun run_cell(const Kernel& kernel, const Plan& plan, const std::string& family,
                 std::size_t cols, std::size_t plan_position, const Invoker& invoker,
                 std::size_t ranged_from = kRangedRowCols, std::size_t range = kJudgedRange);

// The report of one kernel from its cells (plan order) and their worst cases.
KernelReport make_kernel_report(const Kernel& kernel, std::vector<CellRun> cells);

}  // namespace softcheck::reports
