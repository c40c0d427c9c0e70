#include "reports/op_adapter.hpp"

#include <cmath>
#include <limits>
#include <vector>

#include <fmt/format.h>

#include "oracles/oracle.hpp"
#include "reports/log_softmax_bound.hpp"

namespace softcheck::reports {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

Call rowwise_call(Op op, const Contract& c, std::span<const double> x, std::size_t rows,
                  std::size_t cols) {
  Call call;
  call.op = op;
  call.dtype = c.dtype;
  call.rows = rows;
  call.cols = cols;
  call.a = Buffer::from_values(c.dtype, x);
  return call;
}

// Softmax: relative componentwise bound of properties/error_bound.cpp (BHH Thm 3.3 / 4.3).
class SoftmaxAdapter final : public OpAdapter {
 public:
  Op op() const override { return Op::softmax; }
  std::string_view error_measure() const override {
    return "per-element bound gamma(K_j) p_j + underflow floor (properties/error_bound.cpp)";
  }
  std::optional<std::string> unsupported(const Contract&) const override { return std::nullopt; }
  Call make_call(const Contract& c, std::span<const double> x, std::size_t rows,
                 std::size_t cols) const override {
    return rowwise_call(Op::softmax, c, x, rows, cols);
  }
  RowReference reference(std::span<const double> x, DType out) const override {
    return softmax_reference(x, out);
  }
  RowBound bound(const Contract& c, std::span<const double> x,
                 const RowReference& ref) const override {
    return softmax_row_bound(c, x, ref.exact_d);
  }
  double masked_output() const override { return 0.0; }
};

// Log-softmax: absolute bound of reports/log_softmax_bound.cpp.
class LogSoftmaxAdapter final : public OpAdapter {
 public:
  Op op() const override { return Op::log_softmax; }
  std::string_view error_measure() const override {
    return "absolute bound gamma(K_j), K_j = 2|l_j| + h + S + 2E_exp + 2E_log log s "
           "(reports/log_softmax_bound.cpp)";
  }
  std::optional<std::string> unsupported(const Contract& c) const override {
    return log_softmax_bound_unsupported(c);
  }
  Call make_call(const Contract& c, std::span<const double> x, std::size_t rows,
                 std::size_t cols) const override {
    return rowwise_call(Op::log_softmax, c, x, rows, cols);
  }
  RowReference reference(std::span<const double> x, DType out) const override {
    return make_reference(oracle::log_softmax(x, oracle::working_bits(out, x.size())), out);
  }
  RowBound bound(const Contract& c, std::span<const double> x,
                 const RowReference& ref) const override {
    return log_softmax_row_bound(c, x, ref.exact_d);
  }
  double masked_output() const override { return -kInf; }
};

const SoftmaxAdapter kSoftmax;
const LogSoftmaxAdapter kLogSoftmax;

// Ops the reports do not sweep yet, and why (shown in every report's skipped list).
std::string missing_adapter_reason(Op op) {
  switch (op) {
    case Op::softmax_backward:
      return "no report adapter for softmax_backward yet: needs an a-priori bound for "
             "dx = y (dy - <dy, y>) in properties/error_bound";
    case Op::cross_entropy:
      return "no report adapter for cross_entropy yet: needs a-priori bounds for the loss and "
             "dx = softmax(x) - onehot in properties/error_bound";
    case Op::softmax_temp:
      return "no report adapter for softmax_temp yet: needs an a-priori bound for softmax(x / tau) "
             "(the rounding of x / tau) in properties/error_bound";
    default:
      return fmt::format("no report adapter for op {}", name_of(op));
  }
}

}  // namespace

std::optional<double> OpAdapter::all_masked_output(const Contract& c, std::size_t cols) const {
  switch (c.all_masked) {
    case MaskedRowPolicy::nan: return std::numeric_limits<double>::quiet_NaN();
    case MaskedRowPolicy::zero: return masked_output();
    case MaskedRowPolicy::unspecified: return std::nullopt;
    case MaskedRowPolicy::uniform: {
      // The op on a row of equal logits: 1/n (or -log n), rounded once by the oracle.
      const std::vector<double> zeros(cols, 0.0);
      return reference(zeros, c.dtype).rounded.at(0);
    }
  }
  return std::nullopt;
}

const OpAdapter* adapter_for(Op op) {
  switch (op) {
    case Op::softmax: return &kSoftmax;
    case Op::log_softmax: return &kLogSoftmax;
    default: return nullptr;
  }
}

std::optional<std::string> skip_reason(const Contract& c) {
  const OpAdapter* a = adapter_for(c.op);
  if (!a) return missing_adapter_reason(c.op);
  return a->unsupported(c);
}

}  // namespace softcheck::reports
