// A buffer placed against an inaccessible page (mmap + mprotect PROT_NONE), so that a kernel that
// reads or writes one element past the end (or before the start) faults at once.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace softcheck::test {

class GuardedBuffer {
 public:
  enum class Guard { after, before };

  GuardedBuffer(std::size_t bytes, Guard guard) : bytes_(bytes) {
    const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    const std::size_t data_pages = (bytes + page - 1) / page;
    map_bytes_ = (data_pages + 1) * page;
    void* m = mmap(nullptr, map_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) throw std::runtime_error("mmap failed");
    map_ = static_cast<unsigned char*>(m);
    if (guard == Guard::after) {
      unsigned char* guard_page = map_ + data_pages * page;
      if (mprotect(guard_page, page, PROT_NONE) != 0) throw std::runtime_error("mprotect failed");
      data_ = guard_page - bytes;  // the last element ends where the guard page begins
    } else {
      if (mprotect(map_, page, PROT_NONE) != 0) throw std::runtime_error("mprotect failed");
      data_ = map_ + page;  // the first element starts where the guard page ends
    }
  }
  ~GuardedBuffer() { munmap(map_, map_bytes_); }
  GuardedBuffer(const GuardedBuffer&) = delete;
  GuardedBuffer& operator=(const GuardedBuffer&) = delete;

  void* data() { return data_; }
  std::size_t size_bytes() const { return bytes_; }
  void fill_from(const void* src) { std::memcpy(data_, src, bytes_); }

 private:
  unsigned char* map_ = nullptr;
  unsigned char* data_ = nullptr;
  std::size_t map_bytes_ = 0;
  std::size_t bytes_ = 0;
};

}  // namespace softcheck::test
