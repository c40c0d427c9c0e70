// Shared helpers of the impl/ops self-checks: calling a kernel on doubles through
// softcheck::Buffer, deterministic rows, and a long double reference for each op.
//
// The reference is x86 80-bit long double (64-bit significand, u = 2^-64), computed from the exact
// inputs the kernel received: its own error is below 2^-11 of an f64 unit roundoff for the row
// lengths used here, negligible against every bound these tests apply (the MPFR oracles of
// oracles/ are the suite's real references; these checks only have to stand on their own).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "impl/registry.hpp"
#include "softcheck/dtype.hpp"
#include "softcheck/kernel.hpp"

namespace softcheck::testing {

using LD = long double;
inline constexpr double kInf = std::numeric_limits<double>::infinity();
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The impl/ops kernel of that name, from the family list itself.
inline const Kernel& ops_kernel(std::string_view name) {
  static const std::vector<Kernel> all = derivative_kernels();
  for (const Kernel& k : all)
    if (k.contract.name == name) return k;
  throw std::invalid_argument("no impl/ops kernel named " + std::string(name));
}

// ---- calling kernels on values (each value must be representable in the kernel's dtype) ----

inline std::vector<double> run_rowwise(const Kernel& k, std::size_t rows, std::size_t cols,
                                       std::span<const double> x) {
  const Buffer in = Buffer::from_values(k.contract.dtype, x);
  Buffer out(k.contract.dtype, rows * cols);
  std::get<RowwiseFn>(k.entry)(in.data(), out.data(), rows, cols);
  return out.values();
}

inline std::vector<double> run_temp(const Kernel& k, std::size_t rows, std::size_t cols,
                                    std::span<const double> x, double tau) {
  const Buffer in = Buffer::from_values(k.contract.dtype, x);
  Buffer out(k.contract.dtype, rows * cols);
  std::get<TemperatureFn>(k.entry)(in.data(), out.data(), rows, cols, tau);
  return out.values();
}

inline std::vector<double> run_backward(const Kernel& k, std::size_t rows, std::size_t cols,
                                        std::span<const double> y, std::span<const double> dy) {
  const Buffer yb = Buffer::from_values(k.contract.dtype, y);
  const Buffer dyb = Buffer::from_values(k.contract.dtype, dy);
  Buffer dx(k.contract.dtype, rows * cols);
  std::get<BackwardFn>(k.entry)(yb.data(), dyb.data(), dx.data(), rows, cols);
  return dx.values();
}

struct CrossEntropyOut {
  std::vector<double> loss;
  std::vector<double> dx;
};

inline CrossEntropyOut run_cross_entropy(const Kernel& k, std::size_t rows, std::size_t cols,
                                         std::span<const double> x,
                                         std::span<const int64_t> labels) {
  const Buffer in = Buffer::from_values(k.contract.dtype, x);
  Buffer loss(k.contract.dtype, rows);
  Buffer dx(k.contract.dtype, rows * cols);
  std::get<CrossEntropyFn>(k.entry)(in.data(), labels.data(), loss.data(), dx.data(), rows, cols);
  return {loss.values(), dx.values()};
}

// ---- rows ----

// n values uniform in [lo, hi), rounded to format t.
inline std::vector<double> uniform_row(std::mt19937_64& g, DType t, std::size_t n, double lo,
                                       double hi) {
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> v(n);
  for (double& e : v) e = round_to(t, u(g));
  return v;
}

// Finite spread xmax - xmin of a row (-inf entries excluded).
inline double finite_spread(std::span<const double> x) {
  double lo = kInf, hi = -kInf;
  for (double v : x)
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  return hi >= lo ? hi - lo : 0.0;
}

inline LD row_max(std::span<const double> x) {
  LD a = -kInf;
  for (double v : x) a = std::max<LD>(a, v);
  return a;
}

// ---- long double references (rows with at least one finite entry, no NaN) ----

inline std::vector<LD> ref_log_softmax(std::span<const double> x) {
  const LD a = row_max(x);
  LD s = 0;
  for (double v : x) s += std::exp(LD{v} - a);
  const LD log_s = std::log(s);
  std::vector<LD> l(x.size());
  for (std::size_t j = 0; j < x.size(); ++j) l[j] = (LD{x[j]} - a) - log_s;
  return l;
}

// softmax(x / tau) (tau = 1: plain softmax), shifted by the max.
inline std::vector<LD> ref_softmax(std::span<const double> x, LD tau = 1) {
  const LD a = row_max(x);
  std::vector<LD> p(x.size());
  LD s = 0;
  for (std::size_t j = 0; j < x.size(); ++j) s += p[j] = std::exp((LD{x[j]} - a) / tau);
  for (LD& v : p) v /= s;
  return p;
}

inline std::vector<LD> ref_backward(std::span<const double> y, std::span<const double> dy) {
  LD dot = 0;
  for (std::size_t i = 0; i < y.size(); ++i) dot += LD{dy[i]} * LD{y[i]};
  std::vector<LD> dx(y.size());
  for (std::size_t j = 0; j < y.size(); ++j) dx[j] = LD{y[j]} * (LD{dy[j]} - dot);
  return dx;
}

// Cross-entropy loss lse(x) - x[label].
inline LD ref_cross_entropy_loss(std::span<const double> x, std::size_t label) {
  return -ref_log_softmax(x)[label];
}

// ---- bounds (first order; the derivations are in the kernels' files under impl/ops/) ----

// Second-order terms of the first-order bounds below: they are O((k u)^2) against k u, under 1% of
// the bound while k u < 1e-2, which every row of these tests satisfies (k <= n + Delta + 2|l| + 10
// for the rows used).
inline constexpr double kHigherOrder = 1.01;

// Absolute bound of a max-shifted log-softmax output l_j (impl/ops/log_softmax.cpp), in the accum
// format with unit roundoff u; for 16-bit storage, half an ulp of the output format is added for
// the final rounding of the f32 result c (|c - l| <= b, so ulp(c) <= ulp(|l| + b)).
inline double log_softmax_bound(const Contract& c, std::size_t n, double delta, LD l) {
  const double u = unit_roundoff(c.accum);
  const double al = static_cast<double>(std::fabs(l));
  const double b = kHigherOrder * u *
                   (2 * al + static_cast<double>(n - 1) + delta + 2 * c.exp_ulps +
                    2 * c.log_ulps * std::log(static_cast<double>(n)));
  if (c.dtype == c.accum) return b;
  return b + 0.5 * ulp(c.dtype, al + b);
}

// Relative bound of a shifted softmax output p_j, d_j = (a - x_j) / tau, delta = spread / tau;
// `shift_scale` multiplies the d and delta terms: 1 for exp(x - a) (cross_entropy.cpp), 2 + 2^-28
// for exp((x - a) / tau) (softmax_temp.cpp: the shift and the quotient are each rounded).
inline double softmax_rel_bound(const Contract& c, std::size_t n, double d_j, double delta,
                                double shift_scale) {
  const double u = unit_roundoff(c.accum);
  return kHigherOrder * u * (static_cast<double>(n) + 4 * c.exp_ulps + shift_scale * (d_j + delta));
}

// The relative bound above assumes no underflow. Where exp(x_j - a) falls into the subnormal range
// (or to 0) its error is absolute, up to exp_ulps ulps of the smallest subnormal, and the division
// by s >= 1 adds at most half of one: a floor added to p_j times the relative bound.
inline double softmax_underflow_floor(const Contract& c) {
  return (c.exp_ulps + 0.5) * denorm_min(c.accum);
}

// Absolute bound of dx_j = y_j (dy_j - <dy, y>) with a serial dot product
// (impl/ops/softmax_backward.cpp): |y_j| (gamma_n S + 2 u |dy_j - dot|), S = sum |dy_i y_i|.
inline double backward_bound(const Contract& c, std::size_t n, double y_j, double s_abs,
                             double c_j) {
  const double u = unit_roundoff(c.accum);
  const double gamma_n = n * u / (1 - n * u);
  return kHigherOrder * std::fabs(y_j) * (gamma_n * s_abs + 2 * u * std::fabs(c_j));
}

}  // namespace softcheck::testing
