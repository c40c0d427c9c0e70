// Self-checks of the half-precision kernels (impl/half/half_kernels.cpp) against a long double
// reference, before and independently of the property catalogue.
//
// The reference is softmax in x87 long double (64-bit significand, expl): its relative error is a
// few 2^-64, so rounding it to f16/bf16 gives the correctly rounded result except within ~2^-53 of
// a midpoint, where the kernel may legitimately land on either side anyway. Errors are measured in
// the output format's ulps (error-model.md): against the exact value (Zimmermann convention), where
// the bound is 0.5 + (n + 2 + 2 Delta) u32/u_out for the shifted kernels (plus (R + Delta)
// u32/u_out for online, R <= n - 1 rescales) and BHH's (n + 3) u with a subnormal floor for the
// naive one, and against the correctly rounded value (glibc convention), where a correct
// mixed-precision kernel is at most one ulp off.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "impl/half/half_convert.hpp"
#include "impl/registry.hpp"
#include "softcheck/dtype.hpp"

namespace softcheck {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr uint64_t kSeed = 20240603;  // fixed, so a failure reproduces

const Kernel& kernel(std::string_view name) {
  static const std::vector<Kernel> all = half_softmax_kernels();
  for (const Kernel& k : all)
    if (k.contract.name == name) return k;
  throw std::runtime_error("no half kernel named " + std::string(name));
}

constexpr std::string_view kCorrect[] = {
    "f16_softmax_shifted__scalar", "f16_softmax_online__scalar", "bf16_softmax_shifted__scalar",
    "bf16_softmax_online__scalar"};
constexpr std::string_view kAll[] = {"f16_softmax_shifted__scalar", "f16_softmax_online__scalar",
                                     "f16_softmax_naive__scalar", "bf16_softmax_shifted__scalar",
                                     "bf16_softmax_online__scalar"};

using Rows = std::vector<std::vector<double>>;

// Runs k on equal-length rows in one call (so the row stride is exercised) and returns its outputs.
Rows run(const Kernel& k, const Rows& rows) {
  const DType t = k.contract.dtype;
  const std::size_t n = rows.at(0).size();
  std::vector<double> flat;
  for (const auto& r : rows) {
    EXPECT_EQ(r.size(), n);
    for (double v : r) {
      EXPECT_TRUE(representable(t, v)) << hex(v);
      flat.push_back(v);
    }
  }
  const Buffer x = Buffer::from_values(t, flat);
  Buffer y(t, flat.size());
  std::get<RowwiseFn>(k.entry)(x.data(), y.data(), rows.size(), n);
  const std::vector<double> v = y.values();
  Rows out;
  for (std::size_t r = 0; r < rows.size(); ++r)
    out.emplace_back(v.begin() + static_cast<std::ptrdiff_t>(r * n),
                     v.begin() + static_cast<std::ptrdiff_t>((r + 1) * n));
  return out;
}

std::vector<long double> reference(const std::vector<double>& x) {
  long double a = -kInf;
  for (double v : x) a = std::max<long double>(a, v);
  long double s = 0;
  for (double v : x) s += std::exp(static_cast<long double>(v) - a);
  std::vector<long double> p;
  for (double v : x) p.push_back(std::exp(static_cast<long double>(v) - a) / s);
  return p;
}

// Bound on |y_j - p_j| from the contract (error-model.md), u = u(accum), u_out = u(dtype):
// - shifted: 0.5 + (n + 2 + 2 Delta) u / u_out ulps of the output ("Mixed precision");
// - online: plus (R + Delta) u / u_out, with R = n - 1 rescales at most ("Online softmax");
// - naive: (n + 3) u p_j (BHH Thm 3.3, the exps carrying at most u relative error while normal),
//   plus an absolute floor for exps that are subnormal in accum, (E + 1) denorm_min / s with
//   s >= min(1, exp(max)), plus the final rounding to the output.
double bound_abs(const Contract& c, std::size_t n, double xmax, double delta, double p) {
  const double u = unit_roundoff(c.accum);
  const double u_out = unit_roundoff(c.dtype);
  const double nd = static_cast<double>(n);
  switch (c.algorithm) {
    case Algorithm::naive:
      return (nd + 3) * u * p +
             (c.exp_ulps + 1) * denorm_min(c.accum) / std::min(1.0, std::exp(xmax)) +
             0.5 * ulp(c.dtype, p);
    case Algorithm::online:
      return (0.5 + (nd + 2 + 2 * delta + (nd - 1) + delta) * u / u_out) * ulp(c.dtype, p);
    default:
      return (0.5 + (nd + 2 + 2 * delta) * u / u_out) * ulp(c.dtype, p);
  }
}

struct Stats {
  std::size_t outputs = 0, correctly_rounded = 0;
  double max_exact = 0, max_cr = 0;
  std::string worst;
  void print(std::string_view name) const {
    std::printf(
        "[ info ] %s: %zu outputs, %.1f%% correctly rounded, max %.3f ulp vs exact, "
        "max %.0f ulp vs correctly rounded%s%s\n",
        std::string(name).c_str(), outputs, 100.0 * correctly_rounded / outputs, max_exact, max_cr,
        worst.empty() ? "" : "; worst at ", worst.c_str());
  }
};

// Asserts every output of k on rows is within the contract's bound of the exact value and, for the
// shifted and online kernels, within one ulp of the correctly rounded value. -inf logits must give
// exactly +0.
void expect_accurate(const Kernel& k, const Rows& rows, Stats* stats = nullptr) {
  const Contract& c = k.contract;
  const DType t = c.dtype;
  const Rows got = run(k, rows);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const auto& x = rows[r];
    double xmax = -kInf, xmin = kInf;
    for (double v : x)
      if (std::isfinite(v)) xmax = std::max(xmax, v), xmin = std::min(xmin, v);
    const std::vector<long double> p = reference(x);
    for (std::size_t j = 0; j < x.size(); ++j) {
      const double y = got[r][j];
      const double exact = static_cast<double>(p[j]);  // error 2^-53 relative: see file comment
      const double cr = round_to(t, exact);
      const double err_exact = std::fabs(y - exact) / ulp(t, exact);
      const double err_cr = std::fabs(y - cr) / ulp(t, cr);
      const std::string where = c.name + " row " + hex_list(x, 8) + " [" + std::to_string(j) +
                                "]: got " + hex(y) + ", exact " + hex(exact) + " (seed " +
                                std::to_string(kSeed) + ")";
      if (x[j] == -kInf) {
        ASSERT_EQ(y, 0.0) << where;
        ASSERT_FALSE(std::signbit(y)) << where;
      }
      ASSERT_LE(std::fabs(y - exact), bound_abs(c, x.size(), xmax, xmax - xmin, exact)) << where;
      if (c.algorithm != Algorithm::naive) {
        ASSERT_LE(err_cr, 1.0) << where;
      }
      if (stats) {
        ++stats->outputs;
        stats->correctly_rounded += y == cr;
        if (err_exact > stats->max_exact) stats->worst = where;
        stats->max_exact = std::max(stats->max_exact, err_exact);
        stats->max_cr = std::max(stats->max_cr, err_cr);
      }
    }
  }
}

Rows random_rows(DType t, std::size_t count, std::size_t n, double lo, double hi,
                 std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(lo, hi);
  Rows rows(count, std::vector<double>(n));
  for (auto& r : rows)
    for (double& v : r) {
      v = round_to(t, u(rng));  // may round just outside [lo, hi]: step back inside
      while (v > hi) v = next_down(t, v);
      while (v < lo) v = next_up(t, v);
    }
  return rows;
}

TEST(HalfKernels, CorrectKernelsAreWithinOneUlpOfCorrectlyRounded) {
  for (std::string_view name : kCorrect) {
    const Kernel& k = kernel(name);
    const DType t = k.contract.dtype;
    std::mt19937_64 rng(kSeed);
    Stats stats;
    // f16: logits in [-8, 8] keep every output above f16's subnormals for short rows; bf16 shares
    // f32's exponent range, so a wider spread [-20, 20] still has a meaningful Delta.
    const double spread = t == DType::f16 ? 8.0 : 20.0;
    for (std::size_t n : {1, 2, 3, 7, 16, 100, 1000, 4096})
      expect_accurate(k, random_rows(t, 3, n, -spread, spread, rng), &stats);
    stats.print(name);
  }
}

TEST(HalfKernels, LargeOffsetsDoNotOverflowShiftedOrOnline) {
  for (std::string_view name : kCorrect) {
    const Kernel& k = kernel(name);
    const DType t = k.contract.dtype;
    std::mt19937_64 rng(kSeed + 1);
    Stats stats;
    Rows rows;
    if (t == DType::f16) {
      // Around the f16 exp overflow threshold 11.09 (an unshifted f16 exp overflows from 11.09375),
      // at the top of the f16 range (spacing 32 there) and at its bottom.
      expect_accurate(k, random_rows(t, 4, 64, 9.0, 12.0, rng), &stats);
      expect_accurate(k, {{11.0859375, 11.09375, 11.0, 10.5, 3.0, 11.09375}}, &stats);
      expect_accurate(
          k, {{65504, 65472, 65504, 65440, 65248}, {-65504, -65472, -65440, -65504, -65248}},
          &stats);
      expect_accurate(k, random_rows(t, 3, 100, 60000.0, 65504.0, rng), &stats);
      expect_accurate(k, {{65504, -65504, 0, 1}}, &stats);
    } else {
      // Around 1e4 (spacing 64 in bf16), near the f32 exp overflow 88.72 (an unshifted f32 sum of
      // eight such exps is inf), and at the ends of the range (x - max overflows f32 to -inf).
      expect_accurate(k, random_rows(t, 3, 100, 9000.0, 11000.0, rng), &stats);
      expect_accurate(k, {{10048, 9984, 10048, 9920, 10112}}, &stats);
      expect_accurate(k, random_rows(t, 3, 64, 85.0, 88.5, rng), &stats);
      expect_accurate(k, {{max_finite(t), -max_finite(t), 0, max_finite(t)}}, &stats);
    }
    stats.print(name);
  }
}

TEST(HalfKernels, MaskedLogitsGiveExactZero) {
  for (std::string_view name : kAll) {
    const Kernel& k = kernel(name);
    const DType t = k.contract.dtype;
    std::mt19937_64 rng(kSeed + 2);
    Rows rows = random_rows(t, 2, 33, -4.0, 4.0, rng);
    for (std::size_t j = 0; j < 33; j += 3) rows[0][j] = -kInf;  // every third
    // A masked prefix: the online kernel's running max is still -inf when the masks arrive.
    for (std::size_t j = 0; j < 20; ++j) rows[1][j] = -kInf;
    expect_accurate(k, rows);
    expect_accurate(k, {{-kInf, 1.0}, {1.0, -kInf}});
  }
}

TEST(HalfKernels, AllMaskedRowIsNan) {  // contract: all_masked = nan
  for (std::string_view name : kAll) {
    const Kernel& k = kernel(name);
    ASSERT_EQ(k.contract.all_masked, MaskedRowPolicy::nan);
    const Rows y = run(k, {{-kInf, -kInf, -kInf}});
    for (double v : y[0]) EXPECT_TRUE(std::isnan(v)) << name;
  }
}

TEST(HalfKernels, NanOrPlusInfLogitGivesNonFiniteRow) {  // contract: propagates_nan
  for (std::string_view name : kAll) {
    const Kernel& k = kernel(name);
    for (double bad : {std::numeric_limits<double>::quiet_NaN(), kInf}) {
      const Rows y = run(k, {{0.5, bad, -1.0}, {bad, 2.0, 1.0}, {1.0, 2.0, bad}});
      for (const auto& row : y) {
        bool any_nonfinite = false;
        for (double v : row) any_nonfinite |= !std::isfinite(v);
        EXPECT_TRUE(any_nonfinite) << name << " with " << hex(bad) << ": " << hex_list(row);
      }
    }
  }
}

// Exact facts (error-model.md): n = 1 gives exactly 1; k equal logits, k a power of two, give 1/k.
TEST(HalfKernels, ExactCases) {
  for (std::string_view name : kAll) {
    const Kernel& k = kernel(name);
    for (const auto& row : run(k, {{3.0}, {-7.5}, {11.0}})) EXPECT_EQ(row[0], 1.0) << name;
    const Rows quarter = run(k, {{11.0, 11.0, 11.0, 11.0}});
    for (double v : quarter[0]) EXPECT_EQ(v, 0.25) << name;
    const Rows tiny = run(k, {std::vector<double>(2048, 0.0)});
    for (double v : tiny[0]) EXPECT_EQ(v, 0x1p-11) << name;
  }
}

// The naive f16 kernel: within its contract's bound inside its declared domain, and overflowing
// (NaN or inf in the row) just past it, as the contract says.
TEST(HalfKernels, NaiveF16HoldsInsideItsDomainAndOverflowsPastIt) {
  const Kernel& k = kernel("f16_softmax_naive__scalar");
  const Domain& d = k.contract.domain;
  // The domain edges are the f16 thresholds of error-model.md: exp(max_logit) is finite in f16 and
  // exp(next f16) is not; exp(min_row_max) is an f16 normal and exp(previous f16) is subnormal.
  EXPECT_EQ(d.max_logit, 11.0859375);
  EXPECT_TRUE(std::isfinite(round_to_f16(std::exp(static_cast<float>(d.max_logit)))));
  EXPECT_TRUE(
      std::isinf(round_to_f16(std::exp(static_cast<float>(next_up(DType::f16, d.max_logit))))));
  EXPECT_GE(round_to_f16(std::exp(static_cast<float>(d.min_row_max))), min_normal(DType::f16));
  EXPECT_LT(round_to_f16(std::exp(static_cast<float>(next_down(DType::f16, d.min_row_max)))),
            min_normal(DType::f16));

  // In the domain: any logits up to max_logit (down to -20, where the f16 exp is 0), with the row
  // max at least min_row_max.
  std::mt19937_64 rng(kSeed + 3);
  std::uniform_real_distribution<double> top(d.min_row_max, d.max_logit);
  Stats stats;
  for (std::size_t n : {1, 2, 3, 7, 16, 100, 1000}) {
    Rows rows = random_rows(DType::f16, 3, n, -20.0, d.max_logit, rng);
    for (auto& r : rows) r[n / 2] = std::max(r[n / 2], round_to(DType::f16, top(rng)));
    expect_accurate(k, rows, &stats);
  }
  expect_accurate(k, {{d.max_logit, -17.0, 0.0, d.max_logit}, {d.min_row_max, -12.0, -17.0, -9.75}},
                  &stats);
  stats.print(k.contract.name);

  for (double past : {next_up(DType::f16, d.max_logit), 12.0, 65504.0}) {
    const std::vector<double> y = run(k, {{past, 0.0, 1.0}})[0];
    EXPECT_FALSE(std::isfinite(y[0])) << hex(past) << ": " << hex_list(y);
  }
}

}  // namespace
}  // namespace softcheck
