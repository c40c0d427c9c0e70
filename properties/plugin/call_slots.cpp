#include "properties/plugin/call_slots.hpp"

#include <fmt/format.h>

#include "properties/plugin/fp_environment.hpp"

#include <algorithm>
#include <csignal>
#include <cstring>
#include <stdexcept>

namespace softcheck {
namespace {

std::string element(const Slot& s, std::ptrdiff_t i) {
  if (i < 0 || static_cast<std::size_t>(i) >= s.mem.count())
    return fmt::format("{}[{}]", s.name, i);
  const auto u = static_cast<std::size_t>(i);
  if (s.per_row) return fmt::format("{}[{}] (row {})", s.name, u, u);
  return fmt::format("{}[{}] (row {}, col {})", s.name, u, u / s.cols, u % s.cols);
}

std::string shape(const Slot& s, const Call& c) {
  if (s.per_row) return fmt::format("{} holds {} element(s), one per row", s.name, c.rows);
  return fmt::format("{} holds {} x {} element(s)", s.name, c.rows, c.cols);
}

// Element i of `base` (a buffer laid out like slot s) as text: hex float, or integer for labels.
std::string element_text(const Slot& s, const void* base, std::size_t i) {
  const auto* p = static_cast<const unsigned char*>(base) + i * s.mem.elem_bytes();
  if (!s.dtype) {
    int64_t v;
    std::memcpy(&v, p, sizeof v);
    return std::to_string(v);
  }
  Buffer one(*s.dtype, 1);
  std::memcpy(one.data(), p, one.size_bytes());
  return hex(one.get(0));
}

// "write 4 bytes past the end of output y: y[1000] ..." for a byte offset from the slot's data.
std::string describe_out_of_bounds(const Slot& s, const Call& c, std::ptrdiff_t off,
                                   Access access) {
  const auto size = static_cast<std::ptrdiff_t>(s.mem.size_bytes());
  const auto elem = static_cast<std::ptrdiff_t>(s.mem.elem_bytes());
  const char* verb = access == Access::read ? "read" : access == Access::write ? "write" : "access";
  const char* kind = s.input ? "input" : "output";
  if (off >= size) {
    const std::ptrdiff_t past = off - size;
    return fmt::format("{} past the end of {} {}: {}, {}; {}", verb, kind, s.name,
                       element(s, static_cast<std::ptrdiff_t>(s.mem.count()) + past / elem),
                       past == 0 ? std::string("right after its last element")
                                 : fmt::format("{} byte(s) after its last element", past),
                       shape(s, c));
  }
  const std::ptrdiff_t before = -off;
  return fmt::format("{} before the start of {} {}: {}, {} byte(s) before its first element; {}",
                     verb, kind, s.name, element(s, -((before + elem - 1) / elem)), before,
                     shape(s, c));
}

}  // namespace

std::string call_shape(const Call& c) { return fmt::format("rows {} x cols {}", c.rows, c.cols); }

std::string signal_name(int sig) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  if (const char* abbrev = sigabbrev_np(sig))
    return fmt::format("SIG{} ({})", abbrev, strsignal(sig));
#endif
  return fmt::format("signal {} ({})", sig, strsignal(sig));
}

void validate_call(const Kernel& k, const Call& c, const char* who) {
  auto fail = [&](const std::string& what) {
    throw std::invalid_argument(fmt::format("{}: kernel {}: {}", who, k.contract.name, what));
  };
  if (k.contract.op != c.op)
    fail(fmt::format("call is for op {}, kernel implements {}", name_of(c.op),
                     name_of(k.contract.op)));
  if (k.contract.dtype != c.dtype)
    fail(
        fmt::format("call is in {}, kernel takes {}", name_of(c.dtype), name_of(k.contract.dtype)));
  const bool kind_ok = [&] {
    switch (c.op) {
      case Op::softmax:
      case Op::log_softmax:
        return std::holds_alternative<RowwiseFn>(k.entry);
      case Op::softmax_temp:
        return std::holds_alternative<TemperatureFn>(k.entry);
      case Op::softmax_backward:
        return std::holds_alternative<BackwardFn>(k.entry);
      case Op::cross_entropy:
        return std::holds_alternative<CrossEntropyFn>(k.entry);
    }
    return false;
  }();
  if (!kind_ok) fail("entry point kind does not match its op");
  const bool null_entry = std::visit([](auto fn) { return fn == nullptr; }, k.entry);
  if (null_entry) fail("entry point is null");
  if (c.rows == 0 || c.cols == 0) fail("rows and cols must be >= 1 (kernel_abi.h)");
  const std::size_t n = c.rows * c.cols;
  if (c.a.dtype() != c.dtype || c.a.size() != n)
    fail(fmt::format("input a must hold {} {} values", n, name_of(c.dtype)));
  if (c.op == Op::softmax_backward && (c.b.dtype() != c.dtype || c.b.size() != n))
    fail(fmt::format("input b (dy) must hold {} {} values", n, name_of(c.dtype)));
  if (c.op == Op::cross_entropy && c.labels.size() != c.rows)
    fail(fmt::format("labels must hold {} values", c.rows));
}

PlacedCall place_call(const Call& c, const BufferMaker& make) {
  const std::size_t n = c.rows * c.cols;
  const auto elem = static_cast<std::size_t>(format_of(c.dtype).bytes);
  PlacedCall placed;
  std::vector<Slot>& slots = placed.slots;
  slots.reserve(5);
  // A buffer of rows x cols elements, or of one element per row (per_row).
  auto add = [&](std::string name, bool input, std::optional<DType> dt, bool per_row,
                 const void* src) -> void* {
    const std::size_t bytes = dt ? elem : sizeof(int64_t);
    const std::size_t count = per_row ? c.rows : n;
    Slot& s = slots.emplace_back(
        Slot{std::move(name), input, dt, per_row, c.cols, src, make(bytes, count)});
    if (src) {
      std::memcpy(s.mem.data(), src, s.mem.size_bytes());
      // A write to an input faults at the store, so even a kernel that restores what it wrote
      // (x as scratch space) is caught.
      s.mem.make_read_only();
    } else {
      fill_poison(s.mem.data(), *dt, count);
    }
    return s.mem.data();
  };
  Pointers& p = placed.p;
  switch (c.op) {
    case Op::softmax:
    case Op::log_softmax:
    case Op::softmax_temp:
      p.a = add("x", true, c.dtype, false, c.a.data());
      p.y = add("y", false, c.dtype, false, nullptr);
      break;
    case Op::softmax_backward:
      p.a = add("y", true, c.dtype, false, c.a.data());
      p.b = add("dy", true, c.dtype, false, c.b.data());
      p.y = add("dx", false, c.dtype, false, nullptr);
      break;
    case Op::cross_entropy:
      p.a = add("x", true, c.dtype, false, c.a.data());
      p.labels =
          static_cast<const int64_t*>(add("labels", true, std::nullopt, true, c.labels.data()));
      p.loss = add("loss", false, c.dtype, true, nullptr);
      p.y = add("dx", false, c.dtype, false, nullptr);
      break;
  }
  return placed;
}

CallResult classify_fault(const std::vector<Slot>& slots, const Call& c, const void* addr,
                          Access access, int signo) {
  CallResult r;
  for (const Slot& s : slots) {
    if (auto off = s.mem.guard_offset(addr)) {
      r.status = CallStatus::out_of_bounds;
      r.reason = describe_out_of_bounds(s, c, *off, access);
      return r;
    }
    // Inputs are read-only: a fault inside their pages is a store.
    if (auto off = s.mem.page_offset(addr); off && s.input) {
      const auto size = static_cast<std::ptrdiff_t>(s.mem.size_bytes());
      if (*off < 0 || *off >= size) {
        r.status = CallStatus::out_of_bounds;
        r.reason = describe_out_of_bounds(s, c, *off, Access::write);
        return r;
      }
      const auto i = static_cast<std::size_t>(*off) / s.mem.elem_bytes();
      r.status = CallStatus::wrote_input;
      r.reason = fmt::format(
          "kernel wrote to input {}: a store to {}, which holds {}, faulted (inputs are "
          "read-only during the call; {})",
          s.name, element(s, static_cast<std::ptrdiff_t>(i)), element_text(s, s.original, i),
          call_shape(c));
      return r;
    }
  }
  r.status = CallStatus::crashed;
  r.reason = fmt::format("kernel crashed with {} at address {} (outside every buffer; {})",
                         signal_name(signo), addr, call_shape(c));
  return r;
}

CallResult check_returned(const std::vector<Slot>& slots, const Call& c) {
  CallResult r;
  for (const Slot& s : slots) {
    if (auto off = s.mem.slack_write()) {
      r.status = CallStatus::out_of_bounds;
      r.reason = describe_out_of_bounds(s, c, *off, Access::write) +
                 " (found after the call, beside the guard page)";
      return r;
    }
  }
  // Inputs are read-only, so this only fires if the kernel lifted the protection (mprotect).
  for (const Slot& s : slots) {
    if (!s.input || std::memcmp(s.mem.data(), s.original, s.mem.size_bytes()) == 0) continue;
    const auto* now = static_cast<const unsigned char*>(s.mem.data());
    const auto* was = static_cast<const unsigned char*>(s.original);
    const std::size_t eb = s.mem.elem_bytes();
    std::size_t first = s.mem.count(), changed = 0;
    for (std::size_t i = 0; i < s.mem.count(); ++i) {
      if (std::memcmp(now + i * eb, was + i * eb, eb) != 0) {
        first = std::min(first, i);
        ++changed;
      }
    }
    r.status = CallStatus::wrote_input;
    r.reason = fmt::format(
        "kernel wrote to input {}: {} was {}, is now {}; {} of {} element(s) changed ({})", s.name,
        element(s, static_cast<std::ptrdiff_t>(first)), element_text(s, was, first),
        element_text(s, now, first), changed, s.mem.count(), call_shape(c));
    return r;
  }
  for (const Slot& s : slots) {
    if (s.input) continue;
    if (auto i = first_poisoned(s.mem.data(), *s.dtype, s.mem.count())) {
      r.status = CallStatus::left_unwritten;
      r.reason = fmt::format(
          "kernel left output {} unwritten: it still holds the poison pattern {:#x}; {} of {} "
          "element(s) of {} unwritten ({})",
          element(s, static_cast<std::ptrdiff_t>(*i)), poison_bits(*s.dtype),
          count_poisoned(s.mem.data(), *s.dtype, s.mem.count()), s.mem.count(), s.name,
          call_shape(c));
      return r;
    }
  }
  return r;
}

CallResult check_fp_environment(const FaultRecord& record, const Call& c) {
  CallResult r;
  const FpEnvironment before{record.fp_rounding_before, record.fp_control_before};
  const FpEnvironment after{record.fp_rounding_after, record.fp_control_after};
  if (after == before) return r;
  r.status = CallStatus::changed_fp_environment;
  r.reason = fmt::format(
      "kernel returned with a changed floating-point environment: {} (a kernel must restore the "
      "caller's rounding mode and flush bits, or every computation after it changes; {})",
      describe_fp_change(before, after), call_shape(c));
  return r;
}

void copy_outputs(const PlacedCall& placed, const Call& c, CallResult& r) {
  r.out = allocate_outputs(c);
  std::memcpy(r.out.y.data(), placed.p.y, r.out.y.size_bytes());
  if (placed.p.loss) std::memcpy(r.out.loss.data(), placed.p.loss, r.out.loss.size_bytes());
}

}  // namespace softcheck
