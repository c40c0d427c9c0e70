// The diagnoses (properties/diagnosis) that name each bug class of the gallery. A class without an
// experiment of its own maps to none: such a kernel must get "no diagnosis", never a wrong one.
#include "tests/mutants/mutant.hpp"

namespace softcheck::mutants {

std::vector<std::string_view> diagnoses_for(const Mutant& m) {
  // Memory defects are seen as the call status the isolated invoker reports.
  if (m.status) return {name_of(*m.status)};
  switch (m.bug_class) {
    case BugClass::no_max_shift: return {"no_max_shift"};
    // A mask written as a large finite number (-1e9, -1e30) instead of -inf turns an all-masked
    // row into one of equal logits: the special-value table shows it first.
    case BugClass::max_sentinel: return {"max_sentinel", "max_skips_element", "special_value_policy"};
    case BugClass::body_tail: return {"tail_mismatch"};
    case BugClass::axis_or_stride: return {"cross_row"};
    case BugClass::index_overflow: return {"index_overflow"};
    case BugClass::half_accumulation: return {"low_precision_accumulation"};
    case BugClass::bf16_truncation: return {"truncating_conversion"};
    case BugClass::online_rescale: return {"online_rescale", "masked_block_nan"};
    // Clamping logits to [-88, 88] shows as outputs that stop changing below -88.
    case BugClass::special_values: return {"special_value_policy", "logit_clamped"};
    case BugClass::single_column: return {"special_value_policy"};
    case BugClass::fast_exp_range: return {"exp_inaccurate"};
    case BugClass::low_order: return {"exp_inaccurate", "normaliser_inaccurate"};
    case BugClass::subnormal_flush: return {"flush_to_zero"};
    case BugClass::uninitialised: return {"state_between_calls", "cross_row"};
    case BugClass::out_of_bounds: return {"out_of_bounds"};
    case BugClass::input_modified: return {"wrote_input"};
    case BugClass::log_softmax_form:
    case BugClass::backward_formula:
    case BugClass::cross_entropy_label:
    case BugClass::temperature: return {};
    // A Kahan sum reset every step is a sum less accurate than declared: the normaliser's
    // diagnosis, or none (a shift by floor(max) is exact in value and only breaks bitwise
    // invariance, which no experiment here looks at).
    case BugClass::weaker_than_declared: return {"normaliser_inaccurate", "none"};
  }
  return {};
}

}  // namespace softcheck::mutants
