// Console output of Google Benchmark plus, at the end, a summary of ratios from the same run:
// f32 softmax subjects against the -ffast-math baseline (issue 5 targets: >= 1.3x for cols
// 128..32768 in cache, >= 1.0x at 16) and, for the DRAM-sized batch, against the bandwidth limit
// measured by the stream row (target: >= 80% of it, with issue 5's traffic model of 12 bytes per
// element: x read twice, y written once).
#pragma once

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace softcheck::bench {

class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  // f32_softmax: the subjects of the ratio tables (f32 softmax kernels and peers), in order.
  SummaryReporter(bool tabular, std::vector<std::string> f32_softmax)
      : benchmark::ConsoleReporter(tabular ? OO_ColorTabular : OO_Color),
        f32_softmax_(std::move(f32_softmax)) {}
  void ReportRuns(const std::vector<Run>& runs) override;
  void print_summary(std::FILE* out) const;

 private:
  struct Key {
    std::string subject;
    std::string size;  // "1M" or "64M"
    long cols = 0;
    bool operator<(const Key& o) const {
      return std::tie(subject, size, cols) < std::tie(o.subject, o.size, o.cols);
    }
  };
  std::map<Key, double> items_per_second_;  // the best over repetitions
  long repetitions_ = 0;                    // single runs seen
  std::vector<std::string> f32_softmax_;
};

}  // namespace softcheck::bench
