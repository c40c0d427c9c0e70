// The baseline checkers (baseline_checkers.hpp).
#include "tests/mutants/baseline_checkers.hpp"

#include <fmt/format.h>

#include <cmath>
#include <random>
#include <vector>

#include "oracles/oracle.hpp"
#include "properties/invoke.hpp"

namespace softcheck::mutants {
namespace {

// The temperature both baselines use for softmax_temp (1 would hide x * tau for x / tau).
constexpr double kTau = 0.7;

struct Tolerance {
  double rtol, atol;
};

Tolerance assert_close_defaults(DType t) {
  switch (t) {
    case DType::f16:
      return {1e-3, 1e-5};
    case DType::bf16:
      return {1.6e-2, 1e-5};
    case DType::f64:
      return {1e-7, 1e-7};
    default:
      return {1.3e-6, 1e-5};
  }
}

double oracle_value(const oracle::Real& r) { return oracle::to_double(r); }

// One call's inputs from logits x (rows x cols, representable in k's dtype), built per op as those
// tests build them: backward gets y = softmax(x) (rounded to the dtype) and dy from the same
// distribution; cross-entropy gets uniform labels.
struct Sample {
  Call call;
  std::vector<double> expected;       // y or dx, row-major
  std::vector<double> expected_loss;  // cross_entropy
};

template <class Draw>
Sample make_sample(const Kernel& k, std::size_t rows, std::size_t cols, Draw&& draw,
                   std::mt19937_64& rng) {
  const DType t = k.contract.dtype;
  Sample s;
  Call& c = s.call;
  c.op = k.contract.op;
  c.dtype = t;
  c.rows = rows;
  c.cols = cols;
  c.tau = kTau;
  c.a = Buffer(t, rows * cols);
  c.b = Buffer(t, rows * cols);
  const unsigned bits = oracle::working_bits(DType::f64, cols);
  for (std::size_t r = 0; r < rows; ++r) {
    std::vector<double> x(cols), dy(cols);
    for (double& v : x) v = round_to(t, draw(rng));
    for (double& v : dy) v = round_to(t, draw(rng));
    std::vector<double> out;
    switch (c.op) {
      case Op::softmax:
        for (const auto& e : oracle::softmax(x, bits)) out.push_back(oracle_value(e));
        break;
      case Op::log_softmax:
        for (const auto& e : oracle::log_softmax(x, bits)) out.push_back(oracle_value(e));
        break;
      case Op::softmax_temp:
        for (const auto& e : oracle::softmax_temp(x, kTau, bits)) out.push_back(oracle_value(e));
        break;
      case Op::softmax_backward: {
        // The forward output the backward receives, in the storage format, replaces x.
        const auto y = oracle::softmax(x, bits);
        for (std::size_t j = 0; j < cols; ++j) x[j] = oracle::round_to_format(y[j], t);
        for (const auto& e : oracle::softmax_backward(x, dy, bits)) out.push_back(oracle_value(e));
        break;
      }
      case Op::cross_entropy: {
        const auto label =
            static_cast<int64_t>(std::uniform_int_distribution<std::size_t>(0, cols - 1)(rng));
        c.labels.push_back(label);
        const oracle::CrossEntropy ce = oracle::cross_entropy(x, label, bits);
        s.expected_loss.push_back(oracle_value(ce.loss));
        for (const auto& e : ce.dx) out.push_back(oracle_value(e));
        break;
      }
    }
    for (std::size_t j = 0; j < cols; ++j) {
      c.a.set(r * cols + j, x[j]);
      c.b.set(r * cols + j, dy[j]);
    }
    s.expected.insert(s.expected.end(), out.begin(), out.end());
  }
  return s;
}

bool close(double got, double ref, Tolerance tol) {
  if (std::isnan(got) || std::isnan(ref)) return false;  // equal_nan=False
  if (std::isinf(got) || std::isinf(ref)) return got == ref;
  return std::fabs(got - ref) <= tol.atol + tol.rtol * std::fabs(ref);
}

// A buffer with kPad zero elements after its n, so that a kernel reading or writing a little out
// of bounds touches memory it does not own without faulting: what happens in a test harness with
// an ordinary allocator.
constexpr std::size_t kPad = 256;
Buffer padded(const Buffer& b) {
  Buffer p(b.dtype(), b.size() + kPad);
  for (std::size_t i = 0; i < b.size(); ++i) p.set(i, b.get(i));
  return p;
}

// Runs one sample; a non-empty string is the first mismatch.
std::string mismatch(const Kernel& k, const Sample& s, Tolerance tol) {
  const Call& c = s.call;
  const Buffer a = padded(c.a), b = padded(c.b);
  Buffer y = padded(Buffer(c.dtype, c.rows * c.cols));
  Buffer loss = padded(Buffer(c.dtype, c.rows));
  std::vector<int64_t> labels = c.labels;
  labels.resize(c.rows + kPad, 0);
  run_entry(k, c, a.data(), b.data(), labels.data(), y.data(), loss.data());
  for (std::size_t i = 0; i < s.expected.size(); ++i) {
    const double got = y.get(i);
    if (!close(got, s.expected[i], tol))
      return fmt::format("[{}][{}]: got {} expected {}", i / s.call.cols, i % s.call.cols,
                         hex(got), hex(s.expected[i]));
  }
  for (std::size_t i = 0; i < s.expected_loss.size(); ++i) {
    const double got = loss.get(i);
    if (!close(got, s.expected_loss[i], tol))
      return fmt::format("loss[{}]: got {} expected {}", i, hex(got), hex(s.expected_loss[i]));
  }
  return "";
}

}  // namespace

BaselineVerdict allclose_baseline(const Kernel& k) {
  std::mt19937_64 rng(42);
  std::normal_distribution<double> randn(0.0, 1.0);
  for (int trial = 0; trial < 5; ++trial) {
    const Sample s = make_sample(k, 16, 16384, randn, rng);
    const std::string m = mismatch(k, s, {1e-2, 1e-2});
    if (!m.empty()) return {true, fmt::format("trial {} {}", trial, m)};
  }
  return {false, "5 batches of 16 x 16384 randn logits within atol = rtol = 1e-2"};
}

BaselineVerdict assert_close_baseline(const Kernel& k) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> uniform(-9.0, 9.0);
  const Tolerance tol = assert_close_defaults(k.contract.dtype);
  struct Shape {
    std::size_t rows, cols;
  };
  for (Shape sh : {Shape{1, 1}, Shape{5, 5}, Shape{50, 5}}) {
    const Sample s = make_sample(k, sh.rows, sh.cols, uniform, rng);
    const std::string m = mismatch(k, s, tol);
    if (!m.empty()) return {true, fmt::format("shape {}x{} {}", sh.rows, sh.cols, m)};
  }
  return {false, fmt::format("1x1, 5x5, 50x5 uniform [-9, 9) logits within rtol {}, atol {}",
                             tol.rtol, tol.atol)};
}

}  // namespace softcheck::mutants
