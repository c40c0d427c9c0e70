// softcheck list: the registered kernels with their contracts.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "reports/contract_json.hpp"
#include "impl/registry.hpp"

namespace softcheck::cli {

Runner add_list_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("list", "List the built-in kernels and their contracts");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "Print the contracts as JSON");
  return [json] {
    if (*json) {
      nlohmann::json all = nlohmann::json::array();
      for (const Kernel& k : builtin_kernels()) {
        nlohmann::json j = contract_to_json(k.contract);
        const auto why = k.unrunnable_reason();
        j["runnable"] = !why;
        if (why) j["unrunnable_reason"] = *why;
        all.push_back(std::move(j));
      }
      fmt::print("{}\n", all.dump(2));
      return kExitPassed;
    }
    fmt::print("{:<40} {:<16} {:<5} {:<5} {:<13} {:<9} {:>5} {:>4}  {}\n", "kernel", "op", "dtype",
               "accum", "algorithm", "summation", "lanes", "exp", "summary");
    for (const Kernel& k : builtin_kernels()) {
      const Contract& c = k.contract;
      fmt::print("{:<40} {:<16} {:<5} {:<5} {:<13} {:<9} {:>5} {:>4g}  {}\n", c.name, name_of(c.op),
                 name_of(c.dtype), name_of(c.accum), name_of(c.algorithm), name_of(c.summation),
                 c.lanes, c.exp_ulps,
                 c.summary + (k.runnable() ? "" : " [cannot run here: " + *k.unrunnable_reason() + "]"));
    }
    return kExitPassed;
  };
}

}  // namespace softcheck::cli
