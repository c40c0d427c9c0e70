#include "cli/plugin_kernels.hpp"

#include <fmt/format.h>

#include <iostream>

#include "cli/commands.hpp"
#include "properties/error_bound.hpp"
#include "properties/plugin/fp_environment.hpp"
#include "properties/plugin/in_process_plugin_invoker.hpp"
#include "properties/plugin/isolated_invoker.hpp"
#include "properties/plugin/worker_invoker.hpp"

namespace softcheck::cli {
namespace {

template <typename T, typename Parse>
T parse_flag(const char* flag, const std::string& value, Parse parse) {
  const auto v = parse(value);
  if (!v) throw UsageError(fmt::format("{}: unknown value '{}'", flag, value));
  return *v;
}

// Plugin kernels to the plugin's invoker, the rest (built-ins) to `builtin`.
class RoutingInvoker final : public Invoker {
 public:
  RoutingInvoker(const LoadedPlugin* plugin, std::unique_ptr<Invoker> builtin)
      : plugin_(plugin), builtin_(std::move(builtin)) {}
  CallResult call(const Kernel& k, const Call& c) const override {
    if (plugin_)
      for (const Kernel& p : plugin_->kernels)
        if (p.contract.name == k.contract.name && p.entry == k.entry)
          return plugin_->invoker->call(k, c);
    return builtin_->call(k, c);
  }

 private:
  const LoadedPlugin* plugin_;
  std::unique_ptr<Invoker> builtin_;
};

std::chrono::milliseconds milliseconds(double seconds) {
  return std::chrono::milliseconds(static_cast<long>(seconds * 1000));
}

}  // namespace

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
  cmd.add_option("--isolation", o.isolation,
                 "How plugin kernels run: worker (a persistent worker process: crashes, exit, "
                 "hangs, state across calls, FP environment, leftover processes), fork (a child "
                 "process per call), none (in this process; for benchmarks and debuggers)")
      ->check(CLI::IsMember({"worker", "fork", "none"}))
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
    auto loaded = std::make_unique<LoadedPlugin>();
    std::optional<Op> symbol_op;
    if (!o.symbol.empty()) symbol_op = parse_flag<Op>("--op", o.op, parse_op);
    std::shared_ptr<WorkerInvoker> worker;
    if (o.isolation == "worker") {
      WorkerPluginSpec spec{o.lib, {}};
      if (symbol_op) spec.symbols.emplace_back(o.symbol, *symbol_op);
      WorkerOptions wo;
      wo.timeout = milliseconds(o.timeout_s);
      worker = std::make_shared<WorkerInvoker>(std::move(spec), wo);
      loaded->invoker = worker;
    } else {
      // The library's constructors and softcheck_init() run in this process: the FP environment
      // they leave must not become that of the oracle and the built-in kernels.
      const FpEnvironment before = current_fp_environment();
      loaded->library = PluginLibrary::open(o.lib);
      loaded->library->init();
      if (const FpEnvironment after = current_fp_environment(); after != before) {
        std::cerr << fmt::format(
            "softcheck: warning: loading {} changed the floating-point environment ({}); "
            "restored\n",
            o.lib, describe_fp_change(before, after));
        reset_fp_environment();
      }
      if (o.isolation == "fork")
        loaded->invoker = make_isolated_invoker(o.timeout_s);
      else
        loaded->invoker = std::make_shared<InProcessPluginInvoker>();
    }
    if (o.symbol.empty()) {
      std::vector<Kernel> all = worker ? worker->kernels() : loaded->library->kernels();
      for (Kernel& k : all)
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
    if (worker)
      loaded->kernels.push_back(Kernel{c, worker->kernels().at(0).entry});
    else
      loaded->kernels.push_back(loaded->library->kernel(o.symbol, c));
    return loaded;
  } catch (const PluginError& e) {
    throw UsageError(e.what());
  }
}

std::unique_ptr<Invoker> make_isolated_invoker(double timeout_s) {
  IsolationOptions options;
  options.timeout = milliseconds(timeout_s);
  // Each input once against the guard page after it and once against the one before it.
  options.both_placements = true;
  return std::make_unique<IsolatedInvoker>(options);
}

std::unique_ptr<Invoker> make_invoker(const LoadedPlugin* plugin, bool isolate_builtins,
                                      double timeout_s) {
  std::unique_ptr<Invoker> builtin;
  if (isolate_builtins)
    builtin = make_isolated_invoker(timeout_s);
  else
    builtin = std::make_unique<InProcessInvoker>();
  return std::make_unique<RoutingInvoker>(plugin, std::move(builtin));
}

std::string timeout_repro_argument(double timeout_s) {
  // A timed_out failure only reproduces under the same limit.
  return timeout_s != PluginOptions{}.timeout_s ? fmt::format(" --timeout {}", timeout_s) : "";
}

std::string plugin_repro_arguments(const PluginOptions& o, const std::string& kernel_name) {
  const PluginOptions d;
  const std::string isolation =
      o.isolation != d.isolation ? " --isolation " + o.isolation : std::string();
  if (o.symbol.empty())
    return fmt::format("--lib {} --only {}{}{}", o.lib, kernel_name,
                       timeout_repro_argument(o.timeout_s), isolation);
  std::string s = fmt::format("--lib {} --symbol {} --op {} --dtype {}{}{}", o.lib, o.symbol, o.op,
                              o.dtype, timeout_repro_argument(o.timeout_s), isolation);
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
