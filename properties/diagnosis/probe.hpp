// What the diagnoses share: calling a kernel on a probe row through the Invoker, judging a row
// against the oracle with the contract's derived bound (the same judgement as the accuracy
// property), bisection along a format's ordered values, and the tile inferred from the widths at
// which a kernel fails.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "properties/diagnosis/diagnosis.hpp"

namespace softcheck::diagnosis {

// Ops that take one row of logits and return one row (softmax, log_softmax, softmax_temp at
// tau = 1): the calls of the memory and cross-row experiments.
bool is_rowwise(const Contract& c);
bool is_softmax(const Contract& c);

// Calls the kernel on rows x cols values (each rounded to the contract's dtype first).
CallResult call_rows(const Kernel& k, const Invoker& inv, std::size_t rows, std::size_t cols,
                     std::span<const double> x);
// The outputs as doubles, or nullopt when the call did not complete (crash, guard page, ...).
std::optional<std::vector<double>> outputs(const Kernel& k, const Invoker& inv, std::size_t rows,
                                           std::size_t cols, std::span<const double> x);

// Positions of a softmax row whose output is outside its derived bound of the MPFR oracle (the
// accuracy property's test); nullopt when the row is outside the contract's domain.
std::optional<std::vector<std::size_t>> inaccurate_positions(const Contract& c,
                                                             std::span<const double> x,
                                                             std::span<const double> got);

// The first value v of format t in (lo, hi] with pred(v), given !pred(lo) and pred(hi), assuming
// pred is monotone between them (bisection on ordered_index: ~log2 of the values between).
double first_true(DType t, double lo, double hi, const std::function<bool(double)>& pred);

// A deterministic row of n logits spread over [-3, 3] (no ties), rounded to t.
std::vector<double> spread_row(DType t, std::size_t n);

// Widths as ranges: "1-7, 9-15, 17".
std::string format_ranges(const std::vector<std::size_t>& v);

// The tile k (a power of two 2..64) explaining failures seen only at widths that are not a
// multiple of k: every tested multiple of k passes and every failing width is not one. The
// smallest such k; nullopt when none explains them.
std::optional<std::size_t> tile_of(const std::vector<std::size_t>& failing,
                                   const std::vector<std::size_t>& tested);

// Rounds to 4 significant digits for parameters that are estimates (not exact thresholds).
double rounded4(double v);

}  // namespace softcheck::diagnosis
