// softcheck list: the registered kernels with their contracts, or (--properties) the property
// catalogue with the built-in kernels each property applies to.
#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "reports/contract_json.hpp"
#include "impl/registry.hpp"
#include "properties/property.hpp"

namespace softcheck::cli {
namespace {

int list_properties(bool json) {
  nlohmann::json all = nlohmann::json::array();
  for (const Property* p : all_properties()) {
    // Which properties apply follows from the contract (properties/property.hpp): the ops of the
    // built-in kernels it applies to say where it is used.
    std::vector<std::string> ops;
    std::size_t kernels = 0;
    for (const Kernel& k : builtin_kernels()) {
      if (!p->applies(k.contract)) continue;
      ++kernels;
      const std::string op(name_of(k.contract.op));
      if (std::find(ops.begin(), ops.end(), op) == ops.end()) ops.push_back(op);
    }
    all.push_back({{"name", p->name}, {"summary", p->summary}, {"ops", ops},
                   {"builtin_kernels", kernels}});
  }
  if (json) {
    fmt::print("{}\n", all.dump(2));
    return kExitPassed;
  }
  fmt::print("{:<34} {:<30} {:>7}  {}\n", "property", "ops", "kernels", "summary");
  for (const nlohmann::json& p : all) {
    std::string ops;
    for (const std::string op : p["ops"]) ops += (ops.empty() ? "" : ",") + op;
    fmt::print("{:<34} {:<30} {:>7}  {}\n", p["name"].get<std::string>(), ops,
               p["builtin_kernels"].get<std::size_t>(), p["summary"].get<std::string>());
  }
  return kExitPassed;
}

}  // namespace

Runner add_list_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("list", "List the built-in kernels and their contracts");
  auto json = std::make_shared<bool>(false);
  auto properties = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "Print the contracts (or properties) as JSON");
  cmd->add_flag("--properties", *properties,
                "List the properties instead: name, the ops they apply to, summary");
  return [json, properties] {
    if (*properties) return list_properties(*json);
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
