// What a report sweep needs to know per op: the inputs to make from a row of logits (tau, dy and
// the forward output, a label), how to call the kernel, the oracle, the a-priori bound
// (properties/error_bound*.hpp), and which outputs masks fix exactly. Adding an op to the reports
// is one adapter in op_adapter.cpp; a kernel no adapter can judge is listed as skipped with the
// reason.
#pragma once

#include <cstdint>
#include <memory>
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

// A call's outputs, rows x outputs_per_row values, kept in the kernel's dtype: every dtype's
// values are exact in double, and a long row's outputs as doubles would cost 8 bytes per element.
class RowOutputs {
 public:
  RowOutputs() = default;
  // Values already laid out row by row (per_row each).
  RowOutputs(std::vector<double> values, std::size_t per_row);
  // A kernel's outputs: y (cols per row) and, when not empty, one loss per row after them.
  RowOutputs(Buffer y, Buffer loss, std::size_t cols);
  std::size_t per_row() const { return per_row_; }
  double at(std::size_t row, std::size_t j) const;
  // Outputs [begin, end) of a row into out (resized).
  void copy(std::size_t row, std::size_t begin, std::size_t end, std::vector<double>& out) const;

 private:
  std::vector<double> values_;
  Buffer y_, loss_;
  std::size_t per_row_ = 0, cols_ = 0;
};

// A long row judged in ranges of elements, in memory independent of its length: the reference and
// the bound of outputs [begin, end) (reports/cell_stats.hpp; properties/streamed_reference.hpp).
class RangeJudge {
 public:
  virtual ~RangeJudge() = default;
  virtual RowReference reference(std::size_t begin, std::size_t end) const = 0;
  virtual RowBound bound(std::size_t begin, std::size_t end, const RowReference& ref) const = 0;
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
  virtual std::variant<RowOutputs, std::string> run(const Kernel& k, const Invoker& invoker,
                                                    std::span<const double> x,
                                                    std::span<const RowCase> cases,
                                                    std::size_t cols) const;
  // Oracle for one row, rounded once to `out` (outputs_per_row values).
  virtual RowReference reference(std::span<const double> x, const RowCase& rc, DType out) const = 0;
  virtual RowBound bound(const Contract& c, std::span<const double> x, const RowCase& rc,
                         const RowReference& ref) const = 0;
  // Whether range_judge gives a judge (long rows then cost memory independent of their length).
  virtual bool judges_in_ranges() const { return false; }
  // The same reference and bound for a row judged in ranges (x, which must outlive the judge, is
  // inside the contract's domain and not all -inf); nullptr where the op judges whole rows only.
  virtual std::unique_ptr<RangeJudge> range_judge(const Contract& c, std::span<const double> x,
                                                  const RowCase& rc, DType out) const;
  // The exact value of output j when a mask fixes it (softmax 0, log-softmax -inf at a -inf
  // logit), nullopt when it is measured against the oracle.
  virtual std::optional<double> masked_output(std::span<const double> x, const RowCase& rc,
                                              std::size_t j) const;
  // What every output of an all -inf row must equal under the contract's policy: NaN for nan,
  // nullopt where nothing is specified.
  virtual std::optional<double> all_masked_output(const Contract& c, std::size_t cols) const;

 protected:
  // Calls the kernel once on rows [first, first + count) with the given call fields.
  static std::variant<RowOutputs, std::string> call_rows(const Kernel& k, const Invoker& invoker,
                                                         Call call);
};

// The adapter of an op, or nullptr when reports cannot sweep it.
const OpAdapter* adapter_for(Op op);

// Why a kernel is not swept: it cannot run here (Kernel::runnable), no adapter for its op, or no
// bound for its contract (properties/error_bound_ops.hpp); nullopt when it is swept.
std::optional<std::string> skip_reason(const Kernel& k);

}  // namespace softcheck::reports
