#include "softcheck/dtype.hpp"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

namespace softcheck {

Format format_of(DType t) {
  switch (t) {
    case DType::f32: return {24, -126, 127, 4};
    case DType::f64: return {53, -1022, 1023, 8};
    case DType::f16: return {11, -14, 15, 2};
    case DType::bf16: return {8, -126, 127, 2};
  }
  throw std::logic_error("format_of: unknown dtype");
}

std::string_view name_of(DType t) {
  switch (t) {
    case DType::f32: return "f32";
    case DType::f64: return "f64";
    case DType::f16: return "f16";
    case DType::bf16: return "bf16";
  }
  return "?";
}

std::optional<DType> parse_dtype(std::string_view s) {
  for (DType t : kAllDTypes)
    if (name_of(t) == s) return t;
  return std::nullopt;
}

double unit_roundoff(DType t) { return std::ldexp(1.0, -format_of(t).precision); }
double denorm_min(DType t) {
  const Format f = format_of(t);
  return std::ldexp(1.0, f.emin - f.precision + 1);
}
double min_normal(DType t) { return std::ldexp(1.0, format_of(t).emin); }
double max_finite(DType t) {
  const Format f = format_of(t);
  return std::ldexp(2.0 - std::ldexp(1.0, 1 - f.precision), f.emax);
}

double ulp(DType t, double x) {
  const Format f = format_of(t);
  if (!std::isfinite(x)) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0) return denorm_min(t);
  const int e = std::max(std::ilogb(x), f.emin);
  return std::ldexp(1.0, e - f.precision + 1);
}

double round_to(DType t, double x) {
  if (t == DType::f64 || !std::isfinite(x) || x == 0) return x;
  if (t == DType::f32) return static_cast<double>(static_cast<float>(x));
  // Generic round-to-nearest-even at precision p with gradual underflow: x / quantum is exact
  // (a power-of-two scaling), nearbyint rounds ties to even in the default rounding mode.
  const Format f = format_of(t);
  const int e = std::max(std::ilogb(x), f.emin);
  const double quantum = std::ldexp(1.0, e - f.precision + 1);
  const double r = std::nearbyint(x / quantum) * quantum;
  if (std::fabs(r) > max_finite(t)) return std::copysign(std::numeric_limits<double>::infinity(), x);
  return r;
}

bool representable(DType t, double x) {
  if (std::isnan(x)) return true;
  return round_to(t, x) == x;
}

uint16_t f16_bits(double v) {
  v = round_to(DType::f16, v);
  const uint16_t sign = std::signbit(v) ? 0x8000 : 0;
  if (std::isnan(v)) return 0x7e00;
  if (std::isinf(v)) return sign | 0x7c00;
  const double a = std::fabs(v);
  if (a == 0) return sign;
  if (a < min_normal(DType::f16)) return sign | static_cast<uint16_t>(std::ldexp(a, 24));
  const int e = std::ilogb(a);
  const auto mant = static_cast<uint16_t>(std::ldexp(a, 10 - e) - 1024);
  return sign | static_cast<uint16_t>((e + 15) << 10) | mant;
}

double from_f16_bits(uint16_t b) {
  const double sign = (b & 0x8000) ? -1.0 : 1.0;
  const int exp = (b >> 10) & 0x1f;
  const int mant = b & 0x3ff;
  if (exp == 0x1f) return mant ? std::numeric_limits<double>::quiet_NaN()
                               : sign * std::numeric_limits<double>::infinity();
  if (exp == 0) return sign * std::ldexp(mant, -24);
  return sign * std::ldexp(1024 + mant, exp - 25);
}

uint16_t bf16_bits(double v) {
  v = round_to(DType::bf16, v);
  if (std::isnan(v)) return 0x7fc0;
  const float f = static_cast<float>(v);  // exact: bf16 values are f32 values
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return static_cast<uint16_t>(u >> 16);
}

double from_bf16_bits(uint16_t b) {
  const uint32_t u = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

int64_t ordered_index(DType t, double x) {
  const Format f = format_of(t);
  const int64_t per_binade = int64_t{1} << (f.precision - 1);
  const double a = std::fabs(x);
  int64_t i;
  if (std::isinf(a)) {
    i = int64_t{f.emax - f.emin + 2} * per_binade;
  } else if (a < min_normal(t)) {
    i = static_cast<int64_t>(a / denorm_min(t));
  } else {
    const int e = std::ilogb(a);
    i = int64_t{e - f.emin + 1} * per_binade +
        static_cast<int64_t>(std::ldexp(a, f.precision - 1 - e)) - per_binade;
  }
  return std::signbit(x) ? -i : i;
}

double from_ordered_index(DType t, int64_t i) {
  const Format f = format_of(t);
  const int64_t per_binade = int64_t{1} << (f.precision - 1);
  const int64_t a = i < 0 ? -i : i;
  const int64_t inf_index = int64_t{f.emax - f.emin + 2} * per_binade;
  double v;
  if (a >= inf_index) {
    v = std::numeric_limits<double>::infinity();
  } else if (a < per_binade) {
    v = static_cast<double>(a) * denorm_min(t);
  } else {
    const int64_t binade = a / per_binade;  // >= 1
    const int e = static_cast<int>(binade) - 1 + f.emin;
    const int64_t mant = a % per_binade + per_binade;
    v = std::ldexp(static_cast<double>(mant), e - f.precision + 1);
  }
  return i < 0 ? -v : v;
}

double next_up(DType t, double x) {
  if (x == 0) return denorm_min(t);
  return from_ordered_index(t, ordered_index(t, x) + 1);
}
double next_down(DType t, double x) {
  if (x == 0) return -denorm_min(t);
  return from_ordered_index(t, ordered_index(t, x) - 1);
}

Buffer::Buffer(DType t, std::size_t n)
    : dtype_(t), n_(n), bytes_(n * static_cast<std::size_t>(format_of(t).bytes)) {}

Buffer Buffer::from_values(DType t, std::span<const double> values) {
  Buffer b(t, values.size());
  for (std::size_t i = 0; i < values.size(); ++i) b.set(i, values[i]);
  return b;
}

double Buffer::get(std::size_t i) const {
  const unsigned char* p = bytes_.data() + i * static_cast<std::size_t>(format_of(dtype_).bytes);
  switch (dtype_) {
    case DType::f32: { float f; std::memcpy(&f, p, 4); return f; }
    case DType::f64: { double d; std::memcpy(&d, p, 8); return d; }
    case DType::f16: { uint16_t b; std::memcpy(&b, p, 2); return from_f16_bits(b); }
    case DType::bf16: { uint16_t b; std::memcpy(&b, p, 2); return from_bf16_bits(b); }
  }
  return 0;
}

void Buffer::set(std::size_t i, double v) {
  unsigned char* p = bytes_.data() + i * static_cast<std::size_t>(format_of(dtype_).bytes);
  switch (dtype_) {
    case DType::f32: { const float f = static_cast<float>(v); std::memcpy(p, &f, 4); return; }
    case DType::f64: std::memcpy(p, &v, 8); return;
    case DType::f16: { const uint16_t b = f16_bits(v); std::memcpy(p, &b, 2); return; }
    case DType::bf16: { const uint16_t b = bf16_bits(v); std::memcpy(p, &b, 2); return; }
  }
}

std::vector<double> Buffer::values() const {
  std::vector<double> v(n_);
  for (std::size_t i = 0; i < n_; ++i) v[i] = get(i);
  return v;
}

std::string hex(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", x);
  return buf;
}

std::string hex_list(std::span<const double> xs, std::size_t max_items) {
  std::string s = "[";
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (i == max_items && xs.size() > max_items + 1) {
      s += fmt::format(", ... ({} more)", xs.size() - i);
      break;
    }
    if (i) s += ", ";
    s += hex(xs[i]);
  }
  return s + "]";
}

}  // namespace softcheck
