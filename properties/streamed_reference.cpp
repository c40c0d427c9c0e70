#include "properties/streamed_reference.hpp"

namespace softcheck {
namespace {

oracle::fast::RowScan::Kind fast_kind(StreamedReference::Kind k) {
  return k == StreamedReference::Kind::softmax ? oracle::fast::RowScan::Kind::softmax
                                               : oracle::fast::RowScan::Kind::log_softmax;
}

}  // namespace

StreamedReference::StreamedReference(std::span<const double> x, Kind kind, DType out)
    : x_(x), kind_(kind), out_(out), scan_(x, fast_kind(kind)) {}

const oracle::StreamedRow& StreamedReference::mpfr() const {
  // The precision of the whole row, as the whole-row references use it.
  if (!mpfr_)
    mpfr_ = std::make_unique<oracle::StreamedRow>(x_, kind_,
                                                  oracle::working_bits(out_, x_.size()));
  return *mpfr_;
}

std::vector<oracle::Real> StreamedReference::mpfr_range(std::size_t begin, std::size_t end) const {
  const oracle::StreamedRow& row = mpfr();
  std::vector<oracle::Real> v;
  v.reserve(end - begin);
  for (std::size_t j = begin; j < end; ++j) v.push_back(row.element(j));
  return v;
}

RowReference StreamedReference::range(std::size_t begin, std::size_t end) const {
  // f64 results need more than double to decide: the fast tier is for f32, f16 and bf16.
  if (out_ == DType::f64 || !scan_.usable()) return make_reference(mpfr_range(begin, end), out_);
  return tiered_reference(scan_.range(begin, end), out_,
                          [this, begin, end] { return mpfr_range(begin, end); });
}

std::vector<double> StreamedReference::approximate(std::size_t begin, std::size_t end) const {
  if (scan_.usable()) return scan_.range(begin, end).value;
  std::vector<double> v;
  v.reserve(end - begin);
  for (const oracle::Real& r : mpfr_range(begin, end)) v.push_back(oracle::to_double(r));
  return v;
}

}  // namespace softcheck
