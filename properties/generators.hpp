// Logit generators written for softmax kernels. RapidCheck's arbitrary<float> never yields NaN, inf,
// large exponents or ties, so every interesting input is aimed at on purpose: the reason for each
// family is written next to it in generators.cpp. Values are representable in the kernel's dtype;
// shrinking moves each logit one step at a time along the format's ordered values towards 0, so a
// minimal counterexample lands exactly on a threshold (the first logit whose exp overflows).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <rapidcheck.h>

#include "softcheck/contract.hpp"

namespace softcheck {

// A row-major batch of logits, each value exactly representable in `dtype`.
struct Batch {
  DType dtype = DType::f32;
  std::size_t rows = 1, cols = 1;
  std::vector<double> x;
  std::string family;  // the generator family that produced it (coverage tags)

  std::span<const double> row(std::size_t r) const { return {x.data() + r * cols, cols}; }
};

inline constexpr double kDefaultLongShare = 0.03;

struct GenSpec {
  DType dtype = DType::f32;
  Domain domain;
  std::size_t min_rows = 1, max_rows = 1;
  std::size_t max_cols = 100000;
  bool masks = true;     // -inf entries (attention masks)
  bool specials = false; // NaN and +inf injected into some rows
  // Share of rows longer than 4096 (up to max(1e5, max_cols), half of them 65537: one past a
  // 16-bit index).
  double long_rows = kDefaultLongShare;
};

GenSpec gen_spec_for(const Contract& c, std::size_t max_cols);

// The full adversarial batch generator (families x lengths x masks x specials).
rc::Gen<Batch> gen_batch(const GenSpec& spec);

// Shrinks a logit along its format's ordered values towards 0; NaN and +-inf shrink to 0.
rc::Seq<double> shrink_logit(DType t, double x);

// Coverage: the length bucket of a row ("1", "tile-edge", "short", "medium", "long", "very long"
// past 1e5).
std::string length_class(std::size_t cols);
// Coverage: the exponent range of the largest finite |x| of a row, one of eight over the format
// ("|x|max 2^[96,128)"), appended to the names of the whole-format families.
std::string binade_class(std::span<const double> x, DType t);
bool has_neg_inf(std::span<const double> row);
bool all_neg_inf(std::span<const double> row);
bool has_nan_or_pos_inf(std::span<const double> row);

// RapidCheck prints counterexamples through this (found by ADL): hex floats, row by row.
void showValue(const Batch& b, std::ostream& os);

}  // namespace softcheck
