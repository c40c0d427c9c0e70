// The floating-point environment a kernel is called in, and what it leaves behind.
//
// Every call starts from the default environment (round to nearest, no flush-to-zero, no
// denormals-are-zero, exceptions masked: the C runtime's FE_DFL_ENV and MXCSR 0x1f80 on x86), so a
// kernel, its library's constructor or an earlier call cannot make a later call or the oracle run
// under other rules. A kernel that returns with a different rounding mode or flush bits would
// change every computation of its caller after it; that is a defect of the kernel and is reported.
// Sticky exception flags are not compared: raising inexact or overflow is what softmax does.
#pragma once

#include <cstdint>
#include <string>

namespace softcheck {

struct FpEnvironment {
  int rounding = 0;      // fegetround()
  uint32_t control = 0;  // x86: MXCSR without the sticky flag bits 0-5; elsewhere 0

  bool operator==(const FpEnvironment&) const = default;
};

FpEnvironment current_fp_environment();
// Round to nearest, MXCSR 0x1f80 (FTZ and DAZ clear, every exception masked), flags cleared.
void reset_fp_environment();
// "MXCSR 0x9fc0 (FTZ, DAZ) and rounding upward": what `now` differs in from `was`.
std::string describe_fp_change(const FpEnvironment& was, const FpEnvironment& now);

}  // namespace softcheck
