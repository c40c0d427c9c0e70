// The size sweep every benchmark of softcheck runs (softcheck_bench and `softcheck bench`): each
// subject at every (batch size, cols), registered size by size, then cols by cols, then subject by
// subject, so the subjects compared in one ratio run next to each other (less drift on a shared
// machine; --benchmark_enable_random_interleaving shuffles repetitions on top). Counters: items/s
// (elements) and bytes/s (compulsory traffic: one read of x and one write of y per element, the
// same definition for every subject, so bytes/s compare with the stream row directly).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "bench/subjects.hpp"

namespace softcheck::bench {

struct BatchSize {
  std::string label;  // "1M": part of the benchmark name
  std::size_t elements = 0;
};

struct Sweep {
  std::vector<std::size_t> cols;
  std::vector<BatchSize> sizes;
};

// softcheck_bench's sweep: cols 16..262144 at ~1M elements (4 MB of f32 input: in cache) and ~64M
// elements (DRAM).
Sweep default_sweep();

// Parses "1M", "64M", "4096", "16K" into an element count; 0 for anything else.
std::size_t parse_elements(const std::string& label);

// Registers one Google Benchmark per (size, cols, subject) named "subject/cols:C/elems:S".
// `subjects` must outlive the run.
void register_sweep(const std::vector<Subject>& subjects, const Sweep& sweep);

}  // namespace softcheck::bench
