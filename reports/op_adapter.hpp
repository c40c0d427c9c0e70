// What a report sweep needs to know per op: the call to make from a batch of logits, the oracle,
// the a-priori bound, and what masked entries and all-masked rows must give. Adding an op to the
// reports is one adapter (op_adapter.cpp); an op without one is listed as skipped with its reason.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "properties/error_bound.hpp"
#include "properties/invoke.hpp"
#include "properties/reference.hpp"

namespace softcheck::reports {

class OpAdapter {
 public:
  virtual ~OpAdapter() = default;
  virtual Op op() const = 0;
  // How the bound judges an element, for the report ("relative" bounds scale with |p_j|).
  virtual std::string_view error_measure() const = 0;
  // Why this kernel cannot be swept (nullopt: it can).
  virtual std::optional<std::string> unsupported(const Contract& c) const = 0;
  // The call on `rows` rows of `cols` logits (row-major, representable in c.dtype).
  virtual Call make_call(const Contract& c, std::span<const double> x, std::size_t rows,
                         std::size_t cols) const = 0;
  // Oracle for one row of logits, rounded once to `out`.
  virtual RowReference reference(std::span<const double> x, DType out) const = 0;
  virtual RowBound bound(const Contract& c, std::span<const double> x,
                         const RowReference& ref) const = 0;
  // Output at a -inf entry of a row with a finite entry (exactly; softmax 0, log-softmax -inf).
  virtual double masked_output() const = 0;
  // What every output of an all -inf row must equal under the contract's policy: NaN for nan,
  // nullopt for unspecified (anything goes).
  std::optional<double> all_masked_output(const Contract& c, std::size_t cols) const;
};

// The adapter of an op, or nullptr when reports cannot sweep it yet.
const OpAdapter* adapter_for(Op op);

// Why a kernel is not swept: no adapter for its op, or the adapter rejects its contract;
// nullopt when it is swept.
std::optional<std::string> skip_reason(const Contract& c);

}  // namespace softcheck::reports
