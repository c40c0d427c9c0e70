// libtorch 1.13 (Debian libtorch-dev) as kernels, built as a module (softcheck_torch_adapter.so)
// that adapters/torch_peers.cpp loads on the first call of a torch kernel, so only processes that
// run one pay libtorch's start-up (about 0.4 s of CPU) and its fork handlers. The kernels: at::_softmax_out and at::_log_softmax_out
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

#include <cstdio>
#include <cstdlib>
#include <string>

#include "softcheck/dtype.hpp"

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

}  // namespace
}  // namespace softcheck

// The entry points adapters/torch_peers.cpp resolves with dlsym (one per registered kernel).
#define SOFTCHECK_TORCH_ROWWISE(name, fn, T)                                      \
  extern "C" __attribute__((visibility("default"))) void name(                 \
      const void* x, void* y, std::size_t rows, std::size_t cols) {               \
    softcheck::fn<softcheck::DType::T>(x, y, rows, cols);                         \
  }
SOFTCHECK_TORCH_ROWWISE(softcheck_torch_softmax_f32, softmax, f32)
SOFTCHECK_TORCH_ROWWISE(softcheck_torch_softmax_f64, softmax, f64)
SOFTCHECK_TORCH_ROWWISE(softcheck_torch_softmax_bf16, softmax, bf16)
SOFTCHECK_TORCH_ROWWISE(softcheck_torch_log_softmax_f32, log_softmax, f32)
SOFTCHECK_TORCH_ROWWISE(softcheck_torch_log_softmax_f64, log_softmax, f64)
SOFTCHECK_TORCH_ROWWISE(softcheck_torch_log_softmax_bf16, log_softmax, bf16)

extern "C" __attribute__((visibility("default"))) void softcheck_torch_softmax_backward_f32(
    const void* y, const void* dy, void* dx, std::size_t rows, std::size_t cols) {
  softcheck::backward<softcheck::DType::f32>(y, dy, dx, rows, cols);
}
extern "C" __attribute__((visibility("default"))) void softcheck_torch_softmax_backward_f64(
    const void* y, const void* dy, void* dx, std::size_t rows, std::size_t cols) {
  softcheck::backward<softcheck::DType::f64>(y, dy, dx, rows, cols);
}
extern "C" __attribute__((visibility("default"))) void softcheck_torch_cross_entropy_f32(
    const void* x, const int64_t* labels, void* loss, void* dx, std::size_t rows,
    std::size_t cols) {
  softcheck::cross_entropy<softcheck::DType::f32>(x, labels, loss, dx, rows, cols);
}
extern "C" __attribute__((visibility("default"))) void softcheck_torch_cross_entropy_f64(
    const void* x, const int64_t* labels, void* loss, void* dx, std::size_t rows,
    std::size_t cols) {
  softcheck::cross_entropy<softcheck::DType::f64>(x, labels, loss, dx, rows, cols);
}
