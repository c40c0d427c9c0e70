// Loading plugin kernels from a shared library (the C ABI of include/softcheck/kernel_abi.h).
//
// A PluginLibrary owns the dlopen handle; the Kernels it hands out hold raw entry points into the
// library, so they are valid only while some PluginLibrary copy of that library is alive (copies
// share the handle). Loading runs the library's initialisers and softcheck_kernels() in the
// process that opens it: the softcheck-worker process under the default isolation
// (worker_invoker.hpp), softcheck's own only under --isolation fork or none.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "softcheck/kernel.hpp"
#include "softcheck/kernel_abi.h"

namespace softcheck {

// Every loading problem (missing file, not a shared object, missing symbol, malformed descriptor).
// The CLI maps it to exit status 2.
class PluginError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The contract a careful kernel of this op and dtype should meet: accumulation in the storage
// format for f32/f64 and in f32 for f16/bf16 (error-model.md: accumulating in a 16-bit format is a
// defect), max-shifted algorithm, serial sum, exp within 4 ulps, all -inf rows give NaN, no
// flushing of subnormals, monotone exp not claimed. The defaults of the descriptor's NULL/0
// fields, matching those of the CLI's contract flags (cli/plugin_kernels.hpp).
Contract plugin_contract(Op op, DType dtype);

// An exp off by more than this many ulps is no exp; a larger value is a typo or garbage.
inline constexpr double kMaxExpUlps = 1e6;
// More lanes than any vector unit holds: a larger value is a typo or garbage.
inline constexpr int kMaxLanes = 4096;

// How contract fields are named in messages: the descriptor's members (exp_ulps) or the CLI's
// flags (--exp-ulps).
enum class ContractSpelling { descriptor, cli_flags };

// The contract a descriptor declares, validated: the one validation for both routes, the
// library's softcheck_kernels() list and the CLI's --symbol flags (which fill a descriptor), so
// that neither accepts what the other refuses. NULL / 0 fields take plugin_contract's defaults.
// Throws PluginError naming `where` and the field.
Contract contract_from_desc(const softcheck_kernel_desc& d, const std::string& where,
                            ContractSpelling spelling);

// The fields of one softcheck_kernel_desc, copied out of the plugin's memory: the worker reads them
// in its process and sends them to softcheck, which builds the contract without loading the plugin.
struct KernelDescFields {
  std::optional<std::string> name, op, dtype, accum, algorithm, summation, all_masked;
  int lanes = 0;
  double exp_ulps = 0;
  int flushes_subnormals = 0, monotone_exp = 0;
};

// The same for entry #i of library `lib`'s list, given as copied fields, with the name-derived isa
// and summary a listed kernel gets (what softcheck builds from a worker's list).
Contract descriptor_contract(const std::string& lib, std::size_t i, const KernelDescFields& f);

struct DescribedKernel {
  KernelDescFields fields;
  Kernel kernel;
};

class PluginLibrary {
 public:
  // dlopen(path, RTLD_NOW | RTLD_LOCAL). A path without '/' names a file in the working directory,
  // never one found through the library search path.
  static PluginLibrary open(const std::string& path);

  const std::string& path() const { return path_; }

  // The entry point `symbol`, called as contract.op dictates. An empty contract.name becomes the
  // symbol name.
  Kernel kernel(const std::string& symbol, Contract contract) const;

  bool has_descriptor() const;
  // The kernels listed by softcheck_kernels(), validated (abi version, names parse, entry non-null
  // and inside a loaded library, names unique). Throws PluginError if the library exports no list.
  std::vector<Kernel> kernels() const;
  // The same with the descriptor fields each kernel's contract was built from.
  std::vector<DescribedKernel> described_kernels() const;

  // The optional exports of kernel_abi.h: softcheck_init() (PluginError with its return value if
  // non-zero) and softcheck_teardown(). No-ops for a library that does not export them.
  void init() const;
  void teardown() const;

 private:
  PluginLibrary(std::string path, std::shared_ptr<void> handle)
      : path_(std::move(path)), handle_(std::move(handle)) {}
  void* symbol_address(const std::string& symbol) const;  // nullptr if absent

  std::string path_;
  std::shared_ptr<void> handle_;  // dlclose on the last copy
};

// The KernelEntry alternative that `op` is called through, holding `fn` (a dlsym result).
KernelEntry entry_for(Op op, void* fn);

}  // namespace softcheck
