// Long rows judged in ranges (properties/streamed_reference.hpp, oracles/streamed_row.hpp) agree
// with the whole-row references: the MPFR elements are those of oracle::softmax/log_softmax (the
// same Reals for rows of one chunk; the same roundings beyond, where the sum is chunked), the fast
// tier's ranges are its whole row cut in pieces, and the tiered ranges give the correctly rounded
// values of the whole row, escalating a range where the fast tier cannot decide.
#include <gtest/gtest.h>
#include <mpfr.h>

#include <cmath>
#include <random>
#include <vector>

#include "oracles/fast_tier.hpp"
#include "oracles/oracle.hpp"
#include "oracles/streamed_row.hpp"
#include "properties/reference.hpp"
#include "properties/streamed_reference.hpp"

namespace softcheck {
namespace {

using Kind = oracle::StreamedRow::Kind;

std::vector<double> row(std::size_t n, double scale, uint64_t seed, DType t, bool masks) {
  std::mt19937_64 g(seed);
  std::normal_distribution<double> d(0.0, scale);
  std::vector<double> x(n);
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = round_to(t, d(g));
    if (masks && i % 7 == 3) x[i] = -INFINITY;
  }
  return x;
}

std::vector<oracle::Real> whole(std::span<const double> x, Kind k, unsigned bits) {
  return k == Kind::softmax ? oracle::softmax(x, bits) : oracle::log_softmax(x, bits);
}

TEST(StreamedRow, OneChunkGivesTheWholeRowsReals) {
  for (Kind k : {Kind::softmax, Kind::log_softmax}) {
    const std::vector<double> x = row(1000, 10, 1, DType::f32, true);
    const unsigned bits = oracle::working_bits(DType::f32, x.size());
    const std::vector<oracle::Real> w = whole(x, k, bits);
    const oracle::StreamedRow s(x, k, bits);
    for (std::size_t j = 0; j < x.size(); ++j) {
      const oracle::Real e = s.element(j);
      ASSERT_TRUE(mpfr_equal_p(w[j].backend().data(), e.backend().data()) ||
                  (mpfr_nan_p(w[j].backend().data()) && mpfr_nan_p(e.backend().data())))
          << "element " << j;
      ASSERT_EQ(mpfr_signbit(w[j].backend().data()), mpfr_signbit(e.backend().data()));
    }
  }
}

TEST(StreamedRow, ChunkedSumsRoundAsTheWholeRow) {
  for (Kind k : {Kind::softmax, Kind::log_softmax})
    for (DType t : {DType::f32, DType::bf16, DType::f64}) {
      const std::vector<double> x = row(3 * oracle::StreamedRow::kChunk + 17, 3, 2, t, false);
      const unsigned bits = oracle::working_bits(t, x.size());
      const std::vector<oracle::Real> w = whole(x, k, bits);
      const oracle::StreamedRow s(x, k, bits);
      for (std::size_t j = 0; j < x.size(); j += 13) {
        const oracle::Real e = s.element(j);
        ASSERT_EQ(oracle::round_to_format(w[j], t), oracle::round_to_format(e, t)) << j;
        // Within (8 + 2^-63) 2^-bits of each other's exact value: far inside 2^-(bits - 5).
        const double a = oracle::to_double(w[j]), b = oracle::to_double(e);
        ASSERT_LE(std::fabs(a - b), std::fabs(a) * std::ldexp(1.0, -50)) << j;
      }
    }
}

TEST(StreamedRow, UndefinedRowsAreNaN) {
  const std::vector<double> x{1.0, NAN, 2.0};
  EXPECT_TRUE(std::isnan(oracle::to_double(oracle::StreamedRow(x, Kind::softmax, 100).element(0))));
}

TEST(RowScan, RangesAreTheWholeRowCut) {
  for (auto k : {oracle::fast::RowScan::Kind::softmax, oracle::fast::RowScan::Kind::log_softmax}) {
    const std::vector<double> x = row(5000, 30, 3, DType::f32, true);
    const oracle::fast::Row w = k == oracle::fast::RowScan::Kind::softmax
                                    ? oracle::fast::softmax(x)
                                    : oracle::fast::log_softmax(x);
    const oracle::fast::RowScan scan(x, k);
    ASSERT_TRUE(scan.usable());
    for (std::size_t b = 0; b < x.size(); b += 999) {
      const std::size_t e = std::min(x.size(), b + 999);
      const oracle::fast::Row r = scan.range(b, e);
      EXPECT_EQ(r.rel, w.rel);
      EXPECT_EQ(r.abs, w.abs);
      for (std::size_t j = b; j < e; ++j) {
        ASSERT_EQ(std::bit_cast<uint64_t>(r.value[j - b]), std::bit_cast<uint64_t>(w.value[j]));
        if (!w.below_value.empty()) {
          ASSERT_EQ(r.below_value[j - b], w.below_value[j]);
        }
      }
    }
  }
}

void expect_ranges_match_whole(std::span<const double> x, Kind k, DType t, std::size_t range) {
  const RowReference w = k == Kind::softmax ? softmax_reference(x, t) : log_softmax_reference(x, t);
  const StreamedReference s(x, k, t);
  for (std::size_t b = 0; b < x.size(); b += range) {
    const std::size_t e = std::min(x.size(), b + range);
    const RowReference r = s.range(b, e);
    for (std::size_t j = b; j < e; ++j) {
      ASSERT_EQ(std::bit_cast<uint64_t>(r.rounded[j - b]), std::bit_cast<uint64_t>(w.rounded[j]))
          << name_of(t) << " element " << j;
      if (!std::isfinite(w.exact_d[j])) {  // a mask's -inf (log-softmax): exact both ways
        ASSERT_EQ(r.exact_d[j - b], w.exact_d[j]) << j;
        continue;
      }
      const double tol = r.fast ? r.radius(j - b) : 0.0;
      const double exact = w.fast ? oracle::to_double(w.exact()[j]) : w.exact_d[j];
      ASSERT_LE(std::fabs(r.exact_d[j - b] - exact), tol + std::fabs(exact) * 0x1p-52) << j;
    }
  }
}

TEST(StreamedReference, RangesGiveTheWholeRowsRoundings) {
  for (Kind k : {Kind::softmax, Kind::log_softmax})
    for (DType t : {DType::f32, DType::f16, DType::bf16, DType::f64})
      expect_ranges_match_whole(row(9000, 5, 4, t, true), k, t, 1000);
}

// Equal logits over 2^13 entries: every p_j = 2^-13 exactly, on a binade boundary the fast tier's
// enclosure straddles, so each range escalates to MPFR, which rounds it exactly.
TEST(StreamedReference, UndecidedRangesEscalate) {
  const std::vector<double> x(8192, 0.0);
  oracle_tally() = {};
  const StreamedReference s(x, Kind::softmax, DType::f32);
  const RowReference r = s.range(100, 200);
  EXPECT_GT(oracle_tally().mpfr, 0u);
  for (double v : r.rounded) EXPECT_EQ(v, 0x1p-13);
  expect_ranges_match_whole(x, Kind::softmax, DType::f32, 3000);
}

}  // namespace
}  // namespace softcheck
