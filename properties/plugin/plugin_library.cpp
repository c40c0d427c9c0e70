#include "properties/plugin/plugin_library.hpp"

#include "properties/error_bound.hpp"

#include <dlfcn.h>
#include <fenv.h>
#include <fmt/format.h>
#include <link.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <set>

#include "softcheck/kernel_abi.h"

namespace softcheck {
namespace {

// "a, b, c": the accepted spellings of an enum, for error messages. The enums of include/softcheck
// are dense from 0 and name_of answers "?" past the last one.
template <typename E>
std::string accepted_names() {
  std::string s;
  for (int i = 0;; ++i) {
    const std::string_view n = name_of(static_cast<E>(i));
    if (n == "?") break;
    if (i) s += ", ";
    s += n;
  }
  return s;
}

// Keeps softcheck's floating-point environment through code of the plugin that runs in this
// process (its initialisers at dlopen, softcheck_kernels(), its finalisers at dlclose). A library
// linked with -ffast-math sets flush-to-zero and denormals-are-zero in MXCSR from an initialiser
// (GCC's crtfastmath.o), for the whole process: softcheck's generators, oracles and bounds would
// then flush every subnormal - a subnormal temperature compares equal to 0 and the oracle refuses
// it, a subnormal output's error is misjudged. fesetenv restores the control bits, FTZ and DAZ
// included.
class KeepFloatingPointEnvironment {
 public:
  KeepFloatingPointEnvironment() { fegetenv(&saved_); }
  ~KeepFloatingPointEnvironment() { fesetenv(&saved_); }
  KeepFloatingPointEnvironment(const KeepFloatingPointEnvironment&) = delete;
  KeepFloatingPointEnvironment& operator=(const KeepFloatingPointEnvironment&) = delete;

 private:
  fenv_t saved_;
};

std::string dl_error() {
  const char* e = dlerror();
  return e ? e : "unknown dynamic loader error";
}

// The file a code or data address belongs to, or "" if it lies in no loaded object.
std::string object_of(const void* addr) {
  Dl_info info{};
  if (dladdr(addr, &info) == 0 || info.dli_fname == nullptr) return "";
  return info.dli_fname;
}

// The name a contract field has where it was written: the descriptor's member, or the CLI flag.
std::string field_name(const char* member, ContractSpelling spelling) {
  if (spelling == ContractSpelling::descriptor) return member;
  if (std::string_view(member) == "flushes_subnormals") return "--flush-subnormals";
  std::string flag = std::string("--") + member;
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

// Parses an optional descriptor string field; NULL keeps `fallback`.
template <typename E, typename Parse>
E parse_field(const std::string& where, const std::string& field, const char* value, E fallback,
              Parse parse) {
  if (value == nullptr) return fallback;
  if (auto e = parse(std::string_view(value))) return *e;
  throw PluginError(fmt::format("{}: unknown {} '{}' (expected one of: {})", where, field, value,
                                accepted_names<E>()));
}

// The naming convention dtype_op_algorithm__isa puts the instruction set after "__".
void name_plugin_kernel(Contract& c, const std::string& lib) {
  const std::string name = c.name;
  if (auto sep = name.rfind("__"); sep != std::string::npos && sep + 2 < name.size())
    c.isa = name.substr(sep + 2);
  c.summary = fmt::format("plugin {}", lib);
}

std::optional<std::string> copy_field(const char* s) {
  return s ? std::optional<std::string>(s) : std::nullopt;
}

KernelDescFields fields_of(const softcheck_kernel_desc& d) {
  KernelDescFields f;
  f.name = copy_field(d.name);
  f.op = copy_field(d.op);
  f.dtype = copy_field(d.dtype);
  f.accum = copy_field(d.accum);
  f.algorithm = copy_field(d.algorithm);
  f.summation = copy_field(d.summation);
  f.all_masked = copy_field(d.all_masked);
  f.lanes = d.lanes;
  f.exp_ulps = d.exp_ulps;
  f.flushes_subnormals = d.flushes_subnormals;
  f.monotone_exp = d.monotone_exp;
  return f;
}

const char* c_str(const std::optional<std::string>& s) { return s ? s->c_str() : nullptr; }

Kernel kernel_from_desc(const std::string& lib, std::size_t i, const softcheck_kernel_desc& d) {
  const std::string where = fmt::format("plugin '{}', softcheck_kernels() entry #{}{}", lib, i,
                                        d.name ? fmt::format(" '{}'", d.name) : std::string());
  Contract c = contract_from_desc(d, where, ContractSpelling::descriptor);
  const Op op = c.op;

  void* fn = reinterpret_cast<void*>(d.fn);
  if (fn == nullptr) throw PluginError(where + ": fn is NULL");
  if (object_of(fn).empty())
    throw PluginError(fmt::format("{}: fn = {} points into no loaded library", where, fn));

  name_plugin_kernel(c, lib);
  return Kernel{std::move(c), entry_for(op, fn)};
}

}  // namespace

Contract descriptor_contract(const std::string& lib, std::size_t i, const KernelDescFields& f) {
  softcheck_kernel_desc d{};
  d.name = c_str(f.name);
  d.op = c_str(f.op);
  d.dtype = c_str(f.dtype);
  d.accum = c_str(f.accum);
  d.algorithm = c_str(f.algorithm);
  d.summation = c_str(f.summation);
  d.all_masked = c_str(f.all_masked);
  d.lanes = f.lanes;
  d.exp_ulps = f.exp_ulps;
  d.flushes_subnormals = f.flushes_subnormals;
  d.monotone_exp = f.monotone_exp;
  const std::string where = fmt::format("plugin '{}', softcheck_kernels() entry #{}{}", lib, i,
                                        f.name ? fmt::format(" '{}'", *f.name) : std::string());
  Contract c = contract_from_desc(d, where, ContractSpelling::descriptor);
  name_plugin_kernel(c, lib);
  return c;
}

Contract contract_from_desc(const softcheck_kernel_desc& d, const std::string& where,
                            ContractSpelling spelling) {
  const auto field = [spelling](const char* member) { return field_name(member, spelling); };
  if (d.name == nullptr || d.name[0] == '\0') throw PluginError(where + ": name is missing");
  if (d.op == nullptr) throw PluginError(where + ": op is missing");
  if (d.dtype == nullptr) throw PluginError(where + ": dtype is missing");
  const Op op = parse_field<Op>(where, field("op"), d.op, Op::softmax, parse_op);
  const DType dtype = parse_field<DType>(where, field("dtype"), d.dtype, DType::f32, parse_dtype);

  Contract c = plugin_contract(op, dtype);
  c.name = d.name;
  c.accum = parse_field<DType>(where, field("accum"), d.accum, c.accum, parse_dtype);
  c.algorithm =
      parse_field<Algorithm>(where, field("algorithm"), d.algorithm, c.algorithm, parse_algorithm);
  c.summation =
      parse_field<Summation>(where, field("summation"), d.summation, c.summation, parse_summation);
  c.all_masked = parse_field<MaskedRowPolicy>(where, field("all_masked"), d.all_masked,
                                              c.all_masked, parse_masked_row_policy);
  if (c.summation == Summation::k_lane) {
    if (d.lanes < 2)
      throw PluginError(fmt::format("{}: {} k_lane needs {} >= 2, got {}", where,
                                    field("summation"), field("lanes"), d.lanes));
    if (d.lanes > kMaxLanes)
      throw PluginError(fmt::format("{}: {} = {}: more than {} lanes", where, field("lanes"),
                                    d.lanes, kMaxLanes));
    c.lanes = d.lanes;
  } else if (d.lanes != 0 && d.lanes != 1) {
    throw PluginError(fmt::format("{}: {} = {} given for {} {} (only k_lane has lanes)", where,
                                  field("lanes"), d.lanes, field("summation"),
                                  name_of(c.summation)));
  }
  if (!std::isfinite(d.exp_ulps) || d.exp_ulps < 0 || d.exp_ulps > kMaxExpUlps)
    throw PluginError(fmt::format("{}: {} must be finite, >= 0 and <= {}, got {}", where,
                                  field("exp_ulps"), kMaxExpUlps, d.exp_ulps));
  if (d.exp_ulps > 0) c.exp_ulps = d.exp_ulps;
  if (d.flushes_subnormals != 0 && d.flushes_subnormals != 1)
    throw PluginError(fmt::format("{}: {} must be 0 or 1, got {}", where,
                                  field("flushes_subnormals"), d.flushes_subnormals));
  c.flushes_subnormals = d.flushes_subnormals == 1;
  if (d.monotone_exp != 0 && d.monotone_exp != 1)
    throw PluginError(fmt::format("{}: {} must be 0 or 1, got {}", where, field("monotone_exp"),
                                  d.monotone_exp));
  c.monotone_exp = d.monotone_exp == 1;
  apply_algorithm_domain(c);
  return c;
}

Contract plugin_contract(Op op, DType dtype) {
  Contract c;
  c.op = op;
  c.dtype = dtype;
  c.accum = dtype == DType::f64 ? DType::f64 : DType::f32;
  c.algorithm = Algorithm::shifted;
  c.summation = Summation::serial;
  c.all_masked = MaskedRowPolicy::nan;
  c.flushes_subnormals = false;
  // Not claimed unless declared: an exp within 4 ulps covers vectorised expf polynomials (typically
  // 1-3 ulps), and a polynomial exp need not be monotone (style.md, Highway's contracts).
  c.exp_ulps = 4.0;
  c.monotone_exp = false;
  c.isa = "plugin";
  return c;
}

KernelEntry entry_for(Op op, void* fn) {
  switch (op) {
    case Op::softmax:
    case Op::log_softmax:
      return reinterpret_cast<RowwiseFn>(fn);
    case Op::softmax_temp:
      return reinterpret_cast<TemperatureFn>(fn);
    case Op::softmax_backward:
      return reinterpret_cast<BackwardFn>(fn);
    case Op::cross_entropy:
      return reinterpret_cast<CrossEntropyFn>(fn);
  }
  throw std::logic_error("entry_for: unknown op");
}

PluginLibrary PluginLibrary::open(const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty()) throw PluginError("cannot load plugin: empty library path");
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (!fs::exists(st))
    throw PluginError(fmt::format("cannot load plugin '{}': no such file", path));
  if (fs::is_directory(st))
    throw PluginError(fmt::format("cannot load plugin '{}': is a directory", path));
  // dlopen searches LD_LIBRARY_PATH and the system directories for names without '/'; the user
  // named a file, so anchor it.
  const std::string target = path.find('/') == std::string::npos ? "./" + path : path;
  dlerror();
  void* handle = nullptr;
  {
    const KeepFloatingPointEnvironment keep;
    handle = dlopen(target.c_str(), RTLD_NOW | RTLD_LOCAL);
  }
  if (handle == nullptr) {
    const std::string e = dl_error();
    const bool not_elf = e.find("invalid ELF header") != std::string::npos ||
                         e.find("file too short") != std::string::npos;
    throw PluginError(fmt::format("cannot load plugin '{}': {}{}", path, e,
                                  not_elf ? " (not a shared object)" : ""));
  }
  return PluginLibrary(path, std::shared_ptr<void>(handle, [](void* h) {
                         const KeepFloatingPointEnvironment keep;
                         dlclose(h);
                       }));
}

void* PluginLibrary::symbol_address(const std::string& symbol) const {
  dlerror();
  void* addr = dlsym(handle_.get(), symbol.c_str());
  if (addr == nullptr) return nullptr;
  // dlsym also searches the library's dependencies (libc, libm...): `--symbol expf` must not check
  // libm's expf. Accept only symbols defined in the plugin file itself.
  link_map* lm = nullptr;
  if (dlinfo(handle_.get(), RTLD_DI_LINKMAP, &lm) == 0 && lm != nullptr && lm->l_name != nullptr) {
    const std::string owner = object_of(addr);
    if (!owner.empty() && owner != lm->l_name)
      throw PluginError(fmt::format("plugin '{}': symbol '{}' is defined in {}, not in the plugin",
                                    path_, symbol, owner));
  }
  return addr;
}

Kernel PluginLibrary::kernel(const std::string& symbol, Contract contract) const {
  void* addr = symbol_address(symbol);
  if (addr == nullptr) {
    std::string msg = fmt::format("plugin '{}' has no symbol '{}' ({})", path_, symbol, dl_error());
    if (has_descriptor()) {
      std::string names;
      try {
        for (const Kernel& k : kernels()) names += (names.empty() ? "" : ", ") + k.contract.name;
      } catch (const PluginError& e) {
        names = fmt::format("(unreadable: {})", e.what());
      }
      msg += fmt::format("; its {}() list has: {}", SOFTCHECK_KERNELS_SYMBOL, names);
    } else {
      msg += "; is the function declared with SOFTCHECK_EXPORT (and extern \"C\" in C++)?";
    }
    throw PluginError(msg);
  }
  if (contract.name.empty()) contract.name = symbol;
  if (contract.summary.empty()) contract.summary = fmt::format("plugin {}:{}", path_, symbol);
  const Op op = contract.op;
  return Kernel{std::move(contract), entry_for(op, addr)};
}

bool PluginLibrary::has_descriptor() const {
  try {
    return symbol_address(SOFTCHECK_KERNELS_SYMBOL) != nullptr;
  } catch (const PluginError&) {
    return false;  // only a dependency of the plugin defines it
  }
}

std::vector<Kernel> PluginLibrary::kernels() const {
  std::vector<Kernel> out;
  for (DescribedKernel& d : described_kernels()) out.push_back(std::move(d.kernel));
  return out;
}

void PluginLibrary::init() const {
  void* addr = symbol_address(SOFTCHECK_INIT_SYMBOL);
  if (addr == nullptr) return;
  using InitFn = int (*)(void);
  if (const int rc = reinterpret_cast<InitFn>(addr)(); rc != 0)
    throw PluginError(
        fmt::format("plugin '{}': {}() failed with {}", path_, SOFTCHECK_INIT_SYMBOL, rc));
}

void PluginLibrary::teardown() const {
  void* addr = symbol_address(SOFTCHECK_TEARDOWN_SYMBOL);
  if (addr == nullptr) return;
  using TeardownFn = void (*)(void);
  reinterpret_cast<TeardownFn>(addr)();
}

std::vector<DescribedKernel> PluginLibrary::described_kernels() const {
  void* addr = symbol_address(SOFTCHECK_KERNELS_SYMBOL);
  if (addr == nullptr)
    throw PluginError(
        fmt::format("plugin '{}' exports no {}() list of kernels; name a kernel with --symbol, "
                    "--op and --dtype",
                    path_, SOFTCHECK_KERNELS_SYMBOL));
  using ListFn = const softcheck_kernel_list* (*)(void);
  const softcheck_kernel_list* list = nullptr;
  {
    const KeepFloatingPointEnvironment keep;
    list = reinterpret_cast<ListFn>(addr)();
  }
  const std::string where = fmt::format("plugin '{}': {}()", path_, SOFTCHECK_KERNELS_SYMBOL);
  if (list == nullptr) throw PluginError(where + " returned NULL");
  if (list->abi_version != SOFTCHECK_ABI_VERSION)
    throw PluginError(fmt::format(
        "{} has abi_version {}, this softcheck reads version {}: rebuild the plugin against this "
        "softcheck's kernel_abi.h",
        where, list->abi_version, SOFTCHECK_ABI_VERSION));
  if (list->count == 0) throw PluginError(where + " lists no kernels");
  // A garbage count would have us walk arbitrary memory; no plugin lists this many kernels.
  constexpr uint32_t kMaxKernels = 1u << 16;
  if (list->count > kMaxKernels)
    throw PluginError(fmt::format("{} claims {} kernels (more than {}): corrupt list?", where,
                                  list->count, kMaxKernels));
  if (list->kernels == nullptr)
    throw PluginError(fmt::format("{} has count {} but kernels is NULL", where, list->count));

  std::vector<DescribedKernel> out;
  std::set<std::string> seen;
  for (uint32_t i = 0; i < list->count; ++i) {
    DescribedKernel k{fields_of(list->kernels[i]), kernel_from_desc(path_, i, list->kernels[i])};
    if (!seen.insert(k.kernel.contract.name).second)
      throw PluginError(
          fmt::format("{}: kernel name '{}' appears twice", where, k.kernel.contract.name));
    out.push_back(std::move(k));
  }
  return out;
}

}  // namespace softcheck
