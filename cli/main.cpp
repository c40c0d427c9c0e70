// softcheck: property-based numerical verification of softmax kernels.
#include <cstdlib>
#include <iostream>
#include <stdexcept>

#include "cli/commands.hpp"
#include "impl/simd/simd_targets.hpp"

namespace {

void validate_target_list(const char* where, const std::string& list) {
  try {
    softcheck::parse_simd_target_list(list);
  } catch (const std::invalid_argument& e) {
    throw softcheck::cli::UsageError(std::string(where) + ": " + e.what());
  }
}

// One example per command, shown at the end of its --help.
void add_examples(CLI::App& app) {
  const std::pair<const char*, const char*> examples[] = {
      {"list", "Examples:\n  softcheck list\n  softcheck list --properties\n"},
      {"check",
       "Examples:\n  softcheck check --kernel f32_softmax_shifted__scalar\n"
       "  softcheck check --lib ./libmy.so --symbol my_softmax --op softmax --dtype f32 "
       "--junit results.xml\n  softcheck check --all --jobs 2 --json results.json\n"
       "Properties: softcheck list --properties. Exit codes: softcheck --help.\n"},
      {"report",
       "Examples:\n  softcheck report --quick --out report\n"
       "  softcheck report --lib ./libmy.so --symbol my_softmax --op softmax --dtype f32 --out r\n"},
      {"merge", "Example:\n  softcheck merge shard0 shard1 --out report\n"},
      {"bench",
       "Example:\n  softcheck bench --kernel f32_softmax_shifted__scalar --cols 4096 --json b.json\n"},
  };
  for (const auto& [name, text] : examples)
    for (CLI::App* s : app.get_subcommands([&](const CLI::App* c) { return c->get_name() == name; }))
      s->footer(text);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace softcheck::cli;
  CLI::App app{"softcheck: property-based numerical verification of softmax-family kernels"};
  app.require_subcommand(1);
  app.fallthrough();  // global options (--disable-targets) may follow the command too
  app.set_version_flag("--version", "softcheck " SOFTCHECK_VERSION);
  std::string disable_targets;
  app.add_option("--disable-targets", disable_targets,
                 "Behave as a CPU without these SIMD targets, e.g. avx3,avx2 (also the "
                 "environment variable SOFTCHECK_DISABLE_TARGETS)");
  // Exit codes: cli/commands.hpp (README.md, "Exit codes").
  app.footer(
      "Exit codes: 0 all passed, 1 a kernel failed (a property, a report verdict or the "
      "baseline), 2 usage error (nothing judged), 3 nothing checked (every kernel skipped), "
      "4 an error of softcheck itself and no failure.\n"
      "Run 'softcheck COMMAND --help' for a command's options and examples.");
  const Runner list = add_list_command(app);
  const Runner check = add_check_command(app);
  const Runner report = add_report_command(app);
  const Runner merge = add_merge_command(app);
#ifdef SOFTCHECK_HAVE_BENCH
  const Runner bench = add_bench_command(app);
#endif
  add_examples(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 reports a misspelt command as "A subcommand is required"; name it instead.
    const std::string first = argc > 1 ? argv[1] : "";
    if (!first.empty() && first[0] != '-' &&
        app.get_subcommands([&](const CLI::App* s) { return s->check_name(first); }).empty()) {
      std::string commands;  // every registered command, so the list never falls behind
      for (const CLI::App* s : app.get_subcommands([](const CLI::App*) { return true; }))
        commands += (commands.empty() ? "" : ", ") + s->get_name();
      std::cerr << "softcheck: error: unknown command '" << first << "' (commands: " << commands
                << "; see --help)\n";
      return kExitUsage;
    }
    const int rc = app.exit(e);
    // CLI11 returns 0 for --help/--version; every real parse error is a usage error (exit 2).
    return rc == 0 ? 0 : kExitUsage;
  }
  try {
    // Before any kernel is registered: the dispatch kernels' contracts follow the targets left.
    if (const char* env = std::getenv(softcheck::kDisableTargetsEnv))
      validate_target_list(softcheck::kDisableTargetsEnv, env);
    if (!disable_targets.empty()) {
      validate_target_list("--disable-targets", disable_targets);
      softcheck::simd_disable_targets(disable_targets);
    }
    if (app.got_subcommand("list")) return list();
    if (app.got_subcommand("check")) return check();
    if (app.got_subcommand("report")) return report();
    if (app.got_subcommand("merge")) return merge();
#ifdef SOFTCHECK_HAVE_BENCH
    if (app.got_subcommand("bench")) return bench();
#endif
  } catch (const UsageError& e) {
    std::cerr << "softcheck: error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    // A defect of softcheck, never a verdict on a kernel.
    std::cerr << "softcheck: internal error: " << e.what() << "\n";
    return kExitError;
  }
  return kExitUsage;
}
