// Storage and compute types of the impl/ops kernels, and the row reductions they share.
//
// Io<D> says how a row element of storage format D is read into the compute (accumulation) type and
// written back: f32 and f64 compute in their own format; f16 and bf16 compute in f32 and round once
// when storing (error-model.md, "Mixed precision").
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "impl/ops/half_bits.hpp"
#include "softcheck/dtype.hpp"

namespace softcheck::ops {

template <DType D>
struct Io;

template <>
struct Io<DType::f32> {
  using Storage = float;
  using Acc = float;
  static Acc load(Storage v) { return v; }
  static Storage store(Acc v) { return v; }
};

template <>
struct Io<DType::f64> {
  using Storage = double;
  using Acc = double;
  static Acc load(Storage v) { return v; }
  static Storage store(Acc v) { return v; }
};

template <>
struct Io<DType::f16> {
  using Storage = uint16_t;
  using Acc = float;
  static Acc load(Storage b) { return ops_float_from_f16_bits(b); }
  static Storage store(Acc v) { return ops_f16_bits_from_float(v); }
};

template <>
struct Io<DType::bf16> {
  using Storage = uint16_t;
  using Acc = float;
  static Acc load(Storage b) { return ops_float_from_bf16_bits(b); }
  static Storage store(Acc v) { return ops_bf16_bits_from_float(v); }
};

// Largest entry of a row of n >= 1 elements, starting from element 0 (a finite sentinel such as
// -FLT_MAX would be wrong for an all -inf row: it would turn the 0/0 case into exact zeros).
// A NaN entry makes the result NaN, and every output derived from it NaN: a row containing NaN
// never yields finite outputs (Domain::propagates_nan). A +inf entry gives max = +inf and then
// inf - inf = NaN in the shift, with the same effect.
template <DType D>
typename Io<D>::Acc row_max(const typename Io<D>::Storage* x, std::size_t n) {
  using Acc = typename Io<D>::Acc;
  Acc m = Io<D>::load(x[0]);
  for (std::size_t i = 1; i < n; ++i) {
    const Acc v = Io<D>::load(x[i]);
    if (v > m || std::isnan(v)) m = v;
  }
  return m;
}

}  // namespace softcheck::ops
