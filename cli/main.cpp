// softcheck: property-based numerical verification of softmax kernels.
#include <iostream>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  using namespace softcheck::cli;
  CLI::App app{"softcheck: property-based numerical verification of softmax-family kernels"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "softcheck 0.1.0");
  const Runner list = add_list_command(app);
  const Runner check = add_check_command(app);
  const Runner report = add_report_command(app);
  const Runner merge = add_merge_command(app);
#ifdef SOFTCHECK_HAVE_BENCH
  const Runner bench = add_bench_command(app);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 reports a misspelt command as "A subcommand is required"; name it instead.
    const std::string first = argc > 1 ? argv[1] : "";
    if (!first.empty() && first[0] != '-' &&
        app.get_subcommands([&](const CLI::App* s) { return s->check_name(first); }).empty()) {
      std::cerr << "softcheck: error: unknown command '" << first
                << "' (commands: list, check, report; see --help)\n";
      return kExitUsage;
    }
    const int rc = app.exit(e);
    // CLI11 returns 0 for --help/--version; every real parse error is a usage error (exit 2).
    return rc == 0 ? 0 : kExitUsage;
  }
  try {
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
  }
  return kExitUsage;
}
