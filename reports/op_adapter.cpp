#include "reports/op_adapter.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <map>

#include "oracles/oracle.hpp"
#include "properties/error_bound_ops.hpp"
#include "properties/streamed_reference.hpp"

namespace softcheck::reports {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

uint64_t mix(uint64_t z) {  // SplitMix64 finaliser: per-row streams from one seed
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

Call batch_call(Op op, const Contract& c, std::span<const double> x, std::size_t rows,
                std::size_t cols) {
  Call call;
  call.op = op;
  call.dtype = c.dtype;
  call.rows = rows;
  call.cols = cols;
  call.a = Buffer::from_values(c.dtype, x);
  return call;
}

// ---- softmax: relative componentwise bound (BHH Thm 3.3 / 4.3, properties/error_bound.cpp) ----
class SoftmaxAdapter final : public OpAdapter {
 public:
  Op op() const override { return Op::softmax; }
  std::string_view error_measure() const override {
    return "per-output bound gamma(K_j) p_j + underflow floor (properties/error_bound.cpp)";
  }
  RowReference reference(std::span<const double> x, const RowCase&, DType out) const override {
    return softmax_reference(x, out);
  }
  RowBound bound(const Contract& c, std::span<const double> x, const RowCase&,
                 const RowReference& ref) const override {
    return softmax_row_bound(c, x, ref.exact_d);
  }
  bool judges_in_ranges() const override { return true; }
  std::unique_ptr<RangeJudge> range_judge(const Contract& c, std::span<const double> x,
                                          const RowCase&, DType out) const override;
};

// The bound's one row-wide sum over the outputs, S = sum p_i (max - x_i), from the fast tier's
// values in ranges (a first-order term: any close approximation of p serves).
class SoftmaxRangeJudge final : public RangeJudge {
 public:
  SoftmaxRangeJudge(const Contract& c, std::span<const double> x, DType out)
      : c_(c), x_(x), ref_(x, StreamedReference::Kind::softmax, out) {
    const double a = finite_max(x);
    double s = 0;
    for (std::size_t b = 0; b < x.size(); b += kRange) {
      const std::size_t e = std::min(x.size(), b + kRange);
      s += softmax_weighted_shift(x.subspan(b, e - b), ref_.approximate(b, e), a);
    }
    row_ = softmax_bound_row(c, x, s);
  }
  RowReference reference(std::size_t begin, std::size_t end) const override {
    return ref_.range(begin, end);
  }
  RowBound bound(std::size_t begin, std::size_t end, const RowReference& ref) const override {
    return softmax_bound_range(c_, row_, x_.subspan(begin, end - begin), ref.exact_d);
  }

 private:
  static constexpr std::size_t kRange = 1 << 16;
  const Contract& c_;
  std::span<const double> x_;
  StreamedReference ref_;
  SoftmaxBoundRow row_;
};

std::unique_ptr<RangeJudge> SoftmaxAdapter::range_judge(const Contract& c,
                                                        std::span<const double> x,
                                                        const RowCase&, DType out) const {
  return std::make_unique<SoftmaxRangeJudge>(c, x, out);
}

class LogSoftmaxRangeJudge final : public RangeJudge {
 public:
  LogSoftmaxRangeJudge(const Contract& c, std::span<const double> x, DType out)
      : c_(c), x_(x), ref_(x, StreamedReference::Kind::log_softmax, out),
        row_(log_softmax_bound_row(c, x)) {}
  RowReference reference(std::size_t begin, std::size_t end) const override {
    return ref_.range(begin, end);
  }
  RowBound bound(std::size_t begin, std::size_t end, const RowReference& ref) const override {
    return log_softmax_bound_range(c_, row_, x_.subspan(begin, end - begin), ref.exact_d);
  }

 private:
  const Contract& c_;
  std::span<const double> x_;
  StreamedReference ref_;
  LogSoftmaxBoundRow row_;
};

// ---- log-softmax: absolute bound (properties/error_bound_ops.cpp) ----
class LogSoftmaxAdapter final : public OpAdapter {
 public:
  Op op() const override { return Op::log_softmax; }
  bool bound_is_absolute() const override { return true; }
  std::string_view error_measure() const override {
    return "absolute bound gamma(K_j), K_j = 2|l_j| + h + S + 2E_exp + 2E_log log s "
           "(properties/error_bound_ops.cpp)";
  }
  RowReference reference(std::span<const double> x, const RowCase&, DType out) const override {
    return log_softmax_reference(x, out);  // tiered, as softmax's
  }
  RowBound bound(const Contract& c, std::span<const double> x, const RowCase&,
                 const RowReference& ref) const override {
    return log_softmax_row_bound(c, x, ref.exact_d);
  }
  bool judges_in_ranges() const override { return true; }
  std::unique_ptr<RangeJudge> range_judge(const Contract& c, std::span<const double> x,
                                          const RowCase&, DType out) const override {
    return std::make_unique<LogSoftmaxRangeJudge>(c, x, out);
  }
  std::optional<double> masked_output(std::span<const double> x, const RowCase&,
                                      std::size_t j) const override {
    return x[j] == -kInf ? std::optional<double>(-kInf) : std::nullopt;
  }
  std::optional<double> all_masked_output(const Contract& c, std::size_t cols) const override {
    if (c.all_masked == MaskedRowPolicy::zero) return -kInf;  // log of a zero probability
    return OpAdapter::all_masked_output(c, cols);
  }
};

// ---- softmax(x / tau): each row gets one of four temperatures, sharpening and flattening ----
class TemperatureAdapter final : public OpAdapter {
 public:
  Op op() const override { return Op::softmax_temp; }
  std::string_view error_measure() const override {
    return "per-output softmax bound on w = (2 + 2^-28)(x - max)/tau, tau in {0.25, 0.5, 2, 8} by "
           "row "
           "(properties/error_bound_ops.cpp)";
  }
  RowCase make_case(const Contract& c, std::span<const double>, uint64_t seed) const override {
    static constexpr double kTaus[] = {0.25, 0.5, 2.0, 8.0};
    RowCase rc;
    rc.tau = kTaus[mix(seed) % 4];
    if (!(rc.tau > c.domain.min_tau)) rc.tau = 8.0 * std::max(1.0, c.domain.min_tau);
    return rc;
  }
  std::variant<RowOutputs, std::string> run(const Kernel& k, const Invoker& invoker,
                                            std::span<const double> x,
                                            std::span<const RowCase> cases,
                                            std::size_t cols) const override {
    // One call per temperature (a call has one tau), outputs put back in row order.
    std::map<double, std::vector<std::size_t>> by_tau;
    for (std::size_t r = 0; r < cases.size(); ++r) by_tau[cases[r].tau].push_back(r);
    std::vector<double> out(cases.size() * cols);
    for (const auto& [tau, rows] : by_tau) {
      std::vector<double> xs;
      for (std::size_t r : rows)
        xs.insert(xs.end(), x.begin() + r * cols, x.begin() + (r + 1) * cols);
      Call call = batch_call(Op::softmax_temp, k.contract, xs, rows.size(), cols);
      call.tau = tau;
      auto y = call_rows(k, invoker, std::move(call));
      if (auto* err = std::get_if<std::string>(&y)) return *err;
      const RowOutputs& v = std::get<RowOutputs>(y);
      for (std::size_t i = 0; i < rows.size(); ++i)
        for (std::size_t j = 0; j < cols; ++j) out[rows[i] * cols + j] = v.at(i, j);
    }
    return RowOutputs(std::move(out), cols);
  }
  RowReference reference(std::span<const double> x, const RowCase& rc, DType out) const override {
    return make_reference(oracle::softmax_temp(x, rc.tau, oracle::working_bits(out, x.size())),
                          out);
  }
  RowBound bound(const Contract& c, std::span<const double> x, const RowCase& rc,
                 const RowReference& ref) const override {
    return softmax_temp_row_bound(c, x, rc.tau, ref.exact_d);
  }
};

// ---- backward: y = softmax(x) rounded once to the dtype (what a forward kernel would hand
// over), dy ~ N(0, 1); dx = y (dy - <dy, y>) judged by the absolute bound of the y, dy received
// ----
class BackwardAdapter final : public OpAdapter {
 public:
  Op op() const override { return Op::softmax_backward; }
  bool bound_is_absolute() const override { return true; }
  std::string_view error_measure() const override {
    return "absolute bound |y_j| (gamma(h + 3) S_dot + gamma(2) |dy_j - <dy, y>|) + floor, y = "
           "softmax(x) rounded to the dtype, dy ~ N(0, 1) (properties/error_bound_ops.cpp)";
  }
  RowCase make_case(const Contract& c, std::span<const double> x, uint64_t seed) const override {
    RowCase rc;
    if (finite_max(x) == -kInf) return rc;  // all -inf: no forward output to start from
    rc.y = softmax_reference(x, c.dtype).rounded;
    rc.dy.resize(x.size());
    uint64_t s = seed;
    for (double& v : rc.dy) {  // Box-Muller on SplitMix64, portable
      const double u1 = 1.0 - static_cast<double>(mix(s++) >> 11) * 0x1p-53;
      const double u2 = static_cast<double>(mix(s++) >> 11) * 0x1p-53;
      v = round_to(c.dtype, std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
    }
    return rc;
  }
  std::variant<RowOutputs, std::string> run(const Kernel& k, const Invoker& invoker,
                                            std::span<const double>,
                                            std::span<const RowCase> cases,
                                            std::size_t cols) const override {
    // All-masked rows have no forward output: zeros stand in for the call, their outputs are not
    // measured (all_masked_output is unspecified).
    std::vector<double> y, dy;
    for (const RowCase& rc : cases) {
      if (rc.y.empty()) {
        y.insert(y.end(), cols, 0.0);
        dy.insert(dy.end(), cols, 0.0);
        continue;
      }
      y.insert(y.end(), rc.y.begin(), rc.y.end());
      dy.insert(dy.end(), rc.dy.begin(), rc.dy.end());
    }
    Call call = batch_call(Op::softmax_backward, k.contract, y, cases.size(), cols);
    call.b = Buffer::from_values(k.contract.dtype, dy);
    return call_rows(k, invoker, std::move(call));
  }
  RowReference reference(std::span<const double>, const RowCase& rc, DType out) const override {
    return make_reference(
        oracle::softmax_backward(rc.y, rc.dy, oracle::working_bits(out, rc.y.size())), out);
  }
  RowBound bound(const Contract& c, std::span<const double>, const RowCase& rc,
                 const RowReference&) const override {
    return softmax_backward_row_bound(c, rc.y, rc.dy);
  }
  std::optional<double> all_masked_output(const Contract&, std::size_t) const override {
    return std::nullopt;
  }
};

// ---- fused cross-entropy: dx = softmax(x) - onehot(label) and the loss, measured as cols + 1
// outputs per row; the label is drawn among the row's finite entries ----
class CrossEntropyAdapter final : public OpAdapter {
 public:
  Op op() const override { return Op::cross_entropy; }
  std::string_view error_measure() const override {
    return "dx: softmax bound plus the rounding of p_label - 1; loss: the log-softmax bound of "
           "-l_label (properties/error_bound_ops.cpp)";
  }
  std::size_t outputs_per_row(std::size_t cols) const override { return cols + 1; }
  RowCase make_case(const Contract&, std::span<const double> x, uint64_t seed) const override {
    RowCase rc;
    std::vector<std::size_t> finite;
    for (std::size_t j = 0; j < x.size(); ++j)
      if (std::isfinite(x[j])) finite.push_back(j);
    rc.label = finite.empty() ? 0 : static_cast<int64_t>(finite[mix(seed) % finite.size()]);
    return rc;
  }
  std::variant<RowOutputs, std::string> run(const Kernel& k, const Invoker& invoker,
                                            std::span<const double> x,
                                            std::span<const RowCase> cases,
                                            std::size_t cols) const override {
    Call call = batch_call(Op::cross_entropy, k.contract, x, cases.size(), cols);
    for (const RowCase& rc : cases) call.labels.push_back(rc.label);
    CallResult r = invoker.call(k, call);
    if (!r.ok()) return fmt::format("{}: {}", name_of(r.status), r.reason);
    return RowOutputs(std::move(r.out.y), std::move(r.out.loss), cols);
  }
  RowReference reference(std::span<const double> x, const RowCase& rc, DType out) const override {
    oracle::CrossEntropy ce =
        oracle::cross_entropy(x, rc.label, oracle::working_bits(out, x.size()));
    ce.dx.push_back(std::move(ce.loss));
    return make_reference(std::move(ce.dx), out);
  }
  RowBound bound(const Contract& c, std::span<const double> x, const RowCase& rc,
                 const RowReference& ref) const override {
    const std::size_t n = x.size(), label = static_cast<std::size_t>(rc.label);
    std::vector<double> p(ref.exact_d.begin(),
                          ref.exact_d.begin() + static_cast<std::ptrdiff_t>(n));
    p[label] += 1;  // dx_label = p_label - 1
    const CrossEntropyBound b = cross_entropy_row_bound(c, x, label, p, ref.exact_d[n]);
    RowBound out = b.dx;
    out.abs.push_back(b.loss_abs);
    // The loss is judged absolutely, like a log-probability: its factor is the bound in units of u.
    out.factor.push_back(b.loss_abs / unit_roundoff(c.accum));
    out.derivation = b.dx.derivation + "; loss: " + b.loss_derivation;
    return out;
  }
  std::optional<double> masked_output(std::span<const double> x, const RowCase& rc,
                                      std::size_t j) const override {
    // dx_j = p_j = 0 at a masked entry that is not the label; the loss (j = cols) is measured.
    if (j < x.size() && x[j] == -kInf && static_cast<int64_t>(j) != rc.label) return 0.0;
    return std::nullopt;
  }
  std::optional<double> all_masked_output(const Contract& c, std::size_t cols) const override {
    // nan policy: dx and loss NaN (0/0); other policies say nothing about the loss.
    if (c.all_masked == MaskedRowPolicy::nan) return OpAdapter::all_masked_output(c, cols);
    return std::nullopt;
  }
};

const SoftmaxAdapter kSoftmax;
const LogSoftmaxAdapter kLogSoftmax;
const TemperatureAdapter kTemperature;
const BackwardAdapter kBackward;
const CrossEntropyAdapter kCrossEntropy;

}  // namespace

RowCase OpAdapter::make_case(const Contract&, std::span<const double>, uint64_t) const {
  return {};
}

RowOutputs::RowOutputs(std::vector<double> values, std::size_t per_row)
    : values_(std::move(values)), per_row_(per_row), cols_(per_row) {}

RowOutputs::RowOutputs(Buffer y, Buffer loss, std::size_t cols)
    : y_(std::move(y)), loss_(std::move(loss)), per_row_(cols + (loss_.size() ? 1 : 0)),
      cols_(cols) {}

double RowOutputs::at(std::size_t row, std::size_t j) const {
  if (!values_.empty()) return values_.at(row * per_row_ + j);
  return j < cols_ ? y_.get(row * cols_ + j) : loss_.get(row);
}

void RowOutputs::copy(std::size_t row, std::size_t begin, std::size_t end,
                      std::vector<double>& out) const {
  out.resize(end - begin);
  for (std::size_t j = begin; j < end; ++j) out[j - begin] = at(row, j);
}

std::variant<RowOutputs, std::string> OpAdapter::call_rows(const Kernel& k,
                                                           const Invoker& invoker, Call call) {
  const std::size_t cols = call.cols;
  CallResult r = invoker.call(k, call);
  if (!r.ok()) return fmt::format("{}: {}", name_of(r.status), r.reason);
  return RowOutputs(std::move(r.out.y), Buffer(), cols);
}

std::variant<RowOutputs, std::string> OpAdapter::run(const Kernel& k, const Invoker& invoker,
                                                     std::span<const double> x,
                                                     std::span<const RowCase> cases,
                                                     std::size_t cols) const {
  return call_rows(k, invoker, batch_call(op(), k.contract, x, cases.size(), cols));
}

std::unique_ptr<RangeJudge> OpAdapter::range_judge(const Contract&, std::span<const double>,
                                                   const RowCase&, DType) const {
  return nullptr;
}

std::optional<double> OpAdapter::masked_output(std::span<const double> x, const RowCase&,
                                               std::size_t j) const {
  return x[j] == -kInf ? std::optional<double>(0.0) : std::nullopt;
}

std::optional<double> OpAdapter::all_masked_output(const Contract& c, std::size_t cols) const {
  switch (c.all_masked) {
    case MaskedRowPolicy::nan:
      return std::numeric_limits<double>::quiet_NaN();
    case MaskedRowPolicy::zero:
      return 0.0;
    case MaskedRowPolicy::unspecified:
      return std::nullopt;
    case MaskedRowPolicy::uniform: {
      // The op on a row of equal logits: 1/n (or -log n), rounded once by the oracle.
      const std::vector<double> zeros(cols, 0.0);
      return reference(zeros, RowCase{}, c.dtype).rounded.at(0);
    }
  }
  return std::nullopt;
}

const OpAdapter* adapter_for(Op op) {
  switch (op) {
    case Op::softmax:
      return &kSoftmax;
    case Op::log_softmax:
      return &kLogSoftmax;
    case Op::softmax_temp:
      return &kTemperature;
    case Op::softmax_backward:
      return &kBackward;
    case Op::cross_entropy:
      return &kCrossEntropy;
  }
  return nullptr;
}

std::optional<std::string> skip_reason(const Kernel& k) {
  if (auto why = k.unrunnable_reason()) return why;
  const Contract& c = k.contract;
  if (!adapter_for(c.op)) return fmt::format("no report adapter for op {}", name_of(c.op));
  return op_bound_unsupported(c);
}

}  // namespace softcheck::reports
