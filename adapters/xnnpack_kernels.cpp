// XNNPACK (Debian libxnnpack-dev, 2022-02 snapshot) f32 softmax as a kernel. This snapshot has no
// f16 and no log-softmax operator. No thread pool is passed, so XNNPACK runs on the calling thread.
//
// XNNPACK's micro-kernels may read up to XNN_EXTRA_BYTES past the end of a row (its tests pad every
// input; peers.md). The kernel ABI gives no padding, so where the last row of x or y ends within
// XNN_EXTRA_BYTES of a page boundary, that row goes through padded scratch: an over-read that
// stays inside a mapped page cannot fault and its lanes are discarded by the library, one across
// the boundary could. Contract (measured here, docs/findings.md): rmax, exp(x - max) stored and
// summed, multiply by 1/sum; results below the smallest normal f32 flushed to 0; NaN, +inf and
// all -inf rows give -inf everywhere.
#include <xnnpack.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "adapters/peer_kernels.hpp"

namespace softcheck {
namespace {

bool initialised() {
  static const bool ok = xnn_initialize(nullptr) == xnn_status_success;
  return ok;
}

[[noreturn]] void die(const char* what, xnn_status status) {
  std::fprintf(stderr, "softcheck: XNNPACK adapter: %s failed (xnn_status %d)\n", what,
               static_cast<int>(status));
  std::abort();
}

void run_rows(const float* x, float* y, std::size_t rows, std::size_t cols) {
  xnn_operator_t op = nullptr;
  xnn_status st = xnn_create_softmax_nc_f32(cols, cols, cols, 0, &op);
  if (st != xnn_status_success) die("xnn_create_softmax_nc_f32", st);
  st = xnn_setup_softmax_nc_f32(op, rows, x, y, nullptr);
  if (st != xnn_status_success) die("xnn_setup_softmax_nc_f32", st);
  st = xnn_run_operator(op, nullptr);
  if (st != xnn_status_success) die("xnn_run_operator", st);
  xnn_delete_operator(op);
}

// Whether reading XNN_EXTRA_BYTES past `end` may cross into the next page.
bool near_page_end(const void* end) {
  constexpr std::uintptr_t kPage = 4096;  // the smallest x86-64 page: a safe assumption
  const auto a = reinterpret_cast<std::uintptr_t>(end);
  return (a % kPage) + XNN_EXTRA_BYTES > kPage;
}

void f32_softmax(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  if (rows == 0 || cols == 0) return;
  if (!initialised()) die("xnn_initialize", xnn_status_uninitialized);
  const auto* x = static_cast<const float*>(xv);
  auto* y = static_cast<float*>(yv);
  const std::size_t n = rows * cols;
  if (!near_page_end(x + n) && !near_page_end(y + n)) return run_rows(x, y, rows, cols);
  if (rows > 1) run_rows(x, y, rows - 1, cols);
  std::vector<float> in(cols + XNN_EXTRA_BYTES / sizeof(float)), out(in.size());
  std::memcpy(in.data(), x + n - cols, cols * sizeof(float));
  run_rows(in.data(), out.data(), 1, cols);
  std::memcpy(y + n - cols, out.data(), cols * sizeof(float));
}

}  // namespace

std::vector<Kernel> xnnpack_kernels() {
  if (!initialised()) return {};  // peer_adapters() says so
  Contract c;
  c.name = "f32_softmax_shifted__xnnpack";
  c.op = Op::softmax;
  c.dtype = DType::f32;
  c.accum = DType::f32;
  c.algorithm = Algorithm::shifted;
  // raddstoreexpminusmax keeps 1 to 4 vector accumulators of 4..16 lanes (chosen per CPU);
  // 4 lanes is the smallest tree, so the bound it gives holds for every choice.
  c.summation = Summation::k_lane;
  c.lanes = 4;
  c.exp_ulps = 2.0;
  c.domain.accepts_neg_inf = true;
  c.domain.propagates_nan = true;
  c.all_masked = MaskedRowPolicy::unspecified;
  c.flushes_subnormals = true;
  c.monotone_exp = false;
  c.isa = "xnnpack";
  c.summary = "XNNPACK 2022-02 softmax_nc_f32, micro-kernels chosen for this CPU, no thread pool";
  return {{c, &f32_softmax}};
}

std::string xnnpack_detail() {
  return initialised() ? "XNNPACK 2022-02: f32 softmax (no f16, no log-softmax in this snapshot)"
                       : "XNNPACK: xnn_initialize failed on this CPU (skipped)";
}

}  // namespace softcheck
