// softcheck report: the accuracy and error-bound report of issue 7 (summary.md, report.json,
// index.html and worst-case files in --out, written atomically), with a baseline diff and shards
// for CI; and softcheck merge, which puts the shards of one sweep back together.
#include <fmt/format.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/commands.hpp"
#include "cli/output_paths.hpp"
#include "cli/plugin_kernels.hpp"
#include "cli/seed_option.hpp"
#include "adapters/peer_kernels.hpp"
#include "impl/registry.hpp"
#include "reports/baseline.hpp"
#include "reports/families.hpp"
#include "reports/merge.hpp"
#include "reports/report_dir.hpp"
#include "reports/sweep.hpp"

namespace softcheck::cli {
namespace {

struct BaselineOptions {
  std::string path;
  reports::Margins margins;
};

void add_baseline_options(CLI::App& cmd, BaselineOptions& o) {
  cmd.add_option("--baseline", o.path,
                 "A previous report.json (or its directory): exit 1 when a verdict changes or a "
                 "cell's error or bias grows beyond the margins; the diff goes into summary.md");
  cmd.add_option("--margin-ulps-rel", o.margins.ulps_rel,
                 "Relative growth of a cell's max ulp error tolerated by --baseline")
      ->check(CLI::Range(0.0, 1e6))
      ->capture_default_str();
  cmd.add_option("--margin-ulps-abs", o.margins.ulps_abs,
                 "Absolute growth (ulps) of a cell's max ulp error tolerated by --baseline")
      ->check(CLI::Range(0.0, 1e12))
      ->capture_default_str();
  cmd.add_option("--margin-bias", o.margins.bias_ulps,
                 "Growth (ulps) of a cell's |mean signed error| tolerated by --baseline")
      ->check(CLI::Range(0.0, 1e12))
      ->capture_default_str();
}

reports::Report read_baseline(const std::string& path) {
  try {
    return reports::read_report_json(path);
  } catch (const std::exception& e) {
    throw UsageError(fmt::format("--baseline: {}", e.what()));
  }
}

// Diff, write, tell: the end of both report and merge. Exit 1 when a kernel failed its verdict or
// the baseline diff found a regression.
int finish_report(const reports::Report& report, const std::optional<reports::Report>& baseline,
                  const BaselineOptions& bo, const std::string& out) {
  std::optional<reports::BaselineDiff> diff;
  if (baseline) {
    try {
      diff = reports::diff_reports(*baseline, report, bo.margins);
    } catch (const reports::BaselineMismatch& e) {
      throw UsageError(fmt::format("--baseline {}: {}", bo.path, e.what()));
    }
    diff->baseline = bo.path;
  }
  try {
    reports::write_report_dir(out, report, diff ? &*diff : nullptr);
  } catch (const std::exception& e) {
    throw UsageError(fmt::format("cannot write the report to {}: {}", out, e.what()));
  }
  std::size_t failed = 0;
  for (const reports::KernelReport& k : report.kernels) {
    if (k.totals.verdict == "passed") continue;
    // A peer's failures are findings about that library (docs/findings.md), not a failure of the
    // report: they are printed and kept in the report, but do not set the exit status.
    const Kernel* registered = find_kernel(k.name);
    const bool peer = registered != nullptr && is_peer(registered->contract);
    failed += peer ? 0 : 1;
    fmt::print("FAILED{} {}: {}{}\n", peer ? " (peer library; exit status unaffected)" : "", k.name,
               k.totals.failed_cells.front(),
               k.totals.failed_cells.size() > 1
                   ? fmt::format(" (and {} more cells)", k.totals.failed_cells.size() - 1)
                   : "");
  }
  for (const reports::SkippedKernel& k : report.skipped)
    fmt::print("SKIPPED {}: {}\n", k.name, k.reason);
  if (diff)
    for (const reports::DiffEntry& e : diff->entries)
      if (e.regression)
        fmt::print("REGRESSION {} {} {}: {} -> {}\n", e.kernel, e.cell.empty() ? "-" : e.cell,
                   e.what, e.before, e.after);
  fmt::print(
      "softcheck report: {} kernels, {} passed, {} failed, {} skipped{}; wrote {}/summary.md, "
      "report.json, index.html\n",
      report.kernels.size(), report.kernels.size() - failed, failed, report.skipped.size(),
      diff ? (diff->regressed() ? "; baseline: REGRESSED" : "; baseline: no regression") : "", out);
  std::fflush(stdout);
  if (failed > 0 || (diff && diff->regressed())) return kExitFailed;
  if (report.kernels.empty()) {
    fmt::print(stderr, "softcheck: nothing was swept: every selected kernel was skipped (reasons "
               "above); exit 3\n");
    return kExitNothingChecked;
  }
  return kExitPassed;
}

struct MergeOptions {
  std::vector<std::string> dirs;
  std::string out;
  BaselineOptions baseline;
};

int run_merge(const MergeOptions& o) {
  require_report_out("--out", o.out);
  std::optional<reports::Report> baseline;
  if (!o.baseline.path.empty()) baseline = read_baseline(o.baseline.path);
  std::vector<reports::Report> parts;
  for (const std::string& d : o.dirs) {
    try {
      parts.push_back(reports::read_report_dir(d));
    } catch (const std::exception& e) {
      throw UsageError(fmt::format("merge: {}: {}", d, e.what()));
    }
  }
  reports::Report merged;
  try {
    merged = reports::merge_reports(std::move(parts));
  } catch (const reports::MergeError& e) {
    throw UsageError(fmt::format("merge: {}", e.what()));
  }
  return finish_report(merged, baseline, o.baseline, o.out);
}

struct ReportOptions {
  std::string out = "build/report";
  bool quick = false;
  std::vector<std::string> kernels;
  std::vector<std::string> families;
  std::vector<std::size_t> cols;
  uint64_t seed = reports::kDefaultReportSeed;
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  std::string shard;
  BaselineOptions baseline;
  PluginOptions plugin;
  bool quiet = false;
};

std::atomic<bool> g_interrupted{false};
volatile std::sig_atomic_t g_signal = 0;  // the signal that interrupted the sweep
// Ctrl-C, kill, a closed terminal: each ends the sweep cleanly, leaving --out as it was.
constexpr int kInterruptSignals[] = {SIGINT, SIGTERM, SIGHUP};

extern "C" void on_interrupt(int sig) {
  g_signal = sig;
  g_interrupted = true;
  std::signal(sig, SIG_DFL);  // a second Ctrl-C ends the process at once
}

reports::Plan make_plan(const ReportOptions& o) {
  reports::Plan plan = o.quick ? reports::quick_plan() : reports::default_plan();
  plan.seed = o.seed;
  if (!o.families.empty()) {
    for (const std::string& f : o.families)
      if (!reports::find_family(f))
        throw UsageError(fmt::format("unknown input family '{}' (families: {})", f,
                                     fmt::join(reports::family_names(), ", ")));
    std::vector<std::string> kept;
    for (const std::string& f : plan.families)
      if (std::find(o.families.begin(), o.families.end(), f) != o.families.end()) kept.push_back(f);
    plan.families = kept;
  }
  if (!o.cols.empty()) {
    plan.cols = o.cols;
    std::sort(plan.cols.begin(), plan.cols.end());
    plan.cols.erase(std::unique(plan.cols.begin(), plan.cols.end()), plan.cols.end());
  }
  return plan;
}

reports::Shard make_shard(const ReportOptions& o) {
  if (!o.shard.empty()) {
    const auto s = reports::parse_shard(o.shard);
    if (!s) throw UsageError(fmt::format("--shard '{}': expected i/N with 0 <= i < N", o.shard));
    return *s;
  }
  try {
    return reports::shard_from_environment().value_or(reports::Shard{});
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
}

int run_report(const ReportOptions& o) {
  // Before the sweep: a directory of the user's files is never replaced, and a bad path costs no
  // sweep.
  require_report_out("--out", o.out);
  std::vector<Kernel> kernels;
  std::unique_ptr<LoadedPlugin> plugin;
  if (!o.plugin.lib.empty()) {
    plugin = load_plugin(o.plugin);
    kernels = plugin->kernels;
  }
  for (const std::string& name : o.kernels) {
    const Kernel* k = find_kernel(name);
    if (!k) throw UsageError(fmt::format("unknown kernel '{}' (see `softcheck list`)", name));
    kernels.push_back(*k);
  }
  if (kernels.empty())
    for (const Kernel& k : builtin_kernels()) kernels.push_back(k);
  for (std::size_t i = 0; i < kernels.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (kernels[i].contract.name == kernels[j].contract.name)
        throw UsageError(fmt::format("kernel '{}' given twice", kernels[i].contract.name));

  reports::SweepOptions sweep;
  sweep.plan = make_plan(o);
  sweep.shard = make_shard(o);
  // Plugin kernels run as --isolation says; one job, as one worker serves one call at a time.
  const std::unique_ptr<Invoker> isolated =
      plugin ? make_invoker(plugin.get(), false, o.plugin.timeout_s) : nullptr;
  sweep.invoker = isolated.get();
  sweep.jobs = plugin ? 1 : o.jobs;
  std::optional<reports::Progress> progress;
  if (!o.quiet) progress.emplace(reports::Progress::auto_mode(stderr));
  sweep.progress = progress ? &*progress : nullptr;
  sweep.cancel = &g_interrupted;

  // Read the baseline first: a bad path should not cost a whole sweep.
  std::optional<reports::Report> baseline;
  if (!o.baseline.path.empty()) baseline = read_baseline(o.baseline.path);

  for (int sig : kInterruptSignals) std::signal(sig, on_interrupt);
  reports::Report report;
  try {
    report = reports::run_sweep(kernels, sweep);
  } catch (const reports::Interrupted&) {
    const int sig = g_signal != 0 ? static_cast<int>(g_signal) : SIGINT;
    std::cerr << fmt::format("softcheck report: interrupted by signal {} ({}); {} left as it was\n",
                             sig, strsignal(sig), o.out);
    return exit_status_for_signal(sig);
  }
  for (int sig : kInterruptSignals) std::signal(sig, SIG_DFL);
  return finish_report(report, baseline, o.baseline, o.out);
}

}  // namespace

Runner add_report_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "report",
      "Sweep kernels over input families and row lengths; write summary.md, report.json "
      "and index.html (with plots) to --out");
  auto o = std::make_shared<ReportOptions>();
  cmd->add_option("--out,-o", o->out, "Report directory (replaced atomically)")
      ->capture_default_str();
  cmd->add_flag("--quick", o->quick, "Fewer lengths and rows: a sweep in seconds");
  cmd->add_option("--kernel,-k", o->kernels,
                  "Built-in kernel to sweep (repeatable; default: every built-in kernel)");
  cmd->add_option("--family", o->families, "Only these input families (repeatable)");
  cmd->add_option("--cols", o->cols, "Only these row lengths (repeatable)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 24));
  add_seed_option(*cmd, o->seed, "Seed of the sweep's inputs");
  cmd->add_option("--jobs,-j", o->jobs, "Threads measuring cells")
      ->check(CLI::Range(1u, 256u))
      ->capture_default_str();
  cmd->add_option(
      "--shard", o->shard,
      "Measure only shard i of N (i/N); default from GTEST_SHARD_INDEX/GTEST_TOTAL_SHARDS");
  add_baseline_options(*cmd, o->baseline);
  add_plugin_options(*cmd, o->plugin);
  cmd->add_flag("--quiet,-q", o->quiet, "No progress on stderr");
  return [o] { return run_report(*o); };
}

Runner add_merge_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "merge",
      "Merge the report directories of the shards of one sweep (report --shard i/N) into one");
  auto o = std::make_shared<MergeOptions>();
  cmd->add_option("dirs", o->dirs, "Report directories of shards 0..N-1")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--out,-o", o->out, "Merged report directory (replaced atomically)")->required();
  add_baseline_options(*cmd, o->baseline);
  return [o] { return run_merge(*o); };
}

}  // namespace softcheck::cli
