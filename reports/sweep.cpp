#include "reports/sweep.hpp"

#include <fmt/format.h>
#include <mpfr.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <mutex>
#include <thread>

#include "reports/contract_json.hpp"
#include "properties/error_bound.hpp"
#include "reports/cell_stats.hpp"
#include "reports/families.hpp"
#include "reports/op_adapter.hpp"

namespace softcheck::reports {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// A first call on the calling thread, so lazily initialised dispatch (Highway picks its target on
// the first call) is settled before worker threads call the kernel concurrently.
void warm_up(const Kernel& k, const OpAdapter& a, const Invoker& invoker) {
  const std::vector<double> x{0.0, 1.0, -1.0, 0.5};
  const RowCase rc = a.make_case(k.contract, x, 1);
  (void)a.run(k, invoker, x, std::span<const RowCase>(&rc, 1), x.size());  // outputs unused
}

}  // namespace

CellRun run_cell(const Kernel& kernel, const Plan& plan, const std::string& family,
                 std::size_t cols, std::size_t plan_position, const Invoker& invoker,
                 std::size_t ranged_from, std::size_t range) {
  const Contract& c = kernel.contract;
  const OpAdapter* adapter = adapter_for(c.op);
  if (!adapter)
    throw std::invalid_argument("run_cell: no adapter for " + std::string(name_of(c.op)));
  CellRun run;
  CellResult& cell = run.cell;
  cell.family = family;
  cell.cols = cols;
  cell.seed = cell_seed(plan, family, cols);
  cell.rows = rows_for(plan, cols);
  // The rows in the contract's domain, moved to the front in place (no second copy of the cell):
  // rows outside it are not the kernel's business, counted, not measured.
  std::vector<double> xs = draw_family(c, family, cell.rows, cols, cell.seed);
  std::vector<std::size_t> live;
  for (std::size_t r = 0; r < cell.rows; ++r) {
    const auto row = xs.begin() + static_cast<std::ptrdiff_t>(r * cols);
    if (!in_domain(c, std::span<const double>(&*row, cols))) {
      ++cell.rows_out_of_domain;
      continue;
    }
    if (live.size() != r)
      std::copy(row, row + static_cast<std::ptrdiff_t>(cols),
                xs.begin() + static_cast<std::ptrdiff_t>(live.size() * cols));
    live.push_back(r);
  }
  xs.resize(live.size() * cols);
  xs.shrink_to_fit();
  const bool in_ranges = cols >= ranged_from && adapter->judges_in_ranges();
  CellAccumulator acc(c, *adapter, in_ranges);
  std::vector<RowCase> cases;
  if (!live.empty()) {
    for (std::size_t i = 0; i < live.size(); ++i)
      cases.push_back(adapter->make_case(c, std::span<const double>(xs.data() + i * cols, cols),
                                         cell.seed ^ (0x9e3779b97f4a7c15ull * (live[i] + 1))));
    const auto out = adapter->run(kernel, invoker, xs, cases, cols);
    if (const auto* err = std::get_if<std::string>(&out)) {
      cell.call_error = *err;
    } else {
      const RowOutputs& y = std::get<RowOutputs>(out);
      std::vector<double> got;
      for (std::size_t i = 0; i < live.size(); ++i) {
        const std::span<const double> row(xs.data() + i * cols, cols);
        if (in_ranges) {
          acc.add_row_in_ranges(live[i], row, cases[i], y, i, range);
          continue;
        }
        y.copy(i, 0, y.per_row(), got);
        acc.add_row(live[i], row, cases[i], got);
      }
    }
  }
  acc.finish(cell);
  acc.release_samples();

  WorstCase& w = run.worst;
  const WorstElement& e = acc.worst();  // unrounded: the file is exact
  w.kernel = c.name;
  w.op = c.op;
  w.dtype = c.dtype;
  w.family = family;
  w.cols = cols;
  w.seed = cell.seed;
  w.plan_position = plan_position;
  w.row = e.row;
  w.index = e.index;
  w.kind = e.kind;
  w.got = e.got;
  w.exact = e.exact;
  w.expected = e.expected;
  w.ulps_exact = e.ulps_exact;
  w.ulps_rounded = e.ulps_rounded;
  w.abs = e.abs;
  w.bound_abs = e.bound_abs;
  w.tightness = e.tightness;
  const std::span<const double> worst_x = acc.worst_row();  // may be a view into xs
  w.x.assign(worst_x.begin(), worst_x.end());
  const RowCase& rc = acc.worst_case_inputs();
  w.tau = rc.tau;
  w.label = rc.label;
  w.y = rc.y;
  w.dy = rc.dy;
  return run;
}

KernelReport make_kernel_report(const Kernel& kernel, std::vector<CellRun> cells) {
  KernelReport k;
  k.name = kernel.contract.name;
  k.contract = contract_to_json(kernel.contract);
  k.op = kernel.contract.op;
  k.dtype = kernel.contract.dtype;
  if (const OpAdapter* a = adapter_for(k.op)) k.bound = std::string(a->error_measure());
  for (CellRun& r : cells) {
    if (!r.worst.x.empty() && (!k.worst || worse_than(r.worst, *k.worst)))
      k.worst = std::move(r.worst);
    k.cells.push_back(std::move(r.cell));
  }
  compute_totals(k);
  return k;
}

Report run_sweep(std::span<const Kernel> kernels, const SweepOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  const InProcessInvoker in_process;
  const Invoker& invoker = o.invoker ? *o.invoker : in_process;
  Report report;
  report.plan = o.plan;
  report.shard = o.shard;

  struct Job {
    const Kernel* kernel;
    std::vector<std::pair<std::size_t, std::size_t>> cells;  // (family index, cols index) in shard
  };
  std::vector<Job> jobs;
  std::size_t number = 0, total = 0;
  for (const Kernel& k : kernels) {
    if (auto why = skip_reason(k)) {
      report.skipped.push_back({k.contract.name, std::string(name_of(k.contract.op)),
                                std::string(name_of(k.contract.dtype)), *why});
      continue;
    }
    Job job{&k, {}};
    for (std::size_t f = 0; f < o.plan.families.size(); ++f)
      for (std::size_t c = 0; c < o.plan.cols.size(); ++c, ++number)
        if (o.shard.contains(number)) job.cells.emplace_back(f, c);
    total += job.cells.size();
    jobs.push_back(std::move(job));
  }
  if (o.progress) o.progress->begin(total, jobs.size());

  for (const Job& job : jobs) {
    const auto kernel_start = std::chrono::steady_clock::now();
    const Kernel& kernel = *job.kernel;
    if (o.progress) o.progress->kernel_begin(kernel.contract.name);
    warm_up(kernel, *adapter_for(kernel.contract.op), invoker);
    std::vector<CellRun> runs(job.cells.size());
    // Longest rows first, so the threads finish together.
    std::vector<std::size_t> order(job.cells.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return o.plan.cols[job.cells[a].second] > o.plan.cols[job.cells[b].second];
    });
    std::atomic<std::size_t> next{0};
    std::exception_ptr error;
    std::mutex error_mu;
    auto worker = [&] {
      for (;;) {
        if (o.cancel && o.cancel->load()) return;
        const std::size_t i = next.fetch_add(1);
        if (i >= order.size()) return;
        const auto [f, c] = job.cells[order[i]];
        try {
          runs[order[i]] = run_cell(kernel, o.plan, o.plan.families[f], o.plan.cols[c],
                                    f * o.plan.cols.size() + c, invoker);
        } catch (...) {
          std::lock_guard lock(error_mu);
          if (!error) error = std::current_exception();
          next = order.size();
          return;
        }
        if (o.progress) o.progress->cell_done();
      }
    };
    const unsigned threads =
        std::max(1u, std::min<unsigned>(o.jobs, static_cast<unsigned>(order.size())));
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t)
      pool.emplace_back([&] {
        worker();
        // MPFR keeps per-thread caches (constants, exp tables) that a thread's exit would leak.
        mpfr_free_cache2(MPFR_FREE_LOCAL_CACHE);
      });
    worker();
    for (std::thread& t : pool) t.join();
    if (error) std::rethrow_exception(error);
    if (o.cancel && o.cancel->load()) throw Interrupted();
    KernelReport k = make_kernel_report(kernel, std::move(runs));
    // The experiments depend on the kernel only, not on the cells of this shard, so every shard
    // that sees the kernel fail finds the same diagnosis and a merge keeps it.
    if (o.diagnose && k.totals.verdict != "passed") k.diagnosis = diagnose(kernel, invoker);
    const double secs = seconds_since(kernel_start);
    if (o.progress) o.progress->kernel_done(k.name, k.cells.size(), k.totals.verdict, secs);
    report.run["kernel_seconds"][k.name] = secs;
    report.kernels.push_back(std::move(k));
  }
  if (o.progress) o.progress->end();
  report.run["seconds"] = seconds_since(start);
  report.run["jobs"] = o.jobs;
  return report;
}

}  // namespace softcheck::reports
