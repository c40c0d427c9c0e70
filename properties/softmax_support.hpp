// Shared steps of the softmax-family properties: calling the kernel on a batch, exact shifts,
// and the special-value scenarios with their documented policy.
#pragma once

#include <optional>
#include <string_view>

#include "properties/generators.hpp"
#include "properties/property.hpp"

namespace softcheck {

// Calls a rowwise kernel (softmax, log_softmax) on the batch; a failed call fails the case.
Buffer call_rowwise(const PropertyContext& ctx, const Batch& b, double tau = 1.0);

// A shift near `wanted` such that every finite x_i + c is exact in the batch's format and stays
// in the contract's domain; nullopt when none is found.
std::optional<double> exact_shift(const Batch& b, const Contract& c, double wanted);

enum class SpecialScenario { some_masked, all_masked, one_nan, one_pos_inf, nan_and_masks };
std::string_view name_of(SpecialScenario s);
void apply_scenario(Batch& b, SpecialScenario s, uint64_t where);

// The special-value policy (docs/properties.md): with at least one finite logit, -inf entries give
// exactly 0; a NaN makes the row not all-finite; a single +inf gives NaNs or exactly one-hot on
// it; an all -inf row gives what the contract's MaskedRowPolicy says.
void check_special_outcome(const Contract& c, const Batch& b, const Buffer& y, SpecialScenario s);

}  // namespace softcheck
