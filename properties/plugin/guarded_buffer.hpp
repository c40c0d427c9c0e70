// Memory for calling untrusted kernels (issue 6, "Safety of the harness").
//
// A GuardedBuffer lies between two PROT_NONE pages, so an access one element outside it faults
// instead of silently reading a neighbour (peers.md: XNNPACK pads its inputs, so over-reads are
// never caught there). With GuardPlacement::end the data ends exactly at the trailing guard page
// (over-reads and over-writes fault); with GuardPlacement::start it begins right after the leading
// guard page (under-reads and under-writes fault). The rest of the data pages (the slack on the
// other side) is filled with a canary byte, so a write there is still detected after the call.
//
// The mapping is MAP_SHARED | MAP_ANONYMOUS: made before fork(), it is the same memory in the child
// that runs the kernel and in the parent that reads the results. A GuardedBuffer can also be laid
// out in memory the caller maps (the worker's shared arena, worker_invoker.hpp): then it neither
// maps nor protects anything itself, and the process that runs the kernel protects the guard pages
// and the inputs in its own mapping of the same pages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "softcheck/dtype.hpp"

namespace softcheck {

enum class GuardPlacement {
  end,    // data ends at the trailing guard page: catches reads and writes past the end
  start,  // data starts after the leading guard page: catches reads and writes before the start
};

class GuardedBuffer {
 public:
  GuardedBuffer(std::size_t elem_bytes, std::size_t count, GuardPlacement placement);
  // Lays the buffer out in `region` (region_bytes(elem_bytes, count) bytes, page-aligned, owned by
  // the caller): guard page, data pages, guard page. Nothing is mapped or protected here.
  GuardedBuffer(std::byte* region, std::size_t elem_bytes, std::size_t count,
                GuardPlacement placement);
  static std::size_t region_bytes(std::size_t elem_bytes, std::size_t count);
  ~GuardedBuffer();
  GuardedBuffer(GuardedBuffer&& o) noexcept;
  GuardedBuffer& operator=(GuardedBuffer&& o) noexcept;
  GuardedBuffer(const GuardedBuffer&) = delete;
  GuardedBuffer& operator=(const GuardedBuffer&) = delete;

  void* data() { return data_; }
  const void* data() const { return data_; }
  std::size_t count() const { return count_; }
  std::size_t elem_bytes() const { return elem_bytes_; }
  std::size_t size_bytes() const { return count_ * elem_bytes_; }
  GuardPlacement placement() const { return placement_; }
  // The whole layout: leading guard page, data pages, trailing guard page.
  const std::byte* region() const { return map_; }
  std::size_t region_size() const { return map_bytes_; }

  // Makes the data pages (data and slack) read-only, in this process and in children forked after.
  // A no-op for a buffer laid out in caller-owned memory.
  void make_read_only();

  // If addr lies in one of the two guard pages: its byte offset from data(), negative before the
  // start, >= size_bytes() past the end.
  std::optional<std::ptrdiff_t> guard_offset(const void* addr) const;
  // If addr lies in the data pages (the data or the slack beside it): its byte offset from data().
  std::optional<std::ptrdiff_t> page_offset(const void* addr) const;
  // The slack byte nearest to the data that no longer holds the canary, as an offset from data()
  // (same sign convention); nullopt if the slack is intact.
  std::optional<std::ptrdiff_t> slack_write() const;

 private:
  void release() noexcept;
  void fill_slack();

  std::byte* map_ = nullptr;  // leading guard page, data pages, trailing guard page
  std::size_t map_bytes_ = 0;
  std::size_t page_ = 0;
  std::byte* data_ = nullptr;
  std::size_t elem_bytes_ = 0, count_ = 0;
  GuardPlacement placement_ = GuardPlacement::end;
  bool owned_ = true;  // mapped (and unmapped) by this object
};

// Poison for outputs: a signalling NaN with a payload in the output format. Arithmetic never
// produces it (a computed NaN is quiet, and copying a signalling NaN through an operation quiets
// it), so an element still holding it after the call was never written. Compared bitwise.
//   f32 0x7fa5a5a5, f64 0x7ff4a5a5a5a5a5a5, f16 0x7d5a, bf16 0x7fa5
uint64_t poison_bits(DType t);
void fill_poison(void* p, DType t, std::size_t n);
std::optional<std::size_t> first_poisoned(const void* p, DType t, std::size_t n);
std::size_t count_poisoned(const void* p, DType t, std::size_t n);

}  // namespace softcheck
