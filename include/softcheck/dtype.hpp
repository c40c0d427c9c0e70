// Floating-point formats that kernels read and write, and exact conversions to and from double.
//
// Every value softcheck handles is kept as a double that is exactly representable in the kernel's
// format (f16, bf16 and f32 all embed exactly in f64), so the oracle always sees the exact inputs the
// kernel received (error-model.md: "build the oracle from the exact inputs").
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace softcheck {

enum class DType { f32, f64, f16, bf16 };

inline constexpr DType kAllDTypes[] = {DType::f32, DType::f64, DType::f16, DType::bf16};

// IEEE-style binary format parameters. precision counts the implicit bit.
struct Format {
  int precision;  // p: f16 11, bf16 8, f32 24, f64 53
  int emin;       // exponent of the smallest normal
  int emax;       // exponent of the largest finite
  int bytes;      // storage size at the kernel boundary (16-bit formats as uint16_t bits)
};

Format format_of(DType t);
std::string_view name_of(DType t);
std::optional<DType> parse_dtype(std::string_view s);

double unit_roundoff(DType t);    // u = 2^-p
double denorm_min(DType t);       // smallest positive subnormal
double min_normal(DType t);       // 2^emin
double max_finite(DType t);
// ulp(x) in format t, floored at the smallest subnormal (glibc convention); ulp(0) = denorm_min.
double ulp(DType t, double x);

// Round a double to the nearest value of format t (ties to even, subnormals and overflow to inf
// handled); the result is returned as the exact double of that value.
double round_to(DType t, double x);
bool representable(DType t, double x);

// Bit encodings at the kernel boundary.
uint16_t f16_bits(double exactly_representable);
double from_f16_bits(uint16_t b);
uint16_t bf16_bits(double exactly_representable);
double from_bf16_bits(uint16_t b);

// A monotone integer index of the values of format t: index(next_up(x)) = index(x) + 1, 0 maps to 0,
// negative values to negative indices. Shrinkers move logits along it so that a minimal
// counterexample lands on an exact threshold (for example the first f32 whose exp overflows).
int64_t ordered_index(DType t, double x);
double from_ordered_index(DType t, int64_t i);
double next_up(DType t, double x);
double next_down(DType t, double x);

// Typed byte buffer as passed to kernels.
class Buffer {
 public:
  Buffer() = default;
  Buffer(DType t, std::size_t n);
  static Buffer from_values(DType t, std::span<const double> values);  // values must be representable
  DType dtype() const { return dtype_; }
  std::size_t size() const { return n_; }
  void* data() { return bytes_.data(); }
  const void* data() const { return bytes_.data(); }
  std::size_t size_bytes() const { return bytes_.size(); }
  double get(std::size_t i) const;
  void set(std::size_t i, double v);
  std::vector<double> values() const;
  bool bitwise_equal(const Buffer& o) const { return dtype_ == o.dtype_ && bytes_ == o.bytes_; }

 private:
  DType dtype_ = DType::f32;
  std::size_t n_ = 0;
  std::vector<unsigned char> bytes_;
};

// C99 hex-float text (e.g. 0x1.62e43p+6), "inf", "-inf", "nan"; the notation of every failure message.
std::string hex(double x);
std::string hex_list(std::span<const double> xs, std::size_t max_items = 64);

}  // namespace softcheck
