// Index overflow: a row of equal logits gives equal outputs everywhere; a kernel that indexes with
// 16 bits wraps at column 65536 (and a 32-bit one at 2^31, out of reach of a probe). The experiment
// runs one row of 65544 zeros and reports the first column whose output differs from column 0's
// when it is a power of two (an index width); any other column is left to the other diagnoses.
#include <bit>
#include <cmath>

#include <fmt/format.h>

#include "properties/diagnosis/diagnosers.hpp"
#include "properties/diagnosis/probe.hpp"

namespace softcheck::diagnosis {

std::optional<Diagnosis> index_overflow(const Kernel& k, const Invoker& inv) {
  const Contract& c = k.contract;
  if (!is_softmax(c)) return std::nullopt;
  constexpr std::size_t kCols = 65536 + 8;
  const std::vector<double> zeros(kCols, 0.0);
  const auto y = outputs(k, inv, 1, kCols, zeros);
  if (!y) return std::nullopt;
  std::size_t first_bad = 0;
  for (std::size_t j = 1; j < kCols && !first_bad; ++j)
    if (!((*y)[j] == (*y)[0])) first_bad = j;
  if (first_bad < 4096 || !std::has_single_bit(first_bad)) return std::nullopt;
  Diagnosis d;
  d.kind = "index_overflow";
  d.params.push_back({"first_wrong_column", static_cast<double>(first_bad)});
  d.params.push_back({"index_bits", static_cast<double>(std::countr_zero(first_bad))});
  d.summary = fmt::format(
      "outputs are wrong from column {} = 2^{} on: a {}-bit index or offset wraps (use size_t "
      "or int64 for positions)",
      first_bad, std::countr_zero(first_bad), std::countr_zero(first_bad));
  d.evidence = fmt::format(
      "one row of {} zeros (every output must equal 1/{}): output [0] = {}, output [{}] = {}",
      kCols, kCols, hex((*y)[0]), first_bad, hex((*y)[first_bad]));
  return d;
}

}  // namespace softcheck::diagnosis
