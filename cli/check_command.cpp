// softcheck check: run the property catalogue on built-in or plugin kernels.
#include <filesystem>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "cli/check_output.hpp"
#include "cli/commands.hpp"
#include "cli/plugin_kernels.hpp"
#include "impl/registry.hpp"
#include "properties/runner.hpp"

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
  std::string program = "softcheck";  // as invoked (argv[0]), for the reproduce lines
};

std::string quote_if_needed(const std::string& s) {
  return s.find_first_of(" \t'\"$") == std::string::npos ? s : "'" + s + "'";
}

// Fails before any checking when a --json/--junit file could not be written at the end.
void require_output_directory(const char* flag, const std::string& path) {
  if (path.empty()) return;
  const std::filesystem::path dir = std::filesystem::absolute(path).parent_path();
  if (!std::filesystem::is_directory(dir))
    throw UsageError(fmt::format("{} {}: directory {} does not exist", flag, path, dir.string()));
}

int run_check(const CheckOptions& o) {
  require_output_directory("--json", o.json_path);
  require_output_directory("--junit", o.junit_path);
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
  if (o.all)
    for (const Kernel& k : builtin_kernels()) kernels.push_back(k);
  if (kernels.empty()) throw UsageError("nothing to check: give --kernel NAME, --all or --lib PATH");

  // Plugin kernels run as --isolation says (a worker process by default); built-ins in-process
  // unless --isolate.
  const std::unique_ptr<Invoker> invoker =
      make_invoker(plugin.get(), o.isolate, o.plugin.timeout_s);
  std::vector<KernelResult> results;
  bool failed = false;
  // The arguments that select kernels[i] again: the plugin's come first, then built-ins.
  const std::size_t plugin_kernels = plugin ? plugin->kernels.size() : 0;
  const auto selection = [&](std::size_t i) {
    const std::string& name = kernels[i].contract.name;
    if (i < plugin_kernels) return plugin_repro_arguments(o.plugin, name);
    return "--kernel " + quote_if_needed(name) +
           (o.isolate ? " --isolate" + timeout_repro_argument(o.plugin.timeout_s) : "");
  };
  for (std::size_t i = 0; i < kernels.size(); ++i) {
    const Kernel& k = kernels[i];
    RunConfig config = o.config;
    config.repro_prefix = quote_if_needed(o.program) + " check " + selection(i);
    const auto applicable = properties_for(k.contract);
    if (!o.property.empty() &&
        std::none_of(applicable.begin(), applicable.end(),
                     [&](const Property* p) { return p->name == o.property; }))
      throw UsageError(fmt::format("property '{}' does not apply to {} (op {})", o.property,
                                   k.contract.name, name_of(k.contract.op)));
    KernelResult r{k.contract, {}};
    const std::optional<std::string> unrunnable = k.unrunnable_reason();
    if (unrunnable) std::cout << fmt::format("SKIPPED {}: {}\n", k.contract.name, *unrunnable);
    for (const Property* p : applicable) {
      if (!o.property.empty() && p->name != o.property) continue;
      if (unrunnable) {  // recorded per property for --json/--junit, printed once above
        r.outcomes.push_back(run_property(k, *p, *invoker, config));
        continue;
      }
      if (!o.quiet) std::cerr << fmt::format("checking {} / {} ...\n", k.contract.name, p->name);
      PropertyOutcome outcome = run_property(k, *p, *invoker, config);
      failed = failed || outcome.verdict == Verdict::failed || outcome.verdict == Verdict::gave_up;
      std::cout << format_outcome(outcome) << "\n" << std::flush;
      r.outcomes.push_back(std::move(outcome));
    }
    results.push_back(std::move(r));
  }
  int counts[4] = {0, 0, 0, 0};
  for (const auto& r : results)
    for (const auto& out : r.outcomes) ++counts[static_cast<int>(out.verdict)];
  std::cout << fmt::format("{} passed, {} failed, {} skipped\n", counts[0], counts[1] + counts[3],
                           counts[2]);
  if (!o.json_path.empty())
    write_file_atomically(o.json_path, check_to_json(results, o.config).dump(2) + "\n");
  if (!o.junit_path.empty()) write_file_atomically(o.junit_path, check_to_junit(results));
  if (failed) return kExitFailed;
  if (counts[0] == 0) {
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
  cmd->add_option("--seed", o->config.seed, "Random seed (the failure report prints it)")
      ->capture_default_str();
  cmd->add_option("--max-cols", o->config.max_cols, "Longest generated row")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000000}))
      ->capture_default_str();
  cmd->add_flag("--no-shrink", [o](std::int64_t) { o->config.shrink = false; },
                "Report the first failing case without shrinking it");
  cmd->add_option("--property,-p", o->property, "Check only this property");
  cmd->add_option("--json", o->json_path, "Write results as JSON (schema softcheck-check/1)");
  cmd->add_option("--junit", o->junit_path, "Write results as JUnit XML");
  cmd->add_flag("--isolate", o->isolate,
                "Run built-in kernels in child processes with guarded buffers, like plugins");
  cmd->add_flag("--quiet,-q", o->quiet, "No progress lines on stderr");
  return [o, cmd] {
    // CLI11 names the top-level app after argv[0] when parsing.
    if (!cmd->get_parent()->get_name().empty()) o->program = cmd->get_parent()->get_name();
    require_plugin_flags_consistent(*cmd, o->plugin);
    return run_check(*o);
  };
}

}  // namespace softcheck::cli
