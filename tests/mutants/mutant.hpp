// The gallery (issue 8): kernels that are wrong on purpose, each written the way the defect is
// found in public kernels (shared/docs/peers.md, "Bug classes"), each claiming the contract a
// correct kernel of its kind would declare, and each with the property that is meant to catch it.
// Never registered: tests/mutants asserts that the catalogue catches every one with the settings of
// `softcheck check`, and softcheck_gallery prints how fast (docs/gallery.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "properties/invoke.hpp"
#include "softcheck/kernel.hpp"

namespace softcheck::mutants {

// The bug classes of shared/docs/peers.md ("Bug classes seen in public softmax kernels") and the
// ones issue 8 adds; the gallery has at least one kernel of each (gallery_test checks).
enum class BugClass {
  no_max_shift,          // overflow without the max shift
  max_sentinel,          // running max from a finite sentinel or missing element 0
  body_tail,             // vector body and scalar tail disagree
  axis_or_stride,        // wrong reduction axis or row stride in batches
  index_overflow,        // 32-bit index overflow on huge tensors
  half_accumulation,     // accumulation in f16/bf16
  bf16_truncation,       // truncating f32 -> bf16 conversion
  online_rescale,        // online softmax: rescale wrong or missing, exp(-inf - -inf)
  log_softmax_form,      // log(softmax), x - (max + log sum)
  backward_formula,      // wrong backward formula
  cross_entropy_label,   // cross-entropy label/masking errors
  fast_exp_range,        // fast-exp bit tricks below their range
  special_values,        // +inf / NaN / all -inf rows handled inconsistently
  out_of_bounds,         // out-of-bounds reads and writes
  uninitialised,         // uninitialised memory reduced as data
  input_modified,        // the input buffer written
  low_order,             // low-order exp or reciprocal approximation
  temperature,           // temperature applied the wrong way
  single_column,         // single-column rows mishandled
  subnormal_flush,       // subnormals flushed where the contract keeps them
  weaker_than_declared,  // an algorithm other than the declared one (summation, shift)
};
inline constexpr int kBugClassCount = 21;
std::string_view name_of(BugClass c);

struct Mutant {
  Kernel kernel;
  BugClass bug_class;
  std::string defect;             // what exactly is wrong, in a few words (the gallery table)
  std::string expected_property;  // the catalogue property meant to catch it
  // Memory defects (out-of-bounds, scribbled input, unwritten output) run through the
  // IsolatedInvoker, as plugins do, and the failure must name this status.
  std::optional<CallStatus> status;
  std::string where;  // the file that defines it
};

// Builds a Mutant: the contract's name gets the suffix "_wrong_<bug>" (never a built-in name).
Mutant mutant(const char* bug, Contract claimed, KernelEntry entry, BugClass bug_class,
              std::string defect, std::string expected_property, const char* where,
              std::optional<CallStatus> status = std::nullopt);

// Families, one file each.
std::vector<Mutant> wrong_max_kernels();      // wrong_max.cpp: the max shift
std::vector<Mutant> wrong_sum_kernels();      // wrong_sum.cpp: the denominator
std::vector<Mutant> wrong_online_kernels();   // wrong_online.cpp: online normaliser
std::vector<Mutant> wrong_exp_kernels();      // wrong_exp.cpp: exp, reciprocal, subnormals
std::vector<Mutant> wrong_special_kernels();  // wrong_special.cpp: NaN, +inf, masks, cols = 1
std::vector<Mutant> wrong_memory_kernels();   // wrong_memory.cpp: out of bounds, input, output

// The whole gallery: the families above plus the wrong kernels of tests/half (softcheck_wrong_half)
// and tests/ops (softcheck_wrong_ops), with their bug class and expected property.
std::vector<Mutant> gallery();

// The diagnosis kinds (properties/diagnosis) that name the mutant's bug class (its call status for
// memory defects); empty: no experiment covers the class, so the kernel must get no diagnosis;
// "none" among them: no diagnosis is also right.
std::vector<std::string_view> diagnoses_for(const Mutant& m);

// Correct kernels written differently from the built-in ones (correct_kernels.cpp): every property
// must pass on each.
std::vector<Kernel> correct_kernels();

}  // namespace softcheck::mutants
