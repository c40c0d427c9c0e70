// softcheck check: run the property catalogue on built-in or plugin kernels.
#include <algorithm>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <stdexcept>

#include <fmt/format.h>

#include "cli/check_output.hpp"
#include "cli/check_progress.hpp"
#include "cli/commands.hpp"
#include "cli/forked_jobs.hpp"
#include "cli/outcome_wire.hpp"
#include "cli/output_paths.hpp"
#include "cli/plugin_kernels.hpp"
#include "cli/seed_option.hpp"
#include "impl/registry.hpp"
#include "properties/runner.hpp"
#include "reports/op_adapter.hpp"

namespace softcheck::cli {
namespace {

struct CheckOptions {
  std::vector<std::string> kernels;
  bool all = false;
  PluginOptions plugin;
  RunConfig config;
  std::string property;
  std::string json_path, junit_path;
  bool isolate = false;
  bool quiet = false;
  int jobs = 1;  // --jobs: properties checked at once, each in a child process
  std::string program = "softcheck";  // as invoked (argv[0]), for the reproduce lines
};

std::string quote_if_needed(const std::string& s) {
  return s.find_first_of(" \t'\"$") == std::string::npos ? s : "'" + s + "'";
}

// A kernel to check and how it was chosen: by name (--kernel, --symbol, --only), or as one of a
// list (--all, a library's softcheck_kernels()). A property that does not apply to a kernel named
// is a usage error; to one of a list, a visible skip.
struct Selected {
  Kernel kernel;
  bool named = false;
  bool from_plugin = false;
};

std::vector<Selected> select_kernels(const CheckOptions& o, const LoadedPlugin* plugin) {
  std::vector<Selected> out;
  if (plugin)
    for (const Kernel& k : plugin->kernels)
      out.push_back({k, !o.plugin.symbol.empty() || !o.plugin.only.empty(), true});
  // A built-in kernel is checked once, however often it is selected (--kernel X --all).
  std::set<std::string> builtins;
  for (const std::string& name : o.kernels) {
    const Kernel* k = find_kernel(name);
    if (!k) throw UsageError(fmt::format("unknown kernel '{}' (see `softcheck list`)", name));
    if (builtins.insert(name).second) out.push_back({*k, true, false});
  }
  if (o.all)
    for (const Kernel& k : builtin_kernels())
      if (builtins.insert(k.contract.name).second) out.push_back({k, false, false});
  if (out.empty()) throw UsageError("nothing to check: give --kernel NAME, --all or --lib PATH");
  return out;
}

// The properties each selected kernel is checked with, decided before any checking, so that a
// usage error never comes after minutes of work. Entry i: the properties of kernels[i]; empty
// when --property does not apply to it (a skip).
std::vector<std::vector<const Property*>> plan_properties(const std::vector<Selected>& kernels,
                                                          const std::string& only) {
  if (!only.empty()) {
    const auto all = all_properties();
    if (std::none_of(all.begin(), all.end(), [&](const Property* p) { return p->name == only; })) {
      std::vector<std::string> names;
      for (const Property* p : all)
        if (std::find(names.begin(), names.end(), p->name) == names.end()) names.push_back(p->name);
      throw UsageError(fmt::format("unknown property '{}' (properties: {})", only,
                                   fmt::join(names, ", ")));
    }
  }
  std::vector<std::vector<const Property*>> plan;
  bool any = false;
  for (const Selected& s : kernels) {
    std::vector<const Property*> props;
    for (const Property* p : properties_for(s.kernel.contract))
      if (only.empty() || p->name == only) props.push_back(p);
    if (props.empty() && s.named)
      throw UsageError(fmt::format("property '{}' does not apply to {} (op {})", only,
                                   s.kernel.contract.name, name_of(s.kernel.contract.op)));
    any = any || !props.empty();
    plan.push_back(std::move(props));
  }
  if (!any)
    throw UsageError(
        fmt::format("property '{}' applies to none of the {} selected kernels", only, kernels.size()));
  return plan;
}

PropertyOutcome not_applicable(const Kernel& k, const std::string& property) {
  PropertyOutcome o;
  o.kernel = k.contract.name;
  o.property = property;
  o.verdict = Verdict::skipped;
  o.message = fmt::format("--property {} does not apply to this kernel (op {})", property,
                          name_of(k.contract.op));
  return o;
}

// One step of a check run, in plan order: per kernel, the --property skip, the line saying why it
// cannot run here, then its properties. Output and --json/--junit follow this order whatever the
// order in which --jobs N workers finish.
struct Step {
  std::size_t kernel = 0;
  std::optional<std::string> line;       // printed as it is; no outcome
  std::optional<PropertyOutcome> known;  // decided without checking (a skip)
  const Property* property = nullptr;    // else: the property to check
  bool print = true;                     // an unrunnable kernel's skips are its one line
};

// The outcome of a property whose --jobs worker process failed (killed, or its result unreadable):
// softcheck's error, not the kernel's.
PropertyOutcome job_failed(const Kernel& k, const Property& p, const RunConfig& config,
                           const std::string& why) {
  PropertyOutcome o;
  o.kernel = k.contract.name;
  o.property = p.name;
  o.verdict = Verdict::error;
  o.seed = config.seed;
  o.repro = repro_command(k, p, config);
  o.message = "softcheck error: the process checking this property (--jobs) failed: " + why +
              " (a kernel called in that process, --isolation none, can end it; --isolation "
              "worker reports a crash as a failed case)";
  return o;
}

// A first call of a kernel on a short row; what it returns does not matter.
void warm_up(const Kernel& k, const Invoker& invoker) {
  const reports::OpAdapter* adapter = reports::adapter_for(k.contract.op);
  if (!adapter) return;
  const std::vector<double> x{0.0, 1.0, -1.0, 0.5};
  try {
    const reports::RowCase rc = adapter->make_case(k.contract, x, 1);
    (void)adapter->run(k, invoker, x, std::span<const reports::RowCase>(&rc, 1), x.size());
  } catch (const std::exception&) {
    // A kernel that throws here throws in its properties too, which report it.
  }
}

// --jobs N: each property checked in a child process of its own (cli/forked_jobs.hpp), at most N
// at a time; the outcomes come back as bytes (cli/outcome_wire.hpp) and are emitted in plan order,
// each as soon as every step before it is.
void run_in_parallel(const CheckOptions& o, const LoadedPlugin* plugin, const Invoker& invoker,
                     const std::vector<Selected>& kernels, std::vector<Step>& steps,
                     const std::function<RunConfig(std::size_t)>& config_for,
                     const std::function<void(const Step&, PropertyOutcome)>& emit,
                     std::ostream& human) {
  std::vector<std::size_t> checked;  // the steps that check a property, one job each
  for (std::size_t s = 0; s < steps.size(); ++s)
    if (steps[s].property) checked.push_back(s);
  std::size_t next = 0;  // the first step not emitted yet
  const auto emit_ready = [&] {
    for (; next < steps.size(); ++next) {
      Step& step = steps[next];
      if (step.line)
        human << *step.line;
      else if (step.known)
        emit(step, std::move(*step.known));
      else
        break;
    }
  };
  // Runs in the child. The parent's plugin worker belongs to the parent and serves one caller at a
  // time: a job of a plugin kernel under --isolation worker starts a worker of its own (so a kernel
  // that keeps state across calls starts afresh for each property). Under fork and none, and for
  // built-in kernels, the child's copy of the parent is the state a --jobs 1 run starts from.
  const auto job = [&](std::size_t t) {
    const Step& step = steps[checked[t]];
    const Selected& s = kernels[step.kernel];
    std::unique_ptr<LoadedPlugin> own;
    Kernel kernel = s.kernel;
    if (s.from_plugin && o.plugin.isolation == "worker") {
      own = load_plugin(o.plugin);
      const auto it = std::find_if(own->kernels.begin(), own->kernels.end(), [&](const Kernel& k) {
        return k.contract.name == s.kernel.contract.name;
      });
      if (it == own->kernels.end())
        throw std::runtime_error(o.plugin.lib + " no longer lists " + s.kernel.contract.name);
      kernel = *it;
    }
    const std::unique_ptr<Invoker> invoker =
        make_invoker(own ? own.get() : plugin, o.isolate, o.plugin.timeout_s);
    return encode_outcome(run_property(kernel, *step.property, *invoker, config_for(step.kernel)));
  };
  const auto done = [&](std::size_t t, JobResult r) {
    Step& step = steps[checked[t]];
    if (r.ok) {
      try {
        step.known = decode_outcome(r.data);
      } catch (const std::exception& e) {
        r = {false, e.what()};
      }
    }
    if (!r.ok)
      step.known = job_failed(kernels[step.kernel].kernel, *step.property,
                              config_for(step.kernel), r.data);
    emit_ready();
  };
  // One call of each built-in kernel here, before the first fork, so that what it initialises on
  // its first call (Highway's dispatch, a peer library's runtime) is inherited by every job instead
  // of being redone by each; in-process only (--isolate calls fork from the job anyway). The first
  // call of a peer costs as much as checking a property.
  if (!o.isolate)
    for (const Selected& s : kernels)
      if (!s.from_plugin && !s.kernel.unrunnable_reason()) warm_up(s.kernel, invoker);
  emit_ready();
  run_forked(checked.size(), o.jobs, job, done);
  emit_ready();
}

int run_check(const CheckOptions& o) {
  // Every output path is checked before the work: a bad one costs a usage error, not a run.
  require_writable_output("--json", o.json_path);
  require_writable_output("--junit", o.junit_path);
  require_distinct_outputs({{"--json", o.json_path}, {"--junit", o.junit_path}});
  std::unique_ptr<LoadedPlugin> plugin;
  if (!o.plugin.lib.empty()) plugin = load_plugin(o.plugin);
  const std::vector<Selected> kernels = select_kernels(o, plugin.get());
  const auto properties = plan_properties(kernels, o.property);

  // Plugin kernels run as --isolation says (a worker process by default); built-ins in-process
  // unless --isolate.
  const std::unique_ptr<Invoker> invoker =
      make_invoker(plugin.get(), o.isolate, o.plugin.timeout_s);
  // With a machine-readable result on standard output, the human-readable one goes to stderr.
  const bool data_on_stdout = o.json_path == kStdout || o.junit_path == kStdout;
  std::ostream& human = data_on_stdout ? std::cerr : std::cout;
  // One progress line describes one property: with several at once, the outcome lines (printed in
  // order as they are known) are the progress.
  CheckProgress progress(!o.quiet && o.jobs == 1);
  // The arguments that select a kernel again.
  const auto selection = [&](const Selected& s) {
    const std::string& name = s.kernel.contract.name;
    if (s.from_plugin) return plugin_repro_arguments(o.plugin, name);
    return "--kernel " + quote_if_needed(name) +
           (o.isolate ? " --isolate" + timeout_repro_argument(o.plugin.timeout_s) : "");
  };
  // Every property of a kernel gets the same configuration (--seed included): an outcome depends on
  // the kernel and the property only, never on what ran before it.
  const auto config_for = [&](std::size_t i) {
    RunConfig config = o.config;
    config.repro_prefix = quote_if_needed(o.program) + " check " + selection(kernels[i]);
    return config;
  };

  std::vector<Step> steps;
  for (std::size_t i = 0; i < kernels.size(); ++i) {
    const Kernel& k = kernels[i].kernel;
    if (properties[i].empty()) steps.push_back({i, {}, not_applicable(k, o.property)});
    // A kernel that cannot run here: one line with the reason; a skipped outcome per property
    // for --json/--junit.
    const std::optional<std::string> unrunnable = k.unrunnable_reason();
    if (unrunnable)
      steps.push_back({i, fmt::format("SKIPPED {}: {}\n", k.contract.name, *unrunnable), {}});
    for (const Property* p : properties[i]) {
      if (unrunnable)
        steps.push_back({i, {}, run_property(k, *p, *invoker, config_for(i)), nullptr, false});
      else
        steps.push_back({i, {}, {}, p});
    }
  }

  const JunitRun run = this_run();  // JUnit's timestamp is when the run started
  std::vector<KernelResult> results;
  for (const Selected& s : kernels) results.push_back({s.kernel.contract, {}});
  int counts[kVerdictCount] = {};
  const auto emit = [&](const Step& step, PropertyOutcome outcome) {
    ++counts[static_cast<int>(outcome.verdict)];
    if (step.print) human << format_outcome(outcome) << "\n" << std::flush;
    results[step.kernel].outcomes.push_back(std::move(outcome));
  };
  if (o.jobs == 1) {
    for (Step& step : steps) {
      if (step.line) {
        human << *step.line;
      } else if (step.known) {
        emit(step, std::move(*step.known));
      } else {
        const Kernel& k = kernels[step.kernel].kernel;
        RunConfig config = config_for(step.kernel);
        config.on_case = [&progress](int cases) { progress.case_done(cases); };
        progress.begin(k.contract.name, step.property->name, config.cases);
        PropertyOutcome outcome = run_property(k, *step.property, *invoker, config);
        progress.end();
        emit(step, std::move(outcome));
      }
    }
  } else {
    run_in_parallel(o, plugin.get(), *invoker, kernels, steps, config_for, emit, human);
  }

  const int failed = counts[static_cast<int>(Verdict::failed)] +
                     counts[static_cast<int>(Verdict::gave_up)];
  const int errors = counts[static_cast<int>(Verdict::error)];
  const int skipped = counts[static_cast<int>(Verdict::skipped)];
  const int passed = counts[static_cast<int>(Verdict::passed)];
  human << fmt::format("{} passed, {} failed{}{}\n", passed, failed,
                       errors ? fmt::format(", {} softcheck errors", errors) : "",
                       skipped ? fmt::format(", {} skipped", skipped) : "")
        << std::flush;
  if (!o.json_path.empty())
    write_output(o.json_path, check_to_json(results, o.config).dump(2) + "\n");
  if (!o.junit_path.empty()) write_output(o.junit_path, check_to_junit(results, run));
  if (failed > 0) return kExitFailed;
  if (errors > 0) return kExitError;
  if (passed == 0) {
    std::cerr << "softcheck: nothing was checked: every selected property was skipped (reasons "
                 "above); exit 3\n";
    return kExitNothingChecked;
  }
  return kExitPassed;
}

}  // namespace

Runner add_check_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("check", "Check kernels against the property catalogue");
  auto o = std::make_shared<CheckOptions>();
  cmd->add_option("--kernel,-k", o->kernels, "Built-in kernel to check (repeatable; see list)");
  cmd->add_flag("--all", o->all, "Check every built-in kernel");
  add_plugin_options(*cmd, o->plugin);
  cmd->add_option("--cases", o->config.cases, "Generated cases per property")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  add_seed_option(*cmd, o->config.seed, "Random seed (the failure report prints it)");
  cmd->add_option("--max-cols", o->config.max_cols, "Longest generated row")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000000}))
      ->capture_default_str();
  cmd->add_flag("--no-shrink", [o](std::int64_t) { o->config.shrink = false; },
                "Report the first failing case without shrinking it");
  cmd->add_flag("--no-diagnosis", [o](std::int64_t) { o->config.diagnose = false; },
                "Do not run the diagnosis experiments after a failure (docs/diagnosis.md)");
  cmd->add_option("--property,-p", o->property, "Check only this property");
  cmd->add_option("--json", o->json_path,
                  "Write results as JSON (schema softcheck-check/2); - for standard output");
  cmd->add_option("--junit", o->junit_path, "Write results as JUnit XML; - for standard output");
  cmd->add_flag("--isolate", o->isolate,
                "Run built-in kernels in child processes with guarded buffers, like plugins");
  cmd->add_flag("--quiet,-q", o->quiet, "No progress on the terminal (stderr)");
  cmd->add_option("--jobs,-j", o->jobs,
                  "Properties checked at once, each in a child process; outcomes, output order and "
                  "counterexamples are those of --jobs 1 (progress is shown with --jobs 1 only)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  return [o, cmd] {
    // CLI11 names the top-level app after argv[0] when parsing.
    if (!cmd->get_parent()->get_name().empty()) o->program = cmd->get_parent()->get_name();
    require_plugin_flags_consistent(*cmd, o->plugin);
    return run_check(*o);
  };
}

}  // namespace softcheck::cli
