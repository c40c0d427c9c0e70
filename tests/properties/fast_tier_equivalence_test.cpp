// The tiered oracle is the MPFR oracle (docs/error-model.md, "The fast tier"): on generated rows
// (the property generators' families, masks, NaN/+inf, long rows) and adversarial ones (subnormal
// and just-overflowing results, ties, huge spreads, rows of 1e5), per output format and op,
// - the correctly rounded values are identical, bit for bit (signed zeros included);
// - the error figures of the fast tier are those of MPFR within the stated uncertainty;
// - verdicts against a bound placed exactly at the error are those of MPFR;
// and a weakened fast tier (claiming the bound of the proven one) fails the same comparison.
// SOFTCHECK_EQUIVALENCE_ELEMENTS elements per format and op: a small count in `make test`, 1e6
// in fast_tier_equivalence_full_test (label slow).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <iostream>
#include <random>

#include <fmt/format.h>

#include "oracles/fast_tier.hpp"
#include "properties/generators.hpp"
#include "properties/reference.hpp"

#ifndef SOFTCHECK_EQUIVALENCE_ELEMENTS
#define SOFTCHECK_EQUIVALENCE_ELEMENTS 30000
#endif

namespace softcheck {
namespace {

constexpr std::size_t kElements = SOFTCHECK_EQUIVALENCE_ELEMENTS;

enum class TestOp { softmax, log_softmax };

struct Param {
  DType out;
  TestOp op;
};

std::string param_name(const Param& p) {
  return std::string(name_of(p.out)) + (p.op == TestOp::softmax ? "_softmax" : "_log_softmax");
}

oracle::fast::Row fast_row(TestOp op, std::span<const double> x, oracle::fast::ExpQuality q) {
  return op == TestOp::softmax ? oracle::fast::softmax(x, q) : oracle::fast::log_softmax(x, q);
}
RowReference mpfr_only(TestOp op, std::span<const double> x, DType out) {
  return op == TestOp::softmax ? softmax_reference_mpfr(x, out) : log_softmax_reference_mpfr(x, out);
}
RowReference tiered(TestOp op, std::span<const double> x, DType out, oracle::fast::ExpQuality q) {
  std::vector<double> in(x.begin(), x.end());
  return tiered_reference(fast_row(op, x, q), out, [op, in, out] { return mpfr_only(op, in, out).exact(); });
}

// Adversarial rows beyond the generators: results at the bottom of the format (subnormal, just
// above 0), log-probabilities just inside and past its largest finite value, ties 1/k, huge
// spreads and long rows.
std::vector<std::vector<double>> adversarial_rows(DType t, std::mt19937_64& rng) {
  std::vector<std::vector<double>> rows;
  std::uniform_real_distribution<double> u(0, 1);
  const Format f = format_of(t);
  const double sub_lo = (f.emin - f.precision) * 0.6931471805599453;  // p near denorm_min
  for (int i = 0; i < 200; ++i) {
    const double d = round_to(t, sub_lo + (u(rng) - 0.2) * 12);
    rows.push_back({0.0, d});
    rows.push_back({0.0, d, round_to(t, d + u(rng))});
  }
  for (double big : {max_finite(t), max_finite(t) / 2, max_finite(t) * 0.999}) {
    rows.push_back({0.0, -big});
    rows.push_back({big, -big});
    rows.push_back({-big, round_to(t, -big * (1 - 1e-3)), -INFINITY});
    rows.push_back({round_to(t, big / 3), 0.0, -big});
  }
  for (std::size_t k : {2, 3, 5, 7, 100, 1000}) rows.emplace_back(k, round_to(t, u(rng) * 10));
  std::normal_distribution<double> n01;
  std::vector<double> long_row(kElements >= 1000000 ? 100000 : 10000);
  for (double& v : long_row) v = round_to(t, 3 * n01(rng));
  rows.push_back(long_row);
  for (double& v : long_row) v = round_to(t, -std::ldexp(u(rng), static_cast<int>(u(rng) * f.emax)));
  rows.push_back(long_row);
  return rows;
}

struct Tally {
  std::size_t elements = 0, fast = 0, generated = 0, defined = 0, generated_fast = 0, rounding_mismatches = 0, figure_mismatches = 0,
              verdict_mismatches = 0;
  std::string first;
};

bool same_bits(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || (a == b && std::signbit(a) == std::signbit(b));
}

// Compares one row's tiered reference with MPFR's, element by element, for several kernel
// outputs around the correctly rounded value.
void compare_row(std::span<const double> x, const Param& p, oracle::fast::ExpQuality q, Tally& t) {
  const RowReference ref = tiered(p.op, x, p.out, q);
  const RowReference m = mpfr_only(p.op, x, p.out);
  t.elements += x.size();
  if (ref.fast) t.fast += x.size();
  for (std::size_t j = 0; j < x.size(); ++j) {
    const auto note = [&](std::size_t& counter, const std::string& what) {
      if (counter++ == 0)
        t.first = fmt::format("{} at element {} of the row {}", what, j, hex_list(x, 8));
    };
    if (!same_bits(ref.rounded[j], m.rounded[j])) {
      note(t.rounding_mismatches, fmt::format("rounded {} vs MPFR {}", hex(ref.rounded[j]), hex(m.rounded[j])));
      continue;
    }
    if (!ref.fast || !std::isfinite(m.rounded[j])) continue;
    const double r = m.rounded[j];
    for (double got : {r, next_up(p.out, r), next_down(p.out, r), round_to(p.out, r * 1.001)}) {
      if (!std::isfinite(got)) continue;
      const oracle::ErrorMetrics want = oracle::compare(got, m.exact()[j], p.out);
      const FastComparison c = compare_fast(got, ref, j, p.out);
      const double slack_abs = c.uncertainty_abs + 0x1p-52 * want.abs;
      const double slack_ulps = c.uncertainty_abs / c.ulp + 0x1p-52 * want.ulps_vs_exact;
      if (std::fabs(c.metrics.abs - want.abs) > slack_abs ||
          std::fabs(c.metrics.ulps_vs_exact - want.ulps_vs_exact) > slack_ulps ||
          c.metrics.ulps_vs_rounded != want.ulps_vs_rounded) {
        note(t.figure_mismatches, fmt::format("got {}: ulps {} vs MPFR {} (uncertainty {})", hex(got),
                                              c.metrics.ulps_vs_exact, want.ulps_vs_exact, slack_ulps));
      }
      // A bound exactly at MPFR's error, and just below it: the verdicts must be MPFR's.
      for (double bound : {want.abs, want.abs * (1 - 0x1p-30)}) {
        ElementReport mine = compare_element(0, j, got, ref, p.out, bound);
        ElementReport theirs = compare_element(0, j, got, m, p.out, bound);
        if (within(mine) != within(theirs))
          note(t.verdict_mismatches, fmt::format("got {}: verdict differs at bound {}", hex(got), bound));
      }
    }
  }
}

Tally run(const Param& p, oracle::fast::ExpQuality q, std::size_t elements) {
  Tally t;
  std::mt19937_64 rng(0x0ddba11 + static_cast<unsigned>(p.out));
  for (const auto& row : adversarial_rows(p.out, rng)) compare_row(row, p, q, t);
  GenSpec spec;
  spec.dtype = p.out;
  spec.max_rows = 4;
  spec.specials = true;
  const auto gen = gen_batch(spec);
  for (int seed = 0; t.generated < elements; ++seed) {
    const Batch b = gen(rc::Random(static_cast<uint64_t>(seed) * 7919 + 1), 100).value();
    for (std::size_t r = 0; r < b.rows; ++r) {
      const std::size_t fast_before = t.fast;
      compare_row(b.row(r), p, q, t);
      t.generated += b.cols;
      // Rows with NaN or +inf are MPFR's by design (undefined rows); the share counts the rest.
      if (!has_nan_or_pos_inf(b.row(r))) {
        t.defined += b.cols;
        t.generated_fast += t.fast - fast_before;
      }
    }
  }
  return t;
}

class Equivalence : public ::testing::TestWithParam<Param> {};

TEST_P(Equivalence, TieredOracleEqualsMpfrAlone) {
  const Param p = GetParam();
  const Tally t = run(p, oracle::fast::ExpQuality::proven, kElements);
  std::cout << param_name(p) << ": " << t.elements << " elements, " << t.fast
            << " decided by the fast tier (generated rows: " << t.generated_fast << " of "
            << t.defined << " without NaN/+inf)\n";
  EXPECT_EQ(t.rounding_mismatches, 0u) << t.first;
  EXPECT_EQ(t.figure_mismatches, 0u) << t.first;
  EXPECT_EQ(t.verdict_mismatches, 0u) << t.first;
  // The fast tier does the work: most generated elements never reach MPFR. (Adversarial rows may
  // escalate wholesale: a bf16 log-softmax of logits 2^100 apart straddles the binade boundary
  // at every power-of-two logit, which only MPFR resolves.)
  // Log-softmax escalates more: on the whole-format families l_j = x_j - lse sits within the
  // enclosure of a power-of-two x_j whenever |x_j| dwarfs lse, and only MPFR settles its binade
  // (measured: 72-76% fast for log-softmax, 97-99% for softmax with this seed).
  const double share = p.op == TestOp::softmax ? 0.9 : 0.6;
  EXPECT_GT(static_cast<double>(t.generated_fast), share * static_cast<double>(t.defined));
}

TEST_P(Equivalence, AWeakenedFastTierIsCaught) {
  const Param p = GetParam();
  const Tally t = run(p, oracle::fast::ExpQuality::weakened, std::min<std::size_t>(kElements, 30000));
  EXPECT_GT(t.rounding_mismatches + t.figure_mismatches, 0u)
      << "a 7-term exponential claiming the 14-term bound went unnoticed";
}

INSTANTIATE_TEST_SUITE_P(
    FastTier, Equivalence,
    ::testing::Values(Param{DType::f32, TestOp::softmax}, Param{DType::f32, TestOp::log_softmax},
                      Param{DType::f16, TestOp::softmax}, Param{DType::f16, TestOp::log_softmax},
                      Param{DType::bf16, TestOp::softmax}, Param{DType::bf16, TestOp::log_softmax}),
    [](const auto& info) { return param_name(info.param); });

}  // namespace
}  // namespace softcheck
