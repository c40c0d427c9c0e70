// The summary of a benchmark run (summary.hpp).
#include "bench/summary.hpp"

#include <algorithm>
#include <tuple>

#include "softcheck/dtype.hpp"

namespace softcheck::bench {
namespace {

// "subject/cols:C/elems:S[/repeats...]" -> parts; false for other names.
bool parse(const std::string& name, std::string& subject, long& cols, std::string& size) {
  const auto c = name.find("/cols:");
  const auto e = name.find("/elems:");
  if (c == std::string::npos || e == std::string::npos || e < c) return false;
  subject = name.substr(0, c);
  cols = std::stol(name.substr(c + 6, e - c - 6));
  size = name.substr(e + 7);
  size = size.substr(0, size.find('/'));
  return true;
}

}  // namespace

void SummaryReporter::ReportRuns(const std::vector<Run>& runs) {
  benchmark::ConsoleReporter::ReportRuns(runs);
  for (const Run& run : runs) {
    // Single runs only (aggregates of repetitions apply one statistic to time and rates alike).
    if (run.error_occurred || run.run_type == Run::RT_Aggregate) continue;
    std::string subject, size;
    long cols = 0;
    if (!parse(run.run_name.function_name, subject, cols, size)) continue;
    const auto it = run.counters.find("items_per_second");
    if (it == run.counters.end()) continue;
    // The best of the repetitions: on a shared machine the fastest run is the one least disturbed.
    double& best = items_per_second_[Key{subject, size, cols}];
    best = std::max(best, it->second.value);
    ++repetitions_;
  }
}

double SummaryReporter::rate(const std::string& subject, const std::string& size,
                             long cols) const {
  const auto it = items_per_second_.find({subject, size, cols});
  return it == items_per_second_.end() ? 0.0 : it->second;
}

double SummaryReporter::bytes_per_element(const std::string& subject) const {
  for (const Subject& s : subjects_)
    if (s.name == subject) return 2.0 * format_of(s.dtype).bytes;
  return 8.0;
}

void SummaryReporter::print_summary(std::FILE* out) const {
  std::vector<std::string> kernels;  // those that ran, references excluded
  std::vector<std::string> f32_softmax;
  for (const Subject& s : subjects_) {
    bool ran = false;
    for (const auto& [key, value] : items_per_second_) ran = ran || key.subject == s.name;
    if (!ran || s.name == baseline_ || s.name == kStreamName) continue;
    kernels.push_back(s.name);
    if (s.dtype == DType::f32 && s.op == Op::softmax) f32_softmax.push_back(s.name);
  }

  std::fprintf(out,
               "\n== benchmark summary (single thread, ratios within this run; best of %.1f "
               "runs per benchmark on average: use --benchmark_repetitions=N and "
               "--benchmark_enable_random_interleaving=true on a shared machine) ==\n",
               items_per_second_.empty() ? 0.0
                                         : static_cast<double>(repetitions_) /
                                               static_cast<double>(items_per_second_.size()));
  std::fprintf(out, "baseline: %s%s\n", baseline_.c_str(),
               baseline_ == kBaselineName ? " (-O3 -march=native -ffast-math, glibc libmvec expf)"
                                          : "");
  std::fprintf(out, "copy bandwidth: %s (y = x * c, f32: 8 bytes per element)\n", kStreamName);
  auto header = [&](const std::string& title) {
    std::fprintf(out, "\n%s\n%-44s", title.c_str(), "");
    for (std::size_t c : sweep_.cols) std::fprintf(out, "%11zu", c);
    std::fprintf(out, "   (cols)\n");
  };
  auto row = [&](const std::string& label, auto value, const char* fmt) {
    std::fprintf(out, "%-44s", label.c_str());
    for (std::size_t c : sweep_.cols) {
      const double v = value(static_cast<long>(c));
      if (v > 0) {
        std::fprintf(out, fmt, v);
      } else {
        std::fprintf(out, "%11s", "-");
      }
    }
    std::fprintf(out, "\n");
  };
  for (const BatchSize& bs : sweep_.sizes) {
    const std::string& size = bs.label;
    const std::string where = size + " elements";
    header(where + ": G elements/s");
    for (const std::string& s : {baseline_, std::string(kStreamName)})
      row(s, [&](long c) { return rate(s, size, c) * 1e-9; }, "%11.3f");
    for (const std::string& k : kernels)
      row(k, [&](long c) { return rate(k, size, c) * 1e-9; }, "%11.3f");
    header(where + ": speed / baseline");
    for (const std::string& k : kernels) {
      row(
          k,
          [&](long c) {
            const double base = rate(baseline_, size, c);
            return base > 0 ? rate(k, size, c) / base : 0.0;
          },
          "%10.2fx");
    }
    header(where + ": bytes/s (x read once, y written once) / copy bytes/s");
    for (const std::string& k : kernels) {
      row(
          k,
          [&](long c) {
            const double stream = rate(kStreamName, size, c) * 8.0;
            return stream > 0 ? rate(k, size, c) * bytes_per_element(k) / stream : 0.0;
          },
          "%11.2f");
    }
    if (f32_softmax.empty()) continue;
    header(where +
           ": f32 softmax, fraction of the bandwidth limit (12 B/element model: x read twice, y "
           "written once)");
    for (const std::string& k : f32_softmax) {
      row(
          k,
          [&](long c) {
            const double stream = rate(kStreamName, size, c);  // 8 bytes per element
            return stream > 0 ? rate(k, size, c) * 12.0 / (stream * 8.0) : 0.0;
          },
          "%11.2f");
    }
  }
}

nlohmann::json SummaryReporter::to_json() const {
  nlohmann::json results = nlohmann::json::array();
  for (const Subject& s : subjects_) {
    for (const BatchSize& bs : sweep_.sizes) {
      for (std::size_t cols : sweep_.cols) {
        const long c = static_cast<long>(cols);
        const double r = rate(s.name, bs.label, c);
        if (r <= 0) continue;
        const double base = rate(baseline_, bs.label, c);
        const double stream = rate(kStreamName, bs.label, c);
        const double bytes = r * 2.0 * format_of(s.dtype).bytes;
        results.push_back({
            {"subject", s.name},
            {"dtype", std::string(name_of(s.dtype))},
            {"op", std::string(name_of(s.op))},
            {"elements", bs.label},
            {"cols", cols},
            {"rows", std::max<std::size_t>(1, bs.elements / cols)},
            {"items_per_second", r},
            {"bytes_per_second", bytes},
            {"vs_baseline", base > 0 ? nlohmann::json(r / base) : nlohmann::json()},
            {"vs_stream_bytes", stream > 0 ? nlohmann::json(bytes / (stream * 8.0)) : nlohmann::json()},
        });
      }
    }
  }
  return {{"schema", "softcheck-bench/1"},
          {"baseline", baseline_},
          {"stream", kStreamName},
          {"single_runs", repetitions_},
          {"results", results}};
}

}  // namespace softcheck::bench
