// A-priori absolute error bound of log-softmax kernels, in the shape of properties/error_bound.hpp
// (RowBound, same arguments as softmax_row_bound) so that it can move there unchanged once the
// property catalogue covers log-softmax. Log-probabilities are judged by absolute error
// (docs/error-model.md: "Judge log-probabilities by absolute error").
#pragma once

#include <optional>
#include <span>
#include <string>

#include "properties/error_bound.hpp"

namespace softcheck::reports {

// Why no bound is available for this contract's algorithm (nullopt: log_softmax_row_bound applies).
std::optional<std::string> log_softmax_bound_unsupported(const Contract& c);

// Bound for one row x (exact inputs) given the exact log-probabilities l (rounded to double).
// -inf entries have exact -inf outputs and bound 0 (the output must be -inf).
RowBound log_softmax_row_bound(const Contract& c, std::span<const double> x,
                               std::span<const double> l_exact);

}  // namespace softcheck::reports
