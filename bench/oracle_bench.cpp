// softcheck_oracle_bench: the oracle's two tiers in one run (docs/error-model.md, "The fast
// tier"). Per output format (f32, f16, bf16, f64), op (softmax, log-softmax) and row length, the
// reference of a row as the properties build it: the tiered oracle (fast tier, escalations
// included) and MPFR alone, then the same with every element compared (compare_element, which
// the accuracy properties call per output). Counter: elements/s. At the end, the tiered/MPFR
// ratios of this run (targets: f32/f16/bf16 >= 50 M elements/s and >= 75x; f64 >= 10x).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "properties/reference.hpp"

namespace softcheck::bench {
namespace {

enum class Tier { tiered, mpfr };
enum class BenchOp { softmax, log_softmax };

constexpr long kCols[] = {128, 4096};

std::vector<double> row(DType t, long cols) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> n01;
  std::vector<double> x(static_cast<std::size_t>(cols));
  for (double& v : x) v = round_to(t, 3 * n01(rng));
  return x;
}

RowReference reference(Tier tier, BenchOp op, std::span<const double> x, DType t) {
  if (op == BenchOp::softmax) return tier == Tier::tiered ? softmax_reference(x, t) : softmax_reference_mpfr(x, t);
  return tier == Tier::tiered ? log_softmax_reference(x, t) : log_softmax_reference_mpfr(x, t);
}

void bench_reference(benchmark::State& state, DType t, BenchOp op, Tier tier, bool compare) {
  const std::vector<double> x = row(t, state.range(0));
  std::vector<double> bound;  // 2 ulps: a typical kernel's bound, never crossed here
  if (compare) {
    const RowReference probe = reference(Tier::mpfr, op, x, t);
    for (double r : probe.rounded) bound.push_back(2 * ulp(t, r));
  }
  for (auto _ : state) {
    const RowReference ref = reference(tier, op, x, t);
    benchmark::DoNotOptimize(ref.rounded.data());
    if (compare) {
      std::size_t inside = 0;
      for (std::size_t j = 0; j < x.size(); ++j)
        inside += within(compare_element(0, j, ref.rounded[j], ref, t, bound[j]));
      benchmark::DoNotOptimize(inside);
    }
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

std::string name(DType t, BenchOp op, Tier tier, bool compare) {
  return std::string("oracle/") + std::string(name_of(t)) + (op == BenchOp::softmax ? "_softmax" : "_log_softmax") +
         (compare ? "+compare" : "") + (tier == Tier::tiered ? "/tiered" : "/mpfr");
}

// Console output plus the ratio table of this run.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.run_type != Run::RT_Iteration || r.error_occurred) continue;
      const auto it = r.counters.find("items_per_second");
      if (it == r.counters.end()) continue;
      double& best = rates_[r.run_name.function_name + "/" + r.run_name.args];
      best = std::max(best, static_cast<double>(it->second));
    }
  }
  void print_summary() const {
    std::printf("\n%-34s %6s %14s %14s %8s\n", "oracle (elements/s)", "cols", "tiered", "mpfr", "ratio");
    for (const auto& [key, rate] : rates_) {
      const auto slash = key.rfind("/tiered/");
      if (slash == std::string::npos) continue;
      const std::string base = key.substr(0, slash), cols = key.substr(slash + 8);
      const auto m = rates_.find(base + "/mpfr/" + cols);
      if (m == rates_.end()) continue;
      std::printf("%-34s %6s %12.2fM %12.3fM %7.1fx\n", base.c_str() + 7, cols.c_str(), rate / 1e6,
                  m->second / 1e6, rate / m->second);
    }
  }

 private:
  std::map<std::string, double> rates_;
};

}  // namespace
}  // namespace softcheck::bench

int main(int argc, char** argv) {
  using namespace softcheck;
  using namespace softcheck::bench;
  // Tiered and MPFR rows of one subject run next to each other (less drift on a shared machine).
  for (DType t : {DType::f32, DType::f16, DType::bf16, DType::f64})
    for (BenchOp op : {BenchOp::softmax, BenchOp::log_softmax})
      for (bool compare : {false, true})
        for (Tier tier : {Tier::tiered, Tier::mpfr})
          benchmark::RegisterBenchmark(name(t, op, tier, compare).c_str(), bench_reference, t, op, tier, compare)
              ->ArgsProduct({{kCols[0], kCols[1]}})
              ->Unit(benchmark::kMicrosecond);
  // The memory of a long row (SOFTCHECK_BENCH_LONG_ROW=n): one tiered reference of n elements, for
  // /usr/bin/time -v (the README's bytes per element); not in the default run.
  if (const char* n = std::getenv("SOFTCHECK_BENCH_LONG_ROW"))
    benchmark::RegisterBenchmark("oracle_long_row/f32_softmax/tiered", bench_reference, DType::f32,
                                 BenchOp::softmax, Tier::tiered, false)
        ->Arg(std::atol(n))
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
  benchmark::Initialize(&argc, argv);
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_summary();
  benchmark::Shutdown();
  return 0;
}
