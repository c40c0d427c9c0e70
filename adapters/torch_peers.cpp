// The libtorch peers as the registry sees them: contracts (no libtorch needed to list them) and
// entry points that load the adapter module (adapters/torch_kernels.cpp, built as
// softcheck_torch_adapter.so) on the first call and forward to it. Loading libtorch costs a
// process about 0.4 s of CPU and adds fork handlers that slow every isolated (forked) call, so
// only processes that run a torch kernel pay for it.
//
// Contracts (measured here, docs/findings.md): vectorised max, exp(x - max) (Sleef, 1 ulp) stored
// and summed, multiply by 1/sum; subnormal results kept; NaN, +inf and all -inf rows NaN
// everywhere. One thread: the module calls at::set_num_threads(1) (which sets OpenMP's count for
// the whole process, as the oneDNN adapter also does).
#include <dlfcn.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "adapters/peer_kernels.hpp"

namespace softcheck {
namespace {

// SOFTCHECK_TORCH_ADAPTER (environment) overrides the build-tree path CMake compiled in.
std::string module_path() {
  const char* env = std::getenv("SOFTCHECK_TORCH_ADAPTER");
  return env && *env ? env : SOFTCHECK_TORCH_ADAPTER_PATH;
}

bool module_present() {
  struct stat st {};
  return ::stat(module_path().c_str(), &st) == 0;
}

void* torch_symbol(const char* name) {
  static void* handle = [] {
    void* h = dlopen(module_path().c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      std::fprintf(stderr, "softcheck: libtorch adapter: cannot load %s: %s\n",
                   module_path().c_str(), dlerror());
      std::abort();
    }
    return h;
  }();
  void* f = dlsym(handle, name);
  if (!f) {
    std::fprintf(stderr, "softcheck: libtorch adapter: %s lacks %s\n", module_path().c_str(), name);
    std::abort();
  }
  return f;
}

#define SOFTCHECK_TORCH_FORWARD(name, Fn, params, args)                        \
  void name params {                                                         \
    static const auto fn = reinterpret_cast<Fn>(torch_symbol("softcheck_torch_" #name)); \
    fn args;                                                                 \
  }
#define SOFTCHECK_TORCH_ROWWISE(name) \
  SOFTCHECK_TORCH_FORWARD(name, RowwiseFn, \
                          (const void* x, void* y, std::size_t r, std::size_t c), (x, y, r, c))
SOFTCHECK_TORCH_ROWWISE(softmax_f32)
SOFTCHECK_TORCH_ROWWISE(softmax_f64)
SOFTCHECK_TORCH_ROWWISE(softmax_bf16)
SOFTCHECK_TORCH_ROWWISE(log_softmax_f32)
SOFTCHECK_TORCH_ROWWISE(log_softmax_f64)
SOFTCHECK_TORCH_ROWWISE(log_softmax_bf16)
#define SOFTCHECK_TORCH_BACKWARD(name)                                                 \
  SOFTCHECK_TORCH_FORWARD(name, BackwardFn,                                            \
                          (const void* y, const void* dy, void* dx, std::size_t r,     \
                           std::size_t c),                                             \
                          (y, dy, dx, r, c))
SOFTCHECK_TORCH_BACKWARD(softmax_backward_f32)
SOFTCHECK_TORCH_BACKWARD(softmax_backward_f64)
#define SOFTCHECK_TORCH_CROSS_ENTROPY(name)                                                   \
  SOFTCHECK_TORCH_FORWARD(name, CrossEntropyFn,                                               \
                          (const void* x, const int64_t* l, void* loss, void* dx, std::size_t r, \
                           std::size_t c),                                                    \
                          (x, l, loss, dx, r, c))
SOFTCHECK_TORCH_CROSS_ENTROPY(cross_entropy_f32)
SOFTCHECK_TORCH_CROSS_ENTROPY(cross_entropy_f64)

// libtorch does not export its choice (at::native::get_cpu_capability is internal); it follows
// ATEN_CPU_CAPABILITY when set and the CPU has it, and AVX2 otherwise on this build (peers.md).
std::string capability() {
  const char* env = std::getenv("ATEN_CPU_CAPABILITY");
  return env && *env ? std::string(env) + " (ATEN_CPU_CAPABILITY)" : "default (AVX2)";
}

Contract torch_contract(Op op, DType t) {
  Contract c;
  c.op = op;
  c.dtype = t;
  c.accum = t == DType::f64 ? DType::f64 : DType::f32;  // bf16 is computed in f32
  c.algorithm = Algorithm::shifted;
  // vec::reduce_all over one Vectorized accumulator (4 to 16 lanes), then a tree: 4 lanes is the
  // smallest tree, so its bound holds for every capability.
  c.summation = Summation::k_lane;
  c.lanes = 4;
  c.exp_ulps = 1.0;  // Sleef_exp*_u10
  c.log_ulps = 1.0;
  c.domain.accepts_neg_inf = true;
  c.domain.propagates_nan = true;
  c.all_masked = MaskedRowPolicy::nan;
  c.flushes_subnormals = false;
  c.monotone_exp = false;
  c.isa = "torch";
  c.name = std::string(name_of(t)) + "_" + std::string(name_of(op)) + "_shifted__torch";
  c.summary = "libtorch " SOFTCHECK_TORCH_VERSION " CPU path " + capability() + ", one thread";
  return c;
}

}  // namespace

std::vector<Kernel> torch_kernels() {
  if (!module_present()) return {};  // peer_adapters() says so
  return {
      {torch_contract(Op::softmax, DType::f32), &softmax_f32},
      {torch_contract(Op::softmax, DType::f64), &softmax_f64},
      {torch_contract(Op::softmax, DType::bf16), &softmax_bf16},
      {torch_contract(Op::log_softmax, DType::f32), &log_softmax_f32},
      {torch_contract(Op::log_softmax, DType::f64), &log_softmax_f64},
      {torch_contract(Op::log_softmax, DType::bf16), &log_softmax_bf16},
      {torch_contract(Op::softmax_backward, DType::f32), &softmax_backward_f32},
      {torch_contract(Op::softmax_backward, DType::f64), &softmax_backward_f64},
      {torch_contract(Op::cross_entropy, DType::f32), &cross_entropy_f32},
      {torch_contract(Op::cross_entropy, DType::f64), &cross_entropy_f64},
  };
}

std::string torch_detail() {
  if (!module_present())
    return "libtorch adapter module missing at " + module_path() +
           " (set SOFTCHECK_TORCH_ADAPTER to its path): skipped";
  return "libtorch " SOFTCHECK_TORCH_VERSION ", CPU path " + capability() +
         " (set ATEN_CPU_CAPABILITY=avx512 to check the AVX-512 path); loaded on first use from " +
         module_path();
}

}  // namespace softcheck
