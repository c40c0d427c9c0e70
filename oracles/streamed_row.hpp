// The MPFR references of one row element by element, in memory independent of the row's length:
// for rows too long to hold every element's MPFR value at once (a 1e7-element row would need
// about 2 GB), and for the few elements of a long row the fast tier leaves undecided.
//
// Same definitions and precision as softmax.hpp. The constructor makes one pass over the row for
// its max and sum of exponentials; element(j) then costs one exp and one division (softmax) or one
// subtraction (log-softmax). The sum is taken in chunks of kChunk terms: each chunk's mpfr_sum is
// rounded to odd at bits + 64, the chunk sums are added by one mpfr_sum rounded to odd at bits. All
// terms are positive, so the chunking adds at most 2^(1 - bits - 64) relative to the 4 * 2^-bits of
// the one-sum total (shifted_exp.hpp): (4 + 2^-63) 2^-bits, inside the budget real.hpp counts
// (softmax's 8 * 2^-bits becomes 8 + 2^-63). A row of at most kChunk elements has one chunk, and
// rounding to odd at bits + 64 then at bits is rounding to odd at bits: exactly softmax()'s values.
// A sum of terms above 1 stays above 1 (both roundings are to odd), as real.hpp needs.
#pragma once

#include <cstddef>
#include <span>

#include "oracles/real.hpp"

namespace softcheck::oracle {

class StreamedRow {
 public:
  enum class Kind { softmax, log_softmax };
  static constexpr std::size_t kChunk = 4096;

  // Holds a view of x, which must outlive it.
  StreamedRow(std::span<const double> x, Kind kind, unsigned bits);
  // softmax(x, bits)[j] or log_softmax(x, bits)[j] (NaN for an undefined row, as those give).
  Real element(std::size_t j) const;

 private:
  std::span<const double> x_;
  Kind kind_;
  unsigned bits_;
  bool finite_ = false;
  bool others_live_ = false;
  double max_ = 0;
  Real norm_;  // softmax: sum_i e_i; log-softmax: log1p(sum_{i != argmax} e_i)
};

}  // namespace softcheck::oracle
