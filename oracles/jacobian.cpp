// Jacobian of softmax and its eigen-decomposition. Kept in its own translation unit: Eigen's
// solver over a multiprecision scalar is the slowest thing in oracles/ to compile.
#include "oracles/jacobian.hpp"

#include <Eigen/Eigenvalues>
#include <optional>
#include <stdexcept>

#include "oracles/mpfr_ops.hpp"
#include "oracles/shifted_exp.hpp"

namespace softcheck::oracle {
namespace {

// Sets Boost's default precision (decimal digits in Boost 1.74) to at least `bits` bits for a
// scope, so that Eigen's temporaries and NumTraits<Real>::epsilon() match the matrix entries.
class DefaultPrecisionScope {
 public:
  explicit DefaultPrecisionScope(unsigned bits) : saved_(Real::default_precision()) {
    unsigned digits10 = 1;
    while (boost::multiprecision::detail::digits10_2_2(digits10) < bits) ++digits10;
    Real::default_precision(digits10);
  }
  ~DefaultPrecisionScope() { Real::default_precision(saved_); }
  DefaultPrecisionScope(const DefaultPrecisionScope&) = delete;
  DefaultPrecisionScope& operator=(const DefaultPrecisionScope&) = delete;

 private:
  unsigned saved_;
};

Real product(const Real& a, const Real& b, unsigned bits) {
  Real r = mp::with_precision(bits);
  mpfr_mul(mp::ptr(r), mp::ptr(a), mp::ptr(b), MPFR_RNDN);
  return r;
}

Real quotient(const Real& a, const Real& b, unsigned bits) {
  Real r = mp::with_precision(bits);
  mpfr_div(mp::ptr(r), mp::ptr(a), mp::ptr(b), MPFR_RNDN);
  return r;
}

}  // namespace

Matrix softmax_jacobian(std::span<const double> x, unsigned bits) {
  const auto n = static_cast<Eigen::Index>(x.size());
  Matrix j(n, n);
  const detail::ShiftedExp s = detail::shifted_exp(x, std::nullopt, bits);
  if (s.status != detail::RowStatus::finite) {
    for (Eigen::Index r = 0; r < n; ++r)
      for (Eigen::Index c = 0; c < n; ++c) j(r, c) = mp::quiet_nan(bits);
    return j;
  }
  const Real total = s.total(bits);
  std::vector<Real> p;
  for (const Real& e : s.e) p.push_back(quotient(e, total, bits));
  for (Eigen::Index r = 0; r < n; ++r) {
    const auto i = static_cast<std::size_t>(r);
    for (Eigen::Index c = 0; c < n; ++c) {
      if (r == c) {
        const Real complement = quotient(s.sum_except(i, bits), total, bits);  // 1 - p_i
        j(r, c) = product(p[i], complement, bits);
      } else {
        Real v = product(p[i], p[static_cast<std::size_t>(c)], bits);
        mpfr_neg(mp::ptr(v), mp::ptr(v), MPFR_RNDN);
        j(r, c) = std::move(v);
      }
    }
  }
  return j;
}

EigenDecomposition symmetric_eigen(const Matrix& a, unsigned bits) {
  if (a.rows() != a.cols())
    throw std::domain_error("oracle: symmetric_eigen needs a square matrix");
  const DefaultPrecisionScope scope(bits);
  Matrix w(a.rows(), a.cols());
  for (Eigen::Index r = 0; r < a.rows(); ++r)
    for (Eigen::Index c = 0; c < a.cols(); ++c) {
      if (!mpfr_number_p(mp::ptr(a(r, c))))
        throw std::domain_error("oracle: symmetric_eigen of a matrix with a non-finite entry");
      Real v = mp::with_precision(bits);
      mpfr_set(mp::ptr(v), mp::ptr(a(r, c)), MPFR_RNDN);
      w(r, c) = std::move(v);
    }
  Eigen::SelfAdjointEigenSolver<Matrix> solver(w, Eigen::ComputeEigenvectors);
  if (solver.info() != Eigen::Success)
    throw std::runtime_error("oracle: Eigen's SelfAdjointEigenSolver did not converge");
  EigenDecomposition out;
  out.eigenvalues.assign(solver.eigenvalues().begin(), solver.eigenvalues().end());
  out.eigenvectors = solver.eigenvectors();
  return out;
}

}  // namespace softcheck::oracle
