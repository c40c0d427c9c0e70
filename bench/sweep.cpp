// The benchmark sweep (sweep.hpp).
#include "bench/sweep.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <random>

#include "softcheck/dtype.hpp"

namespace softcheck::bench {
namespace {

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};
using Bytes = std::unique_ptr<unsigned char[], FreeDeleter>;

// Input and output of one (dtype, element count), created on first use and kept: logits uniform in
// [-5, 5] (the kernels' speed does not depend on the values; finite, so the -ffast-math baseline is
// valid), converted once to the storage format; y pre-touched so that page faults stay out of the
// timing.
struct Batch {
  Bytes x, y;
};
Batch& batch(DType t, std::size_t elements) {
  static std::map<std::pair<DType, std::size_t>, Batch> cache;
  auto [it, inserted] = cache.try_emplace({t, elements});
  if (inserted) {
    const std::size_t bytes = elements * static_cast<std::size_t>(format_of(t).bytes);
    const std::size_t rounded = (bytes + 63) / 64 * 64;
    it->second.x.reset(static_cast<unsigned char*>(std::aligned_alloc(64, rounded)));
    it->second.y.reset(static_cast<unsigned char*>(std::aligned_alloc(64, rounded)));
    std::mt19937 rng(42);
    std::uniform_real_distribution<double> dist(-5.0, 5.0);
    // Fill through a Buffer one block at a time (Buffer converts to the storage format).
    constexpr std::size_t kBlock = 1 << 16;
    for (std::size_t i = 0; i < elements; i += kBlock) {
      const std::size_t n = std::min(kBlock, elements - i);
      Buffer b(t, n);
      for (std::size_t j = 0; j < n; ++j) b.set(j, round_to(t, dist(rng)));
      std::memcpy(it->second.x.get() + i * format_of(t).bytes, b.data(), b.size_bytes());
    }
    std::memset(it->second.y.get(), 0, rounded);
  }
  return it->second;
}

void run_subject(benchmark::State& state, const Subject& s, std::size_t cols,
                 std::size_t elements) {
  const std::size_t rows = std::max<std::size_t>(1, elements / cols);
  Batch& b = batch(s.dtype, rows * cols);
  for (auto _ : state) {
    s.run(b.x.get(), b.y.get(), rows, cols);
    benchmark::ClobberMemory();
  }
  const auto items = static_cast<int64_t>(rows * cols);
  state.SetItemsProcessed(state.iterations() * items);
  state.SetBytesProcessed(state.iterations() * items * 2 * format_of(s.dtype).bytes);
  state.counters["rows"] = static_cast<double>(rows);
}

}  // namespace

Sweep default_sweep() {
  return {{16, 128, 1000, 4096, 32768, 262144},
          {{"1M", std::size_t{1} << 20}, {"64M", std::size_t{64} << 20}}};
}

std::size_t parse_elements(const std::string& label) {
  if (label.empty()) return 0;
  std::size_t scale = 1;
  std::string digits = label;
  if (label.back() == 'K' || label.back() == 'M') {
    scale = label.back() == 'K' ? std::size_t{1} << 10 : std::size_t{1} << 20;
    digits.pop_back();
  }
  if (digits.empty() || digits.size() > 9 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return 0;
  return std::stoul(digits) * scale;
}

void register_sweep(const std::vector<Subject>& subjects, const Sweep& sweep) {
  for (const BatchSize& size : sweep.sizes) {
    for (std::size_t cols : sweep.cols) {
      for (const Subject& s : subjects) {
        const std::string name = s.name + "/cols:" + std::to_string(cols) + "/elems:" + size.label;
        const std::size_t elements = size.elements;
        benchmark::RegisterBenchmark(name.c_str(), [&s, cols, elements](benchmark::State& st) {
          run_subject(st, s, cols, elements);
        })->Unit(benchmark::kMicrosecond);
      }
    }
  }
}

}  // namespace softcheck::bench
