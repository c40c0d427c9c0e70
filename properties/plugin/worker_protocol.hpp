// What softcheck and its softcheck-worker process exchange (worker_invoker.hpp, worker_main.cpp).
//
// - fd 3 of the worker: a stream socket. The worker sends one hello frame (a length-prefixed JSON
//   text: the kernels it loaded, or the loading error), then answers each CallRequest with a
//   CallReply, both fixed-size structs.
// - fd 4: a memfd, the arena both map. Page 0 holds the ControlPage; the guarded buffers of a call
//   follow it (guard page, data pages, guard page per buffer, laid out by softcheck). The worker
//   applies the protections in its own mapping before each call: guard pages inaccessible, input
//   pages read-only.
// Both run the same build, so the structs need no versioning.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "properties/plugin/fault_record.hpp"

namespace softcheck::worker {

inline constexpr int kChannelFd = 3;
inline constexpr int kArenaFd = 4;
inline constexpr uint64_t kNoBuffer = ~uint64_t{0};
inline constexpr std::size_t kMaxSlots = 5;  // cross_entropy: x, labels, loss, dx
// Exit status of a worker that could not load the plugin (after sending the error in its hello).
inline constexpr int kLoadFailedExitStatus = 2;
// Exit status of a worker that received a request it could not follow: a defect of softcheck,
// never reported as one of the kernel.
inline constexpr int kProtocolErrorExitStatus = 118;

struct ControlPage {
  FaultRecord fault;
  volatile uintptr_t worker_base;  // where the worker has the arena mapped, for fault addresses
  volatile uint64_t worker_bytes;
};

struct SlotLayout {
  uint64_t region_offset = 0, region_bytes = 0;  // guard page + data pages + guard page
  uint32_t input = 0;                            // 1: data pages read-only
};

enum class RequestKind : uint32_t { call = 1, quit = 2 };

struct CallRequest {
  RequestKind kind = RequestKind::call;
  uint32_t kernel = 0;  // index in the hello's kernel list
  uint32_t op = 0;      // softcheck::Op
  uint32_t slot_count = 0;
  uint64_t rows = 0, cols = 0;
  double tau = 1.0;
  uint64_t arena_bytes = 0;  // the worker maps at least this much before the call
  SlotLayout slots[kMaxSlots];
  // Arena offsets of the pointers the entry point gets (kNoBuffer: none).
  uint64_t a = kNoBuffer, b = kNoBuffer, labels = kNoBuffer, y = kNoBuffer, loss = kNoBuffer;
};

struct CallReply {
  uint32_t returned = 0;  // 1: the entry point returned (FP environment in the ControlPage)
  uint32_t leftover_processes = 0;
  char leftover[512] = {};  // "pid 1234 (sleep)"..., already killed by the worker
};

// Whole-buffer socket I/O that retries on EINTR and short transfers; false on EOF or error
// (never SIGPIPE).
bool write_all(int fd, const void* p, std::size_t n);
bool read_all(int fd, void* p, std::size_t n);
bool write_frame(int fd, const std::string& text);
std::optional<std::string> read_frame(int fd);

}  // namespace softcheck::worker

#include <vector>

#include "properties/plugin/plugin_library.hpp"

namespace softcheck::worker {

// The hello frame: the kernels the worker serves, in request index order, or why it could not.
struct Hello {
  std::string error;  // empty: loaded
  std::vector<KernelDescFields> kernels;
};
std::string encode_hello(const Hello& h);
// std::nullopt for a frame that is not a hello.
std::optional<Hello> decode_hello(const std::string& text);

}  // namespace softcheck::worker
