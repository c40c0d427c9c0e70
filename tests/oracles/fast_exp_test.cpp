// The fast tier's exponential against MPFR: every error within the bound fast_exp.hpp claims
// (docs/error-model.md, "The fast tier"), and the weakened 7-term one outside it (so the check
// can fail).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "oracles/fast_exp.hpp"
#include "oracles/mpfr_ops.hpp"

namespace softcheck::oracle {
namespace {

// |approx - exp(d)| / (kExpRel exp(d) + kExpAbs), computed in MPFR.
double bound_share(double approx, double d) {
  Real e = mp::with_precision(200), diff = mp::with_precision(200), allowed = mp::with_precision(200);
  mpfr_set_d(mp::ptr(e), d, MPFR_RNDN);
  mpfr_exp(mp::ptr(e), mp::ptr(e), MPFR_RNDN);
  mpfr_d_sub(mp::ptr(diff), approx, mp::ptr(e), MPFR_RNDN);
  mpfr_abs(mp::ptr(diff), mp::ptr(diff), MPFR_RNDN);
  mpfr_mul_d(mp::ptr(allowed), mp::ptr(e), fast::kExpRel, MPFR_RNDN);
  mpfr_add_d(mp::ptr(allowed), mp::ptr(allowed), fast::kExpAbs, MPFR_RNDN);
  mpfr_div(mp::ptr(diff), mp::ptr(diff), mp::ptr(allowed), MPFR_RNDN);
  return mpfr_get_d(mp::ptr(diff), MPFR_RNDN);
}

std::vector<double> arguments() {
  std::mt19937_64 rng(0x5eed);
  std::uniform_real_distribution<double> wide(-746, 0), narrow(-1, 0);
  std::vector<double> d{0.0, -0.0, -0x1p-1074, -1e-300, -0.34657359027997264, -0.34657359027997270,
                        -708.39641853226408, -708.4, -744.44007192138121, -745.13321910194111,
                        -745.2, -745.19, -1022 * 0.6931471805599453};
  for (int i = 0; i < 100000; ++i) d.push_back(wide(rng));
  for (int i = 0; i < 20000; ++i) d.push_back(narrow(rng));
  for (int k = -1076; k <= 0; ++k) {  // both sides of every reduction boundary (k + 1/2) ln2
    const double b = (k + 0.5) * 0.6931471805599453;
    d.push_back(std::nextafter(b, 0.0));
    d.push_back(std::nextafter(b, -1e9));
  }
  return d;
}

TEST(FastExp, EveryErrorIsWithinTheClaimedBound) {
  double worst = 0, worst_d = 0;
  for (double d : arguments()) {
    if (d < -746) continue;
    const double share = bound_share(fast::exp_nonpositive(d), d);
    if (share > worst) worst = share, worst_d = d;
  }
  EXPECT_LE(worst, 1.0) << "at d = " << worst_d;
  // The bound is not vacuous: the observed error uses a visible part of it.
  EXPECT_GT(worst, 1e-3);
  std::cout << "largest share of the bound: " << worst << " at " << worst_d << "\n";
}

TEST(FastExp, ExactAtZeroAndZeroFarBelow) {
  EXPECT_EQ(fast::exp_nonpositive(0.0), 1.0);
  EXPECT_EQ(fast::exp_nonpositive(-INFINITY), 0.0);
  EXPECT_EQ(fast::exp_nonpositive(-1e300), 0.0);
  EXPECT_TRUE(std::isnan(fast::exp_nonpositive(NAN)));
}

TEST(FastExp, TheWeakenedExponentialBreaksTheBound) {
  double worst = 0;
  for (double d : arguments())
    if (d >= -746) worst = std::max(worst, bound_share(fast::exp_nonpositive<7>(d), d));
  EXPECT_GT(worst, 1e6);
}

}  // namespace
}  // namespace softcheck::oracle
