// The gallery as data: the families of tests/mutants and the wrong kernels other areas already
// wrote (tests/half, tests/ops), reused rather than rewritten, with the bug class and the property
// their own comments name.
#include <stdexcept>
#include <string_view>

#include "tests/half/wrong_half_kernels.hpp"
#include "tests/mutants/correct_rows.hpp"
#include "tests/mutants/mutant.hpp"
#include "tests/ops/wrong_op_kernels.hpp"

namespace softcheck::mutants {
namespace {

Kernel take(const std::vector<Kernel>& ks, std::string_view name) {
  for (const Kernel& k : ks)
    if (k.contract.name == name) return k;
  throw std::logic_error("gallery: no wrong kernel named " + std::string(name) +
                         " (renamed in tests/half or tests/ops?)");
}

struct Reused {
  const char* name;
  BugClass bug_class;
  const char* defect;
  const char* property;
};

// The property each one's comment in its own file names as meant to catch it.
constexpr Reused kHalf[] = {
    {"f16_softmax_shifted_f16sum__scalar", BugClass::half_accumulation, "sum kept in f16",
     "sum_to_one"},
    {"bf16_softmax_shifted_truncate__scalar", BugClass::bf16_truncation,
     "f32 -> bf16 keeps the high 16 bits", "bias"},
    {"f16_softmax_unshifted_f16exp__scalar", BugClass::no_max_shift, "no shift, exp rounded to f16",
     "accuracy"},
};
constexpr Reused kOps[] = {
    {"f32_log_softmax_shifted__scalar_wrong_log_of_softmax", BugClass::log_softmax_form,
     "log(softmax(x))", "log_softmax_finite"},
    {"f32_log_softmax_shifted__scalar_wrong_lse_cancellation", BugClass::log_softmax_form,
     "x - (max + log sum)", "log_softmax_large_offset"},
    {"f32_softmax_backward_shifted__scalar_wrong_unweighted_dot", BugClass::backward_formula,
     "y * (dy - sum dy)", "backward_null_direction"},
    {"f32_cross_entropy_shifted__scalar_wrong_one_based_label", BugClass::cross_entropy_label,
     "one-hot at label - 1", "cross_entropy_dx_accuracy"},
    {"f32_softmax_temp_shifted__scalar_wrong_multiplied_tau", BugClass::temperature,
     "softmax(x * tau)", "temp_high_limit"},
};

}  // namespace

static_assert(static_cast<int>(BugClass::weaker_than_declared) + 1 == kBugClassCount,
              "kBugClassCount must count every BugClass");

std::string_view name_of(BugClass c) {
  switch (c) {
    case BugClass::no_max_shift:
      return "overflow without max shift";
    case BugClass::max_sentinel:
      return "running max: finite sentinel or element 0 missed";
    case BugClass::body_tail:
      return "vector body and scalar tail disagree";
    case BugClass::axis_or_stride:
      return "wrong reduction axis or row stride";
    case BugClass::index_overflow:
      return "index overflow on huge tensors";
    case BugClass::half_accumulation:
      return "accumulation in f16/bf16";
    case BugClass::bf16_truncation:
      return "truncating f32 -> bf16 conversion";
    case BugClass::online_rescale:
      return "online softmax rescale";
    case BugClass::log_softmax_form:
      return "log-softmax formula";
    case BugClass::backward_formula:
      return "wrong backward formula";
    case BugClass::cross_entropy_label:
      return "cross-entropy label handling";
    case BugClass::fast_exp_range:
      return "fast-exp bit trick below its range";
    case BugClass::special_values:
      return "+inf / NaN / -inf rows handled inconsistently";
    case BugClass::out_of_bounds:
      return "out-of-bounds read or write";
    case BugClass::uninitialised:
      return "uninitialised memory reduced as data";
    case BugClass::input_modified:
      return "input modified";
    case BugClass::low_order:
      return "low-order approximation";
    case BugClass::temperature:
      return "temperature applied the wrong way";
    case BugClass::single_column:
      return "single-column rows mishandled";
    case BugClass::subnormal_flush:
      return "subnormals flushed against the contract";
    case BugClass::weaker_than_declared:
      return "algorithm weaker than declared";
  }
  return "?";
}

Mutant mutant(const char* bug, Contract claimed, KernelEntry entry, BugClass bug_class,
              std::string defect, std::string expected_property, const char* where,
              std::optional<CallStatus> status) {
  claimed.name += std::string("_wrong_") + bug;
  return Mutant{Kernel{std::move(claimed), entry}, bug_class, std::move(defect),
                std::move(expected_property),      status,    where};
}

std::vector<Mutant> gallery() {
  std::vector<Mutant> all;
  for (auto&& family : {wrong_max_kernels(), wrong_sum_kernels(), wrong_online_kernels(),
                        wrong_exp_kernels(), wrong_special_kernels(), wrong_memory_kernels()})
    all.insert(all.end(), family.begin(), family.end());
  const std::vector<Kernel> half = wrong_half_kernels();
  for (const Reused& r : kHalf)
    all.push_back({take(half, r.name), r.bug_class, r.defect, r.property, std::nullopt,
                   "tests/half/wrong_half_kernels.cpp"});
  const std::vector<Kernel> ops = testing::wrong_op_kernels();
  for (const Reused& r : kOps)
    all.push_back({take(ops, r.name), r.bug_class, r.defect, r.property, std::nullopt,
                   "tests/ops/wrong_op_kernels.cpp"});
  return all;
}

std::vector<Kernel> correct_kernels() {
  std::vector<Kernel> all = correct_f32_kernels();
  for (Kernel& k : correct_half_kernels()) all.push_back(std::move(k));
  return all;
}

}  // namespace softcheck::mutants
