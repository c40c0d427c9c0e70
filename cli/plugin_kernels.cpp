#include "cli/plugin_kernels.hpp"

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "properties/error_bound.hpp"
#include "properties/plugin/isolated_invoker.hpp"

namespace softcheck::cli {

void add_plugin_options(CLI::App& cmd, PluginOptions& o) {
  cmd.add_option("--lib", o.lib, "Shared library with plugin kernels (C ABI, kernel_abi.h)");
  cmd.add_option("--symbol", o.symbol,
                 "Exported kernel function; without it the library's softcheck_kernels() list");
  cmd.add_option("--only", o.only, "With a descriptor library: check only this kernel");
  cmd.add_option("--op", o.op, "Op of --symbol")
      ->check(CLI::IsMember({"softmax", "log_softmax", "softmax_backward", "cross_entropy",
                             "softmax_temp"}))
      ->capture_default_str();
  cmd.add_option("--dtype", o.dtype, "Storage type of --symbol")
      ->check(CLI::IsMember({"f32", "f64", "f16", "bf16"}))
      ->capture_default_str();
  cmd.add_option("--accum", o.accum, "Accumulation type (default f32; f64 for f64 kernels)")
      ->check(CLI::IsMember({"f32", "f64", "f16", "bf16"}));
  cmd.add_option("--algorithm", o.algorithm, "Algorithm family the bound is derived for")
      ->check(CLI::IsMember({"naive", "shifted", "division_free", "online", "two_pass"}))
      ->capture_default_str();
  cmd.add_option("--summation", o.summation, "Summation shape of the denominator")
      ->check(CLI::IsMember({"serial", "k_lane", "pairwise", "kahan"}))
      ->capture_default_str();
  // --lanes and --exp-ulps are judged with the descriptor's fields (contract_from_desc).
  cmd.add_option("--lanes", o.lanes, "Lanes of k_lane summation");
  cmd.add_option("--exp-ulps", o.exp_ulps, "Max error of the kernel's exp in ulps")
      ->capture_default_str();
  cmd.add_option("--all-masked", o.all_masked, "Result for an all -inf row")
      ->check(CLI::IsMember({"nan", "zero", "uniform", "unspecified"}))
      ->capture_default_str();
  cmd.add_option("--infinite-tau", o.infinite_tau,
                 "softmax_temp at tau = +inf with -inf logits: limit (0 there, 1/k elsewhere), "
                 "nan, or unspecified")
      ->check(CLI::IsMember({"limit", "nan", "unspecified"}))
      ->capture_default_str();
  cmd.add_flag("--flush-subnormals", o.flushes_subnormals,
               "The kernel may flush subnormal results to 0");
  cmd.add_flag("--monotone-exp", o.monotone_exp,
               "The kernel's exp is monotone: x_i < x_j must give y_i <= y_j exactly");
  cmd.add_option("--timeout", o.timeout_s, "Seconds one kernel call may take")
      ->check(CLI::Range(0.01, 3600.0))
      ->capture_default_str();
}

void require_plugin_flags_consistent(const CLI::App& cmd, const PluginOptions& o) {
  const auto given = [&](const char* flag) { return cmd.get_option(flag)->count() > 0; };
  static constexpr const char* kContractFlags[] = {
      "--op",           "--dtype",    "--accum",      "--algorithm",
      "--summation",    "--lanes",    "--exp-ulps",   "--all-masked",
      "--infinite-tau", "--flush-subnormals", "--monotone-exp"};
  if (o.lib.empty())
    for (const char* flag : {"--symbol", "--only"})
      if (given(flag)) throw UsageError(fmt::format("{} needs --lib PATH", flag));
  if (o.symbol.empty()) {
    for (const char* flag : kContractFlags)
      if (given(flag))
        throw UsageError(fmt::format(
            "{} describes the kernel named by --symbol; without --symbol each kernel's contract "
            "comes from the library's softcheck_kernels() list",
            flag));
  } else if (given("--only")) {
    throw UsageError("--only selects a kernel of the softcheck_kernels() list; with --symbol, "
                     "the named function is the one checked");
  }
}

std::unique_ptr<LoadedPlugin> load_plugin(const PluginOptions& o) {
  try {
    auto loaded = std::make_unique<LoadedPlugin>(LoadedPlugin{PluginLibrary::open(o.lib), {}});
    if (o.symbol.empty()) {
      for (Kernel& k : loaded->library.kernels())
        if (o.only.empty() || k.contract.name == o.only) loaded->kernels.push_back(std::move(k));
      if (loaded->kernels.empty())
        throw UsageError(fmt::format("{} lists no kernel named '{}'", o.lib, o.only));
      return loaded;
    }
    // The flags fill a descriptor, validated exactly as a softcheck_kernels() entry is.
    if (o.exp_ulps == 0)  // 0 selects the default in a descriptor; a flag says what it means
      throw UsageError("--exp-ulps 0: no exp is exact (a correctly rounded one is within 0.5 ulp)");
    softcheck_kernel_desc d{};
    d.name = o.symbol.c_str();
    d.op = o.op.c_str();
    d.dtype = o.dtype.c_str();
    d.accum = o.accum.empty() ? nullptr : o.accum.c_str();
    d.algorithm = o.algorithm.c_str();
    d.summation = o.summation.c_str();
    d.lanes = o.lanes;
    d.exp_ulps = o.exp_ulps;
    d.all_masked = o.all_masked.c_str();
    d.flushes_subnormals = o.flushes_subnormals ? 1 : 0;
    d.monotone_exp = o.monotone_exp ? 1 : 0;
    Contract c = contract_from_desc(d, "--symbol " + o.symbol, ContractSpelling::cli_flags);
    // Not a field of the v1 descriptor: the flag alone declares it.
    c.infinite_tau = parse_flag<InfiniteTauPolicy>("--infinite-tau", o.infinite_tau,
                                                   parse_infinite_tau_policy);
    c.summary = fmt::format("plugin {} from {}", o.symbol, o.lib);
    loaded->kernels.push_back(loaded->library.kernel(o.symbol, c));
    return loaded;
  } catch (const PluginError& e) {
    throw UsageError(e.what());
  }
}

std::unique_ptr<Invoker> make_isolated_invoker(double timeout_s) {
  IsolationOptions options;
  options.timeout = std::chrono::milliseconds(static_cast<long>(timeout_s * 1000));
  return std::make_unique<IsolatedInvoker>(options);
}

std::string timeout_repro_argument(double timeout_s) {
  // A timed_out failure only reproduces under the same limit.
  return timeout_s != PluginOptions{}.timeout_s ? fmt::format(" --timeout {}", timeout_s) : "";
}

std::string plugin_repro_arguments(const PluginOptions& o, const std::string& kernel_name) {
  if (o.symbol.empty())
    return fmt::format("--lib {} --only {}{}", o.lib, kernel_name,
                       timeout_repro_argument(o.timeout_s));
  std::string s = fmt::format("--lib {} --symbol {} --op {} --dtype {}{}", o.lib, o.symbol, o.op,
                              o.dtype, timeout_repro_argument(o.timeout_s));
  const PluginOptions d;
  if (!o.accum.empty()) s += " --accum " + o.accum;
  if (o.algorithm != d.algorithm) s += " --algorithm " + o.algorithm;
  if (o.summation != d.summation) s += " --summation " + o.summation;
  if (o.lanes != d.lanes) s += fmt::format(" --lanes {}", o.lanes);
  if (o.exp_ulps != d.exp_ulps) s += fmt::format(" --exp-ulps {}", o.exp_ulps);
  if (o.all_masked != d.all_masked) s += " --all-masked " + o.all_masked;
  if (o.infinite_tau != d.infinite_tau) s += " --infinite-tau " + o.infinite_tau;
  if (o.flushes_subnormals) s += " --flush-subnormals";
  if (o.monotone_exp) s += " --monotone-exp";
  return s;
}

}  // namespace softcheck::cli
