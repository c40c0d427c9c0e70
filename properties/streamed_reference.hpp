// The tiered reference of one long row (properties/reference.hpp) in ranges of elements, so that a
// row of 1e7 elements is judged in memory independent of its length (reports/cell_stats.hpp): the
// fast tier's row-wide pass (oracle::fast::RowScan) once, its elements per range; an element the
// fast tier leaves undecided escalates its range alone to the MPFR references of
// oracle::StreamedRow (whose row-wide sum is computed on the first escalation, once). The rounded
// values are the correctly rounded ones either way, as for whole rows; a whole row escalates all of
// its elements, a streamed one only the ranges that need it, so their exact_d may differ within
// the fast tier's stated radius.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "oracles/fast_tier.hpp"
#include "oracles/streamed_row.hpp"
#include "properties/reference.hpp"

namespace softcheck {

class StreamedReference {
 public:
  using Kind = oracle::StreamedRow::Kind;
  // Holds a view of x, which must outlive it (and every RowReference range() returns).
  StreamedReference(std::span<const double> x, Kind kind, DType out);
  // The reference of elements [begin, end), indices relative to begin.
  RowReference range(std::size_t begin, std::size_t end) const;
  // Double approximations of the exact outputs of [begin, end) (the fast tier's values where it
  // applies): what a bound's row-wide sums need, without deciding any rounding.
  std::vector<double> approximate(std::size_t begin, std::size_t end) const;

 private:
  const oracle::StreamedRow& mpfr() const;
  std::vector<oracle::Real> mpfr_range(std::size_t begin, std::size_t end) const;

  std::span<const double> x_;
  Kind kind_;
  DType out_;
  oracle::fast::RowScan scan_;
  mutable std::unique_ptr<oracle::StreamedRow> mpfr_;  // on first escalation
};

}  // namespace softcheck
