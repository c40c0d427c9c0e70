// What a report sweep needs to know per op: the inputs to make from a row of logits (tau, dy and
// the forward output, a label), how to call the kernel, the oracle, the a-priori bound
// (properties/error_bound*.hpp), and which outputs masks fix exactly. Adding an op to the reports
// is one adapter in op_adapter.cpp; a kernel no adapter can judge is listed as skipped with the
// reason.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "properties/error_bound.hpp"
#include "properties/invoke.hpp"
#include "properties/reference.hpp"

namespace softcheck::reports {

// One row's inputs beyond its logits x (the family draws x; the adapter derives the rest).
struct RowCase {
  double tau = 1.0;        // softmax_temp
  std::vector<double> y;   // softmax_backward: the forward output the kernel receives
  std::vector<double> dy;  // softmax_backward: the incoming gradient
  int64_t label = 0;       // cross_entropy
};

class OpAdapter {
 public:
  virtual ~OpAdapter() = default;
  virtual Op op() const = 0;
  // How the bound judges an output, for the report.
  virtual std::string_view error_measure() const = 0;
  // The bound is on the absolute error (log-softmax, backward): ulps of outputs near 0 are tiny
  // against it, so the report shows such an op's error as absolute error, not ulps.
  virtual bool bound_is_absolute() const { return false; }
  // Outputs measured per row: cols, or cols + 1 for cross_entropy (dx, then the loss).
  virtual std::size_t outputs_per_row(std::size_t cols) const { return cols; }
  // The inputs of one row (deterministic in seed); x is in the kernel's dtype.
  virtual RowCase make_case(const Contract& c, std::span<const double> x, uint64_t seed) const;
  // Calls the kernel on `rows` rows (row-major x, one case per row); the outputs, rows x
  // outputs_per_row, or why the call failed.
  virtual std::variant<std::vector<double>, std::string> run(const Kernel& k,
                                                             const Invoker& invoker,
                                                             std::span<const double> x,
                                                             std::span<const RowCase> cases,
                                                             std::size_t cols) const;
  // Oracle for one row, rounded once to `out` (outputs_per_row values).
  virtual RowReference reference(std::span<const double> x, const RowCase& rc, DType out) const = 0;
  virtual RowBound bound(const Contract& c, std::span<const double> x, const RowCase& rc,
                         const RowReference& ref) const = 0;
  // The exact value of output j when a mask fixes it (softmax 0, log-softmax -inf at a -inf
  // logit), nullopt when it is measured against the oracle.
  virtual std::optional<double> masked_output(std::span<const double> x, const RowCase& rc,
                                              std::size_t j) const;
  // What every output of an all -inf row must equal under the contract's policy: NaN for nan,
  // nullopt where nothing is specified.
  virtual std::optional<double> all_masked_output(const Contract& c, std::size_t cols) const;

 protected:
  // Calls the kernel once on rows [first, first + count) with the given call fields.
  static std::variant<std::vector<double>, std::string> call_rows(const Kernel& k,
                                                                  const Invoker& invoker,
                                                                  Call call);
};

// The adapter of an op, or nullptr when reports cannot sweep it.
const OpAdapter* adapter_for(Op op);

// Why a kernel is not swept: it cannot run here (Kernel::runnable), no adapter for its op, or no
// bound for its contract (properties/error_bound_ops.hpp); nullopt when it is swept.
std::optional<std::string> skip_reason(const Kernel& k);

}  // namespace softcheck::reports
