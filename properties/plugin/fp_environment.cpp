#include "properties/plugin/fp_environment.hpp"

#include <fmt/format.h>

#include <cfenv>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#define SOFTCHECK_HAVE_MXCSR 1
#endif

namespace softcheck {
namespace {

#ifdef SOFTCHECK_HAVE_MXCSR
constexpr uint32_t kMxcsrFlags = 0x3f;  // sticky exception flags: not part of the comparison
constexpr uint32_t kMxcsrDefault = 0x1f80;
constexpr uint32_t kFtz = 1u << 15, kDaz = 1u << 6;
#endif

std::string rounding_name(int r) {
  switch (r) {
    case FE_TONEAREST: return "to nearest";
    case FE_UPWARD: return "upward";
    case FE_DOWNWARD: return "downward";
    case FE_TOWARDZERO: return "toward zero";
  }
  return fmt::format("mode {}", r);
}

}  // namespace

FpEnvironment current_fp_environment() {
  FpEnvironment e;
  e.rounding = fegetround();
#ifdef SOFTCHECK_HAVE_MXCSR
  e.control = _mm_getcsr() & ~kMxcsrFlags;
#endif
  return e;
}

void reset_fp_environment() {
  fesetenv(FE_DFL_ENV);
#ifdef SOFTCHECK_HAVE_MXCSR
  _mm_setcsr(kMxcsrDefault);
#endif
}

std::string describe_fp_change(const FpEnvironment& was, const FpEnvironment& now) {
  std::string s;
  if (now.control != was.control) {
#ifdef SOFTCHECK_HAVE_MXCSR
    std::string bits;
    auto flag = [&](uint32_t bit, const char* name) {
      if ((now.control & bit) != (was.control & bit))
        bits += fmt::format("{}{} {}", bits.empty() ? "" : ", ", name,
                            (now.control & bit) ? "set" : "cleared");
    };
    flag(kFtz, "flush-to-zero (FTZ)");
    flag(kDaz, "denormals-are-zero (DAZ)");
    if (bits.empty()) bits = "exception masks or rounding bits changed";
    s = fmt::format("MXCSR {:#06x}, was {:#06x} ({})", now.control, was.control, bits);
#else
    s = fmt::format("control word {:#x}, was {:#x}", now.control, was.control);
#endif
  }
  if (now.rounding != was.rounding)
    s += fmt::format("{}rounding {}, was {}", s.empty() ? "" : "; ", rounding_name(now.rounding),
                     rounding_name(was.rounding));
  return s;
}

}  // namespace softcheck
