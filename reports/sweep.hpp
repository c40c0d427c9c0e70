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

// One cell: draws the rows, keeps those in the contract's domain, calls the kernel once on all of
// them, measures every output. plan_position is the cell's position in the kernel's plan.
CellRun run_cell(const Kernel& kernel, const Plan& plan, const std::string& family,
                 std::size_t cols, std::size_t plan_position, const Invoker& invoker);

// The report of one kernel from its cells (plan order) and their worst cases.
KernelReport make_kernel_report(const Kernel& kernel, std::vector<CellRun> cells);

}  // namespace softcheck::reports
