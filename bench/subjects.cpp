// Subject sources of the benchmark (subjects.hpp).
#include "bench/subjects.hpp"

#include <cstdio>
#include <variant>

#include "adapters/peer_kernels.hpp"
#include "impl/registry.hpp"

namespace softcheck::bench {

// Defined in native_reference.cpp (built with its own flags).
void f32_softmax_threepass_fastmath(const void* x, void* y, std::size_t rows, std::size_t cols);
void stream_scale_f32(const void* x, void* y, std::size_t rows, std::size_t cols);

std::vector<Subject> reference_subjects() {
  return {
      {kStreamName, Group::reference, DType::f32, Op::softmax, &stream_scale_f32},
      {kBaselineName, Group::reference, DType::f32, Op::softmax, &f32_softmax_threepass_fastmath},
  };
}

std::optional<Subject> subject_for(const Kernel& k, Group group) {
  const Contract& c = k.contract;
  if (const auto* fn = std::get_if<RowwiseFn>(&k.entry)) return Subject{c.name, group, c.dtype, c.op, *fn};
  if (const auto* temp = std::get_if<TemperatureFn>(&k.entry)) {
    // softmax_temp at tau = 1: the same work as softmax plus the scaling by 1/tau.
    const TemperatureFn f = *temp;
    return Subject{c.name + "/tau:1", group, c.dtype, c.op,
                   [f](const void* x, void* y, std::size_t r, std::size_t n) { f(x, y, r, n, 1.0); }};
  }
  // softmax_backward and cross_entropy take other inputs (y and dy, labels): not benchmarked here.
  return std::nullopt;
}

std::vector<Subject> builtin_subjects() {
  std::vector<Subject> out;
  for (const Kernel& k : builtin_kernels()) {
    const Contract& c = k.contract;
    // Kernels that cannot run here (e.g. SIMD targets this CPU lacks) stay listed: skip them.
    if (auto why = k.unrunnable_reason()) {
      std::fprintf(stderr, "softcheck_bench: SKIPPED %s (%s)\n", c.name.c_str(), why->c_str());
      continue;
    }
    if (auto s = subject_for(k, is_peer(k.contract) ? Group::peer : Group::kernel))
      out.push_back(std::move(*s));
  }
  return out;
}

namespace {

// The sources, in display order.
const SubjectSource kSources[] = {
    reference_subjects,
    builtin_subjects,
};

}  // namespace

std::vector<Subject> all_subjects() {
  std::vector<Subject> all;
  for (SubjectSource source : kSources) {
    for (Subject& s : source()) all.push_back(std::move(s));
  }
  return all;
}

}  // namespace softcheck::bench
