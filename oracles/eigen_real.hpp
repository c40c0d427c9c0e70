// Eigen support for Real. Boost 1.74's boost/multiprecision/eigen.hpp predates Eigen 3.4, whose
// hypot needs NumTraits<T>::infinity() and quiet_NaN(); this full specialisation for Real (chosen
// over Boost's partial one) repeats Boost's traits and adds the two. Include it before any Eigen
// type over Real is instantiated (jacobian.hpp does).
#pragma once

#include <boost/multiprecision/eigen.hpp>  // ScalarBinaryOpTraits for Real; includes <Eigen/Core>
#include <limits>

#include "oracles/real.hpp"

namespace Eigen {

template <>
struct NumTraits<softcheck::oracle::Real> {
  using Real = softcheck::oracle::Real;
  using NonInteger = softcheck::oracle::Real;
  using Literal = double;
  using Nested = softcheck::oracle::Real;
  enum {
    IsComplex = 0,
    IsInteger = 0,
    ReadCost = 1,
    AddCost = 4,
    MulCost = 8,
    IsSigned = 1,
    RequireInitialization = 1,
  };
  // Variable precision: these follow Boost's current default precision, which symmetric_eigen sets
  // to the working precision for the duration of the solve.
  static Real epsilon() { return std::numeric_limits<Real>::epsilon(); }
  static Real dummy_precision() { return 1000 * epsilon(); }
  static Real highest() { return (std::numeric_limits<Real>::max)(); }
  static Real lowest() { return std::numeric_limits<Real>::lowest(); }
  static Real infinity() { return std::numeric_limits<Real>::infinity(); }
  static Real quiet_NaN() { return std::numeric_limits<Real>::quiet_NaN(); }
  static int digits10() { return static_cast<int>(Real::default_precision()); }
};

}  // namespace Eigen
