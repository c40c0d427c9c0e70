// oneDNN 2.6 (Debian libdnnl-dev) softmax primitives as kernels: softmax and log-softmax forward in
// f32 and bf16, softmax backward in f32. The 2.x API (softmax_v2_forward::desc + primitive_desc);
// a primitive per call, which oneDNN's own primitive cache turns into a lookup after the first.
// oneDNN's CPU runtime is OpenMP: the adapter sets one thread once, so results do not depend on the
// core count (the reduction order of a row is that of one thread).
//
// Contracts (measured here, docs/findings.md): three passes (max, exp(x - max) stored and summed,
// scale), exp by the library's jit polynomial, results below the smallest normal f32 flushed to 0
// (the jit exp clamps its argument), an all -inf row gives NaN.
#include <omp.h>

#include <cstdio>
#include <cstdlib>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>

#include "adapters/peer_kernels.hpp"

namespace softcheck {
namespace {

using dnnl::memory;
using tag = memory::format_tag;

dnnl::engine& cpu_engine() {
  static dnnl::engine engine = [] {
    omp_set_num_threads(1);
    return dnnl::engine(dnnl::engine::kind::cpu, 0);
  }();
  return engine;
}

memory::data_type dnnl_type(DType t) {
  return t == DType::bf16 ? memory::data_type::bf16 : memory::data_type::f32;
}

memory::desc row_major(DType t, std::size_t rows, std::size_t cols) {
  return memory::desc({static_cast<memory::dim>(rows), static_cast<memory::dim>(cols)}, dnnl_type(t),
                      tag::ab);
}

dnnl::softmax_v2_forward::primitive_desc forward_pd(dnnl::algorithm alg, DType t, std::size_t rows,
                                                    std::size_t cols) {
  const memory::desc md = row_major(t, rows, cols);
  // forward_training: the same kernel as inference in 2.6, and the hint the backward needs.
  return {{dnnl::prop_kind::forward_training, alg, md, md, 1}, cpu_engine()};
}

// A kernel cannot return an error through the ABI; a primitive oneDNN refuses after the
// registration probe accepted it (a shape it does not handle) is a failure of the adapter: say so
// and stop rather than hand back an unwritten output.
[[noreturn]] void die(const char* what, const dnnl::error& e) {
  std::fprintf(stderr, "softcheck: oneDNN adapter: %s: %s (status %d)\n", what, e.what(),
               static_cast<int>(e.status));
  std::abort();
}

template <dnnl::algorithm Alg, DType T>
void forward(const void* x, void* y, std::size_t rows, std::size_t cols) {
  if (rows == 0 || cols == 0) return;
  try {
    const auto pd = forward_pd(Alg, T, rows, cols);
    memory src(pd.src_desc(), cpu_engine(), const_cast<void*>(x));
    memory dst(pd.dst_desc(), cpu_engine(), y);
    dnnl::stream s(cpu_engine());
    dnnl::softmax_v2_forward(pd).execute(s, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
    s.wait();
  } catch (const dnnl::error& e) {
    die("softmax forward", e);
  }
}

template <DType T>
void backward(const void* y, const void* dy, void* dx, std::size_t rows, std::size_t cols) {
  if (rows == 0 || cols == 0) return;
  try {
    const auto fwd = forward_pd(dnnl::algorithm::softmax_accurate, T, rows, cols);
    const memory::desc md = row_major(T, rows, cols);
    const dnnl::softmax_v2_backward::primitive_desc pd(
        {dnnl::algorithm::softmax_accurate, md, md, md, 1}, cpu_engine(), fwd);
    memory dst(md, cpu_engine(), const_cast<void*>(y));
    memory diff_dst(md, cpu_engine(), const_cast<void*>(dy));
    memory diff_src(md, cpu_engine(), dx);
    dnnl::stream s(cpu_engine());
    dnnl::softmax_v2_backward(pd).execute(
        s, {{DNNL_ARG_DST, dst}, {DNNL_ARG_DIFF_DST, diff_dst}, {DNNL_ARG_DIFF_SRC, diff_src}});
    s.wait();
  } catch (const dnnl::error& e) {
    die("softmax backward", e);
  }
}

// The implementation oneDNN picks for a shape (e.g. "jit:avx512_core"), or "" when it has none:
// bf16 needs AVX-512 in 2.6, so bf16 kernels are not registered on AVX2-only hosts.
std::string implementation(dnnl::algorithm alg, DType t) {
  try {
    return forward_pd(alg, t, 4, 1000).impl_info_str();
  } catch (const dnnl::error&) {
    return "";
  }
}

std::string version_string() {
  const auto* v = dnnl::version();
  return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
}

Contract onednn_contract(Op op, DType t, const std::string& impl) {
  Contract c;
  c.op = op;
  c.dtype = t;
  c.accum = DType::f32;
  c.algorithm = Algorithm::shifted;
  // The jit kernel keeps one accumulator per vector lane (16 with AVX-512, 8 with AVX2) and unrolls
  // over several registers; 8 lanes is the smaller tree and so the larger, safe, bound.
  c.summation = Summation::k_lane;
  c.lanes = 8;
  c.exp_ulps = 2.0;
  c.log_ulps = 2.0;
  c.domain.accepts_neg_inf = true;
  c.domain.propagates_nan = true;
  c.all_masked = MaskedRowPolicy::nan;
  c.flushes_subnormals = true;
  c.monotone_exp = false;
  c.isa = "onednn";
  c.name = std::string(name_of(t)) + "_" + std::string(name_of(op)) + "_shifted__onednn";
  c.summary = "oneDNN " + version_string() + " " + impl + ", one thread";
  return c;
}

}  // namespace

std::vector<Kernel> onednn_kernels() {
  using dnnl::algorithm;
  std::vector<Kernel> out;
  struct Forward {
    Op op;
    DType dtype;
    algorithm alg;
    RowwiseFn fn;
  };
  const Forward forwards[] = {
      {Op::softmax, DType::f32, algorithm::softmax_accurate,
       &forward<algorithm::softmax_accurate, DType::f32>},
      {Op::softmax, DType::bf16, algorithm::softmax_accurate,
       &forward<algorithm::softmax_accurate, DType::bf16>},
      {Op::log_softmax, DType::f32, algorithm::softmax_log,
       &forward<algorithm::softmax_log, DType::f32>},
      {Op::log_softmax, DType::bf16, algorithm::softmax_log,
       &forward<algorithm::softmax_log, DType::bf16>},
  };
  for (const Forward& f : forwards) {
    const std::string impl = implementation(f.alg, f.dtype);
    if (impl.empty()) continue;  // peer_adapters() names what this CPU lacks
    out.push_back({onednn_contract(f.op, f.dtype, impl), f.fn});
  }
  const std::string impl = implementation(algorithm::softmax_accurate, DType::f32);
  if (!impl.empty())
    out.push_back({onednn_contract(Op::softmax_backward, DType::f32, impl), &backward<DType::f32>});
  return out;
}

std::string onednn_detail() {
  std::string d = "oneDNN " + version_string() + ": f32 " +
                  implementation(dnnl::algorithm::softmax_accurate, DType::f32);
  const std::string bf16 = implementation(dnnl::algorithm::softmax_accurate, DType::bf16);
  d += bf16.empty() ? ", bf16 not supported by this CPU (skipped)" : ", bf16 " + bf16;
  return d;
}

}  // namespace softcheck
