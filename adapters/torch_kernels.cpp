// libtorch 1.13 (Debian libtorch-dev) as kernels: at::_softmax_out and at::_log_softmax_out
// (f32, f64, bf16), at::_softmax_backward_data_out (f32, f64) and cross-entropy (f32, f64) as
// autograd computes it: nll_loss_forward on _log_softmax, then nll_loss_backward and
// _log_softmax_backward_data. Tensors wrap the caller's buffers (at::from_blob), so `_out`
// functions write straight into them.
//
// One thread (at::set_num_threads(1), which also sets OpenMP's count for the whole process: the
// oneDNN adapter wants the same). The CPU path is chosen by libtorch once per process from
// ATEN_CPU_CAPABILITY (default: AVX2 where the CPU has it; "avx512" opts in); the kernel names do
// not change with it, the summary says which path runs.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/csrc/api/include/torch/version.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "adapters/peer_kernels.hpp"

namespace softcheck {
namespace {

void init_once() {
  static const bool done = [] {
    at::set_num_threads(1);
    return true;
  }();
  (void)done;
}

at::ScalarType torch_type(DType t) {
  switch (t) {
    case DType::f64:
      return at::kDouble;
    case DType::bf16:
      return at::kBFloat16;
    default:
      return at::kFloat;
  }
}

template <DType T>
at::Tensor wrap(const void* p, std::size_t rows, std::size_t cols) {
  return at::from_blob(const_cast<void*>(p),
                       {static_cast<int64_t>(rows), static_cast<int64_t>(cols)},
                       at::TensorOptions().dtype(torch_type(T)));
}

// libtorch reports errors as c10::Error; the ABI cannot carry one back, so a refusal is a failure
// of the adapter, said as such.
[[noreturn]] void die(const char* what, const std::exception& e) {
  std::fprintf(stderr, "softcheck: libtorch adapter: %s: %s\n", what, e.what());
  std::abort();
}

template <DType T>
void softmax(const void* x, void* y, std::size_t rows, std::size_t cols) {
  if (rows == 0 || cols == 0) return;
  init_once();
  try {
    at::Tensor out = wrap<T>(y, rows, cols);
    at::_softmax_out(out, wrap<T>(x, rows, cols), 1, false);
  } catch (const std::exception& e) {
    die("_softmax_out", e);
  }
}

template <DType T>
void log_softmax(const void* x, void* y, std::size_t rows, std::size_t cols) {
  if (rows == 0 || cols == 0) return;
  init_once();
  try {
    at::Tensor out = wrap<T>(y, rows, cols);
    at::_log_softmax_out(out, wrap<T>(x, rows, cols), 1, false);
  } catch (const std::exception& e) {
    die("_log_softmax_out", e);
  }
}

template <DType T>
void backward(const void* y, const void* dy, void* dx, std::size_t rows, std::size_t cols) {
  if (rows == 0 || cols == 0) return;
  init_once();
  try {
    at::Tensor out = wrap<T>(dx, rows, cols);
    at::_softmax_backward_data_out(out, wrap<T>(dy, rows, cols), wrap<T>(y, rows, cols), 1,
                                   torch_type(T));
  } catch (const std::exception& e) {
    die("_softmax_backward_data_out", e);
  }
}

template <DType T>
void cross_entropy(const void* x, const int64_t* labels, void* loss, void* dx, std::size_t rows,
                   std::size_t cols) {
  if (rows == 0 || cols == 0) return;
  init_once();
  try {
    const at::Tensor logits = wrap<T>(x, rows, cols);
    const at::Tensor target =
        at::from_blob(const_cast<int64_t*>(labels), {static_cast<int64_t>(rows)}, at::kLong);
    const at::Tensor logp = at::_log_softmax(logits, 1, false);
    constexpr int64_t kNone = 0;  // at::Reduction::None
    constexpr int64_t kNoIgnore = -100;
    auto [l, total_weight] = at::nll_loss_forward(logp, target, {}, kNone, kNoIgnore);
    wrap<T>(loss, rows, 1).view({static_cast<int64_t>(rows)}).copy_(l);
    const at::Tensor g =
        at::nll_loss_backward(at::ones_like(l), logp, target, {}, kNone, kNoIgnore, total_weight);
    wrap<T>(dx, rows, cols).copy_(at::_log_softmax_backward_data(g, logp, 1, torch_type(T)));
  } catch (const std::exception& e) {
    die("cross_entropy", e);
  }
}

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
  c.summary = "libtorch " + std::string(TORCH_VERSION) + " CPU path " + capability() + ", one thread";
  return c;
}

}  // namespace

std::vector<Kernel> torch_kernels() {
  return {
      {torch_contract(Op::softmax, DType::f32), &softmax<DType::f32>},
      {torch_contract(Op::softmax, DType::f64), &softmax<DType::f64>},
      {torch_contract(Op::softmax, DType::bf16), &softmax<DType::bf16>},
      {torch_contract(Op::log_softmax, DType::f32), &log_softmax<DType::f32>},
      {torch_contract(Op::log_softmax, DType::f64), &log_softmax<DType::f64>},
      {torch_contract(Op::log_softmax, DType::bf16), &log_softmax<DType::bf16>},
      {torch_contract(Op::softmax_backward, DType::f32), &backward<DType::f32>},
      {torch_contract(Op::softmax_backward, DType::f64), &backward<DType::f64>},
      {torch_contract(Op::cross_entropy, DType::f32), &cross_entropy<DType::f32>},
      {torch_contract(Op::cross_entropy, DType::f64), &cross_entropy<DType::f64>},
  };
}

std::string torch_detail() {
  return "libtorch " + std::string(TORCH_VERSION) + ", CPU path " + capability() + " (set ATEN_CPU_CAPABILITY=avx512 to check the AVX-512 path)";
}

}  // namespace softcheck
