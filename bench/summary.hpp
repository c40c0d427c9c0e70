// Console output of Google Benchmark plus, at the end, a summary of ratios from the same run, for
// softcheck_bench and `softcheck bench` alike: per batch size, every subject's G elements/s, its
// speed against the baseline subject, its bytes/s against the stream (copy) row measured in the
// same run, and for f32 softmax the share of the bandwidth limit with issue 5's traffic model of
// 12 bytes per element (x read twice, y written once). The same figures as JSON (to_json).
#pragma once

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "bench/subjects.hpp"
#include "bench/sweep.hpp"

namespace softcheck::bench {

class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  // subjects: those of the tables, in order (the stream and baseline rows among them are shown as
  // references); baseline: the subject ratios are taken against.
  SummaryReporter(bool tabular, std::vector<Subject> subjects, Sweep sweep,
                  std::string baseline = kBaselineName)
      : benchmark::ConsoleReporter(tabular ? OO_ColorTabular : OO_Color),
        subjects_(std::move(subjects)),
        sweep_(std::move(sweep)),
        baseline_(std::move(baseline)) {}
  void ReportRuns(const std::vector<Run>& runs) override;
  void print_summary(std::FILE* out) const;
  // {"baseline", "stream", "repetitions", "results": [{subject, dtype, op, elements, cols, rows,
  //  items_per_second, bytes_per_second, vs_baseline, vs_stream_bytes}]}
  nlohmann::json to_json() const;

 private:
  struct Key {
    std::string subject;
    std::string size;  // a BatchSize label
    long cols = 0;
    bool operator<(const Key& o) const {
      return std::tie(subject, size, cols) < std::tie(o.subject, o.size, o.cols);
    }
  };
  double rate(const std::string& subject, const std::string& size, long cols) const;
  double bytes_per_element(const std::string& subject) const;
  std::map<Key, double> items_per_second_;  // the best over repetitions
  long repetitions_ = 0;                    // single runs seen
  std::vector<Subject> subjects_;
  Sweep sweep_;
  std::string baseline_;
};

}  // namespace softcheck::bench
