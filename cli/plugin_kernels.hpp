// Plugin kernels for `softcheck check --lib`: the flags that describe a plugin's contract, loading
// the library (in a softcheck-worker process, or in this one for --isolation fork/none), and the
// invoker plugin kernels run under.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "properties/invoke.hpp"
#include "properties/plugin/plugin_library.hpp"

namespace softcheck::cli {

// Defaults are what a careful kernel should meet (issue 6): f32 accumulation for f16/bf16, the
// max-shifted bound with serial summation (the largest summation height, so any summation order
// passes), an exp within 4 ulps (vectorised expf polynomials are typically 1-3 ulps), a NaN row
// for all -inf rows, no subnormal flushing.
struct PluginOptions {
  std::string lib;
  std::string symbol;  // empty: use the library's softcheck_kernels() descriptor
  std::string only;    // with the descriptor: check only this kernel
  std::string op = "softmax";
  std::string dtype = "f32";
  std::string accum;  // default: f64 for f64, else f32
  std::string algorithm = "shifted";
  std::string summation = "serial";
  int lanes = 1;
  double exp_ulps = 4.0;
  std::string all_masked = "nan";
  std::string infinite_tau = "limit";
  bool flushes_subnormals = false;
  bool monotone_exp = false;
  double timeout_s = 10.0;
  // worker: a persistent softcheck-worker process (worker_invoker.hpp); fork: a child process per
  // call (isolated_invoker.hpp); none: in this process (in_process_plugin_invoker.hpp).
  std::string isolation = "worker";
};

struct LoadedPlugin {
  std::optional<PluginLibrary> library;  // fork, none: loaded in this process
  std::shared_ptr<Invoker> invoker;      // what the plugin's kernels are called through
  std::vector<Kernel> kernels;
};

void add_plugin_options(CLI::App& cmd, PluginOptions& o);
// UsageError when given flags would otherwise be silently ignored: contract flags (--op, --dtype,
// ...) without --symbol (the descriptor's contract is used), --only with --symbol, --symbol or
// --only without --lib.
void require_plugin_flags_consistent(const CLI::App& cmd, const PluginOptions& o);
// Loads the library and builds its kernels; UsageError for a missing file, symbol or bad flag.
std::unique_ptr<LoadedPlugin> load_plugin(const PluginOptions& o);
std::unique_ptr<Invoker> make_isolated_invoker(double timeout_s);
// The invoker of a check or report run: the plugin's kernels through plugin->invoker, built-in
// kernels forked per call if `isolate_builtins`, else in this process.
std::unique_ptr<Invoker> make_invoker(const LoadedPlugin* plugin, bool isolate_builtins,
                                      double timeout_s);
// " --timeout T" when T is not the default, else "" (for reproduction lines).
std::string timeout_repro_argument(double timeout_s);
// The check arguments that select this plugin kernel again (for reproduction lines).
std::string plugin_repro_arguments(const PluginOptions& o, const std::string& kernel_name);

}  // namespace softcheck::cli
