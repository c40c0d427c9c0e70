// Highway target selection shared by every translation unit of impl/simd (included before any
// Highway header). Highway compiles, on x86-64, AVX3 (AVX-512 F/VL/DQ/BW), AVX2 (+FMA, F16C), SSE4,
// SSSE3 and a portable fallback (EMU128, or HWY_SCALAR with GCC < 12.3); SSSE3 is left out: SSE4
// already covers the 128-bit case, and each compiled target is one more kernel per op for the
// property catalogue to check.
#pragma once

#ifndef HWY_DISABLED_TARGETS
#define HWY_DISABLED_TARGETS HWY_SSSE3
#endif
