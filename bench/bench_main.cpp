// softcheck_bench: every registered row-wise kernel, the reference rows (bandwidth, -ffast-math
// baseline) and room for peers, at cols in {16, 128, 1000, 4096, 32768, 262144} for a ~1M-element
// batch (in cache: 4 MB of f32 input) and a ~64M-element batch (DRAM), single-threaded. Counters:
// items/s (elements) and bytes/s (compulsory traffic: one read of x and one write of y per element,
// the same definition for every subject, so bytes/s compare with the stream row directly).
// At the end a summary prints ratios against the baseline and the bandwidth limit, from this run.
//
// Benchmarks are registered size by size, then cols by cols, then subject by subject, so that the
// subjects compared in one ratio run next to each other (less drift on a shared machine).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench/subjects.hpp"
#include "bench/summary.hpp"
#include "softcheck/dtype.hpp"

namespace softcheck::bench {
namespace {

constexpr std::size_t kCols[] = {16, 128, 1000, 4096, 32768, 262144};
struct BatchSize {
  const char* label;
  std::size_t elements;
};
constexpr BatchSize kSizes[] = {{"1M", std::size_t{1} << 20}, {"64M", std::size_t{64} << 20}};

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

bool flag_set(int argc, char** argv, const char* flag) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], flag) == 0) return true;
  return false;
}

}  // namespace
}  // namespace softcheck::bench

int main(int argc, char** argv) {
  using namespace softcheck::bench;
  static const std::vector<Subject> subjects = all_subjects();
  for (const BatchSize& size : kSizes) {
    for (std::size_t cols : kCols) {
      for (const Subject& s : subjects) {
        const std::string name = s.name + "/cols:" + std::to_string(cols) + "/elems:" + size.label;
        benchmark::RegisterBenchmark(name.c_str(), [&s, cols, size](benchmark::State& st) {
          run_subject(st, s, cols, size.elements);
        })->Unit(benchmark::kMicrosecond);
      }
    }
  }
  const bool tabular = flag_set(argc, argv, "--benchmark_counters_tabular=true");
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  std::vector<std::string> f32_softmax;
  for (const Subject& s : subjects) {
    if (s.dtype == softcheck::DType::f32 && s.op == softcheck::Op::softmax) {
      f32_softmax.push_back(s.name);
    }
  }
  SummaryReporter reporter(tabular, f32_softmax);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_summary(stdout);
  benchmark::Shutdown();
  return 0;
}
