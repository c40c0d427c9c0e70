// Worst-case files: the input of a kernel's largest error relative to its bound, kept as plain
// hex-float text with a comment header (the CORE-MATH / glibc practice), so that a test or a person
// can replay it through the kernel and the oracle (replay()).
//
// Format (softcheck-worst-case/1): lines starting with '#' are comments; then "key value" lines;
// then sections: a line "x" followed by the row's logits, one C99 hex float per line ("-inf" for
// masks), and for softmax_backward sections "y" and "dy" (the forward output and gradient the
// kernel received). Every number is a hex float, so a replay compares bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "properties/invoke.hpp"
#include "reports/op_adapter.hpp"
#include "softcheck/kernel.hpp"

namespace softcheck::reports {

inline constexpr const char* kWorstCaseFormat = "softcheck-worst-case/1";

struct WorstCase {
  std::string kernel;
  Op op = Op::softmax;
  DType dtype = DType::f32;
  std::string family;
  std::size_t cols = 0;
  uint64_t seed = 0;              // the cell's seed
  std::size_t plan_position = 0;  // the cell's position in the kernel's plan (ties)
  std::size_t row = 0;            // row of the cell's batch the input came from
  std::size_t index = 0;          // the element
  std::string kind = "within";    // "class_mismatch", "over_bound" or "within"
  double got = 0, exact = 0, expected = 0;
  double ulps_exact = 0, ulps_rounded = 0, abs = 0, bound_abs = 0, tightness = 0;
  std::vector<double> x;      // the row of logits
  double tau = 1.0;           // softmax_temp
  int64_t label = 0;          // cross_entropy
  std::vector<double> y, dy;  // softmax_backward
};

std::string format_worst_case(const WorstCase& w);
// The same text, written to a stream as it is formatted.
void write_worst_case(std::ostream& os, const WorstCase& w);
// Throws std::runtime_error naming the line when the text is not a worst-case file.
WorstCase parse_worst_case(const std::string& text);

void write_worst_case_file(const std::string& path, const WorstCase& w);
WorstCase read_worst_case_file(const std::string& path);

// The element of a replay: the kernel called on the saved row, the oracle and the bound recomputed.
struct Replay {
  double got = 0, exact = 0, expected = 0;
  double ulps_exact = 0, ulps_rounded = 0, abs = 0, bound_abs = 0;
  bool class_mismatch = false;
  bool within_bound = false;
};

// The row's inputs other than x, as the adapters take them.
RowCase row_case_of(const WorstCase& w);

// Calls `kernel` (whose name, op and dtype must match the file) on the saved row through the
// invoker and measures the saved element again; throws std::invalid_argument on a mismatch.
Replay replay(const WorstCase& w, const Kernel& kernel, const Invoker& invoker);

}  // namespace softcheck::reports
