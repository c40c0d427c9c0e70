#include "properties/diagnosis/probe.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "properties/error_bound.hpp"
#include "properties/reference.hpp"

namespace softcheck::diagnosis {

bool is_rowwise(const Contract& c) {
  return c.op == Op::softmax || c.op == Op::log_softmax || c.op == Op::softmax_temp;
}
bool is_softmax(const Contract& c) { return c.op == Op::softmax; }

CallResult call_rows(const Kernel& k, const Invoker& inv, std::size_t rows, std::size_t cols,
                     std::span<const double> x) {
  Call call;
  call.op = k.contract.op;
  call.dtype = k.contract.dtype;
  call.rows = rows;
  call.cols = cols;
  std::vector<double> fitted(x.begin(), x.end());
  for (double& v : fitted) v = round_to(k.contract.dtype, v);
  call.a = Buffer::from_values(call.dtype, fitted);
  call.tau = 1.0;
  return inv.call(k, call);
}

std::optional<std::vector<double>> outputs(const Kernel& k, const Invoker& inv, std::size_t rows,
                                           std::size_t cols, std::span<const double> x) {
  const CallResult r = call_rows(k, inv, rows, cols, x);
  if (!r.ok()) return std::nullopt;
  return r.out.y.values();
}

std::optional<std::vector<std::size_t>> inaccurate_positions(const Contract& c,
                                                             std::span<const double> x,
                                                             std::span<const double> got) {
  if (!in_domain(c, x)) return std::nullopt;
  const RowReference ref = softmax_reference(x, c.dtype);
  const RowBound bound = softmax_row_bound(c, x, ref.exact_d);
  std::vector<std::size_t> bad;
  for (std::size_t j = 0; j < x.size(); ++j)
    if (!within(compare_element(0, j, got[j], ref, c.dtype, bound.abs[j]))) bad.push_back(j);
  return bad;
}

double first_true(DType t, double lo, double hi, const std::function<bool(double)>& pred) {
  int64_t a = ordered_index(t, lo), b = ordered_index(t, hi);  // pred(a) false, pred(b) true
  while (b - a > 1) {
    const int64_t mid = a + (b - a) / 2;
    if (pred(from_ordered_index(t, mid)))
      b = mid;
    else
      a = mid;
  }
  return from_ordered_index(t, b);
}

std::vector<double> spread_row(DType t, std::size_t n) {
  // Golden-ratio steps fill [-3, 3] evenly without repeating a value.
  std::vector<double> x(n);
  for (std::size_t j = 0; j < n; ++j) {
    const double f = std::fmod(0.5 + 0.6180339887498949 * static_cast<double>(j), 1.0);
    x[j] = round_to(t, -3 + 6 * f);
  }
  return x;
}

std::string format_ranges(const std::vector<std::size_t>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size();) {
    std::size_t j = i;
    while (j + 1 < v.size() && v[j + 1] == v[j] + 1) ++j;
    s += (s.empty() ? "" : ", ") +
         (j == i ? fmt::format("{}", v[i]) : fmt::format("{}-{}", v[i], v[j]));
    i = j + 1;
  }
  return s;
}

std::optional<std::size_t> tile_of(const std::vector<std::size_t>& failing,
                                   const std::vector<std::size_t>& tested) {
  if (failing.size() < 2) return std::nullopt;
  for (std::size_t k = 2; k <= 64; k *= 2) {
    const bool fails_only_off_tile =
        std::none_of(failing.begin(), failing.end(), [&](std::size_t n) { return n % k == 0; });
    bool multiple_tested = false;
    for (std::size_t n : tested) multiple_tested = multiple_tested || n % k == 0;
    if (fails_only_off_tile && multiple_tested) return k;
  }
  return std::nullopt;
}

double rounded4(double v) {
  if (v == 0 || !std::isfinite(v)) return v;
  const double scale = std::pow(10.0, 3 - std::floor(std::log10(std::fabs(v))));
  return std::round(v * scale) / scale;
}

}  // namespace softcheck::diagnosis
