#include "properties/plugin/guarded_buffer.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

namespace softcheck {
namespace {

constexpr unsigned char kCanary = 0xA5;

std::size_t page_size() {
  static const std::size_t p = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return p;
}

// Loads element i of a buffer of `bytes`-wide elements as an integer, for bitwise comparison.
uint64_t element_bits(const void* p, std::size_t bytes, std::size_t i) {
  const auto* b = static_cast<const unsigned char*>(p) + i * bytes;
  switch (bytes) {
    case 2: {
      uint16_t v;
      std::memcpy(&v, b, 2);
      return v;
    }
    case 4: {
      uint32_t v;
      std::memcpy(&v, b, 4);
      return v;
    }
    default: {
      uint64_t v;
      std::memcpy(&v, b, 8);
      return v;
    }
  }
}

}  // namespace

std::size_t GuardedBuffer::region_bytes(std::size_t elem_bytes, std::size_t count) {
  const std::size_t page = page_size();
  return ((elem_bytes * count + page - 1) / page + 2) * page;
}

GuardedBuffer::GuardedBuffer(std::size_t elem_bytes, std::size_t count, GuardPlacement placement)
    : page_(page_size()), elem_bytes_(elem_bytes), count_(count), placement_(placement) {
  map_bytes_ = region_bytes(elem_bytes, count);
  void* m = mmap(nullptr, map_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED)
    throw std::system_error(errno, std::generic_category(), "GuardedBuffer: mmap");
  map_ = static_cast<std::byte*>(m);
  if (mprotect(map_, page_, PROT_NONE) != 0 ||
      mprotect(map_ + map_bytes_ - page_, page_, PROT_NONE) != 0) {
    const int e = errno;
    release();
    throw std::system_error(e, std::generic_category(), "GuardedBuffer: mprotect");
  }
  fill_slack();
}

GuardedBuffer::GuardedBuffer(std::byte* region, std::size_t elem_bytes, std::size_t count,
                             GuardPlacement placement)
    : map_(region),
      map_bytes_(region_bytes(elem_bytes, count)),
      page_(page_size()),
      elem_bytes_(elem_bytes),
      count_(count),
      placement_(placement),
      owned_(false) {
  fill_slack();
}

void GuardedBuffer::fill_slack() {
  std::byte* first = map_ + page_;
  std::byte* last = map_ + map_bytes_ - page_;
  data_ = placement_ == GuardPlacement::end ? last - size_bytes() : first;
  // Only the slack gets the canary: callers fill the data (inputs copied, outputs poisoned).
  std::memset(first, kCanary, static_cast<std::size_t>(data_ - first));
  std::memset(data_ + size_bytes(), kCanary,
              static_cast<std::size_t>(last - (data_ + size_bytes())));
}

GuardedBuffer::~GuardedBuffer() { release(); }

GuardedBuffer::GuardedBuffer(GuardedBuffer&& o) noexcept
    : map_(std::exchange(o.map_, nullptr)),
      map_bytes_(o.map_bytes_),
      page_(o.page_),
      data_(std::exchange(o.data_, nullptr)),
      elem_bytes_(o.elem_bytes_),
      count_(o.count_),
      placement_(o.placement_),
      owned_(o.owned_) {}

GuardedBuffer& GuardedBuffer::operator=(GuardedBuffer&& o) noexcept {
  if (this != &o) {
    release();
    map_ = std::exchange(o.map_, nullptr);
    map_bytes_ = o.map_bytes_;
    page_ = o.page_;
    data_ = std::exchange(o.data_, nullptr);
    elem_bytes_ = o.elem_bytes_;
    count_ = o.count_;
    placement_ = o.placement_;
    owned_ = o.owned_;
  }
  return *this;
}

void GuardedBuffer::release() noexcept {
  if (map_ && owned_) munmap(map_, map_bytes_);
  map_ = nullptr;
}

std::optional<std::ptrdiff_t> GuardedBuffer::guard_offset(const void* addr) const {
  const auto a = reinterpret_cast<std::uintptr_t>(addr);
  const auto lead = reinterpret_cast<std::uintptr_t>(map_);
  const auto trail = lead + map_bytes_ - page_;
  const auto d = reinterpret_cast<std::uintptr_t>(data_);
  if ((a >= lead && a < lead + page_) || (a >= trail && a < trail + page_))
    return static_cast<std::ptrdiff_t>(a - d);  // wraps to a negative offset before the data
  return std::nullopt;
}

void GuardedBuffer::make_read_only() {
  if (owned_ && map_bytes_ > 2 * page_ && mprotect(map_ + page_, map_bytes_ - 2 * page_, PROT_READ) != 0)
    throw std::system_error(errno, std::generic_category(), "GuardedBuffer: mprotect");
}

std::optional<std::ptrdiff_t> GuardedBuffer::page_offset(const void* addr) const {
  const auto a = reinterpret_cast<std::uintptr_t>(addr);
  const auto first = reinterpret_cast<std::uintptr_t>(map_) + page_;
  const auto last = reinterpret_cast<std::uintptr_t>(map_) + map_bytes_ - page_;
  if (a >= first && a < last)
    return static_cast<std::ptrdiff_t>(a - reinterpret_cast<std::uintptr_t>(data_));
  return std::nullopt;
}

std::optional<std::ptrdiff_t> GuardedBuffer::slack_write() const {
  const auto* first = reinterpret_cast<const unsigned char*>(map_ + page_);
  const auto* last = reinterpret_cast<const unsigned char*>(map_ + map_bytes_ - page_);
  const auto* d = reinterpret_cast<const unsigned char*>(data_);
  // Before the data: scan down from the data so the nearest write is reported.
  for (const unsigned char* p = d; p > first;)
    if (*--p != kCanary) return p - d;
  for (const unsigned char* p = d + size_bytes(); p < last; ++p)
    if (*p != kCanary) return p - d;
  return std::nullopt;
}

uint64_t poison_bits(DType t) {
  switch (t) {
    case DType::f32:
      return 0x7fa5a5a5u;
    case DType::f64:
      return 0x7ff4a5a5a5a5a5a5u;
    case DType::f16:
      return 0x7d5au;
    case DType::bf16:
      return 0x7fa5u;
  }
  return 0;
}

void fill_poison(void* p, DType t, std::size_t n) {
  const std::size_t bytes = static_cast<std::size_t>(format_of(t).bytes);
  const uint64_t bits = poison_bits(t);
  auto* b = static_cast<unsigned char*>(p);
  for (std::size_t i = 0; i < n; ++i) {
    switch (bytes) {
      case 2: {
        const auto v = static_cast<uint16_t>(bits);
        std::memcpy(b + 2 * i, &v, 2);
        break;
      }
      case 4: {
        const auto v = static_cast<uint32_t>(bits);
        std::memcpy(b + 4 * i, &v, 4);
        break;
      }
      default:
        std::memcpy(b + 8 * i, &bits, 8);
        break;
    }
  }
}

std::optional<std::size_t> first_poisoned(const void* p, DType t, std::size_t n) {
  const std::size_t bytes = static_cast<std::size_t>(format_of(t).bytes);
  const uint64_t bits = poison_bits(t);
  for (std::size_t i = 0; i < n; ++i)
    if (element_bits(p, bytes, i) == bits) return i;
  return std::nullopt;
}

std::size_t count_poisoned(const void* p, DType t, std::size_t n) {
  const std::size_t bytes = static_cast<std::size_t>(format_of(t).bytes);
  const uint64_t bits = poison_bits(t);
  std::size_t c = 0;
  for (std::size_t i = 0; i < n; ++i) c += element_bits(p, bytes, i) == bits;
  return c;
}

}  // namespace softcheck
