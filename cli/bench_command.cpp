// softcheck bench: time kernels (built-in, peers, plugins) side by side in one Google Benchmark
// run over a size sweep (bench/sweep.hpp), interleaved, with repetitions; print elements/s,
// ratios to the baseline and to the copy bandwidth measured in the same run (bench/summary.hpp),
// and optionally the same figures as JSON. Plugin kernels go through their property catalogue
// first (isolated, as `softcheck check` runs them) and are timed in-process only when every
// property held, unless --force: a kernel that computes the wrong thing has no speed worth quoting.
#include <benchmark/benchmark.h>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "bench/subjects.hpp"
#include "bench/summary.hpp"
#include "bench/sweep.hpp"
#include "cli/check_output.hpp"
#include "cli/commands.hpp"
#include "cli/output_paths.hpp"
#include "cli/plugin_kernels.hpp"
#include "impl/registry.hpp"
#include "properties/runner.hpp"

namespace softcheck::cli {
namespace {

struct BenchOptions {
  std::vector<std::string> kernels;
  PluginOptions plugin;
  std::vector<std::size_t> cols = {128, 1000, 4096, 32768, 262144};
  std::vector<std::string> elements = {"1M", "64M"};
  int repetitions = 3;
  double min_time = 0.2;
  std::string baseline = bench::kBaselineName;
  std::string json_path;
  bool force = false;
  bool quiet = false;
};

bench::Subject subject_of(const Kernel& k, bench::Group group) {
  if (auto why = k.unrunnable_reason())
    throw UsageError(fmt::format("{} cannot run here: {}", k.contract.name, *why));
  auto s = bench::subject_for(k, group);
  if (!s)
    throw UsageError(fmt::format("{}: op {} is not benchmarked (softmax, log_softmax and "
                                 "softmax_temp are)",
                                 k.contract.name, name_of(k.contract.op)));
  return *s;
}

// The catalogue on a plugin kernel, isolated; true when every property held.
bool plugin_passes(const Kernel& k, const LoadedPlugin& plugin, const BenchOptions& o) {
  // Checked as `softcheck check` checks it (the --isolation level, a worker by default).
  const std::unique_ptr<Invoker> invoker = make_invoker(&plugin, false, o.plugin.timeout_s);
  RunConfig config;
  config.repro_prefix = "softcheck check " + plugin_repro_arguments(o.plugin, k.contract.name);
  bool ok = true;
  for (const Property* p : properties_for(k.contract)) {
    const PropertyOutcome outcome = run_property(k, *p, *invoker, config);
    if (outcome.verdict == Verdict::failed || outcome.verdict == Verdict::gave_up) {
      ok = false;
      std::cout << format_outcome(outcome) << "\n";
    }
  }
  std::cerr << fmt::format("softcheck bench: {} {} its checks\n", k.contract.name,
                           ok ? "passed" : "FAILED");
  return ok;
}

int run_bench(const BenchOptions& o) {
  bench::Sweep sweep;
  sweep.cols = o.cols;
  for (const std::string& e : o.elements) {
    const std::size_t n = bench::parse_elements(e);
    if (n == 0) throw UsageError(fmt::format("--elements {}: expected a count like 4096, 16K or 64M", e));
    sweep.sizes.push_back({e, n});
  }
  require_writable_output("--json", o.json_path);  // before anything is timed

  // The subjects, validated before anything is timed.
  static std::vector<bench::Subject> subjects;  // outlive the registered benchmarks
  subjects = bench::reference_subjects();
  for (const std::string& name : o.kernels) {
    const Kernel* k = find_kernel(name);
    if (!k) throw UsageError(fmt::format("unknown kernel '{}' (see `softcheck list`)", name));
    subjects.push_back(subject_of(*k, bench::Group::kernel));
  }
  std::unique_ptr<LoadedPlugin> plugin;
  std::unique_ptr<LoadedPlugin> timed;  // the library loaded in-process: alive until timed
  bool failed_checks = false;
  if (!o.plugin.lib.empty()) {
    plugin = load_plugin(o.plugin);
    // Timed in this process (a worker's entry points would time the round trip, not the kernel):
    // the same library loaded again without isolation, once its checks have passed.
    PluginOptions in_process = o.plugin;
    in_process.isolation = "none";
    for (const Kernel& checked : plugin->kernels) {
      if (!plugin_passes(checked, *plugin, o)) {
        failed_checks = true;
        if (!o.force) {
          std::cerr << fmt::format("softcheck bench: not timing {} (use --force to time it anyway)\n",
                                   checked.contract.name);
          continue;
        }
      }
      if (!timed) timed = load_plugin(in_process);
      const auto same = std::find_if(timed->kernels.begin(), timed->kernels.end(),
                                     [&](const Kernel& t) { return t.contract.name == checked.contract.name; });
      if (same == timed->kernels.end())
        throw UsageError(fmt::format("{}: not found when loading the library in-process", checked.contract.name));
      bench::Subject s = subject_of(*same, bench::Group::kernel);
      s.name = "plugin:" + s.name;
      subjects.push_back(std::move(s));
    }
  }
  if (subjects.size() == bench::reference_subjects().size() && o.plugin.lib.empty())
    throw UsageError("nothing to time: give --kernel NAME... and/or --lib PATH");
  const bool baseline_known = std::any_of(subjects.begin(), subjects.end(),
                                          [&](const bench::Subject& s) { return s.name == o.baseline; });
  if (!baseline_known)
    throw UsageError(fmt::format("--baseline {}: not among the timed subjects", o.baseline));

  bench::register_sweep(subjects, sweep);
  // Google Benchmark reads its settings from flags: interleaved repetitions, each repetition at
  // least min_time seconds.
  std::vector<std::string> args = {
      "softcheck-bench", fmt::format("--benchmark_repetitions={}", o.repetitions),
      "--benchmark_enable_random_interleaving=true",
      fmt::format("--benchmark_min_time={}", o.min_time)};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  int argc = static_cast<int>(argv.size());
  benchmark::Initialize(&argc, argv.data());
  bench::SummaryReporter reporter(false, subjects, sweep, o.baseline);
  if (o.quiet) {
    // The console lines of every single run go nowhere; the summary is printed below.
    static std::ofstream null("/dev/null");
    reporter.SetOutputStream(&null);
    reporter.SetErrorStream(&null);
  }
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_summary(stdout);
  benchmark::Shutdown();
  if (!o.json_path.empty()) {
    nlohmann::json j = reporter.to_json();
    j["failed_checks"] = failed_checks;
    write_output(o.json_path, j.dump(2) + "\n");
  }
  return failed_checks ? kExitFailed : kExitPassed;
}

}  // namespace

Runner add_bench_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "bench", "Time kernels, peers and plugins side by side over a size sweep (Google Benchmark)");
  auto o = std::make_shared<BenchOptions>();
  cmd->add_option("--kernel,-k", o->kernels, "Registered kernel to time (repeatable; see list)");
  add_plugin_options(*cmd, o->plugin);
  cmd->add_option("--cols", o->cols, "Row lengths of the sweep")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 24))
      ->capture_default_str();
  cmd->add_option("--elements", o->elements,
                  "Elements per batch (rows = elements / cols): in cache and DRAM-sized")
      ->capture_default_str();
  cmd->add_option("--repetitions", o->repetitions, "Interleaved repetitions of each benchmark")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->add_option("--min-time", o->min_time, "Seconds per repetition, at least")
      ->check(CLI::Range(0.001, 60.0))
      ->capture_default_str();
  cmd->add_option("--baseline", o->baseline, "Subject the speed ratios are taken against")
      ->capture_default_str();
  cmd->add_option("--json", o->json_path, "Write the figures as JSON (schema softcheck-bench/1)");
  cmd->add_flag("--force", o->force, "Time plugin kernels even when their checks failed");
  cmd->add_flag("--quiet,-q", o->quiet, "Only the summary, not every single run");
  return [o, cmd] {
    require_plugin_flags_consistent(*cmd, o->plugin);
    return run_bench(*o);
  };
}

}  // namespace softcheck::cli
