// Two BASELINE checkers, for comparison only: the closeness checks most softmax kernels are
// validated with today (shared/docs/peers.md, "How existing projects test softmax"). They are not
// part of softcheck's catalogue; softcheck_baselines runs the gallery through them and through
// softcheck's defaults (docs/findings.md, "Why not allclose?").
//
//  - allclose_baseline: torch.allclose(out, ref, atol=1e-2, rtol=1e-2) on 5 batches of randn
//    logits, 16 rows x 16384 cols (the check LLM-kernel benchmarks such as KernelBench use).
//  - assert_close_baseline: torch.testing.assert_close's per-dtype defaults (rtol, atol: f16 1e-3,
//    1e-5; bf16 1.6e-2, 1e-5; f32 1.3e-6, 1e-5; f64 1e-7, 1e-7) on uniform [-9, 9) logits of the
//    small shapes of PyTorch's OpInfo samples: a scalar (1 x 1), 5 x 5 and 5 x 10 x 5 (50 x 5).
//
// Both compare |got - ref| <= atol + rtol |ref| elementwise, NaN never equal (equal_nan=False),
// against the MPFR oracle (a better reference than torch's own f32 one, so a baseline misses
// nothing through its reference). They see output values only, as those tests do: no guard pages,
// no input checksums, no poisoned outputs (outputs start as zeros, like fresh pages).
#pragma once

#include <string>

#include "softcheck/kernel.hpp"

namespace softcheck::mutants {

struct BaselineVerdict {
  bool caught = false;
  std::string detail;  // the first mismatch (index, got, expected), or what was compared
};

BaselineVerdict allclose_baseline(const Kernel& k);
BaselineVerdict assert_close_baseline(const Kernel& k);

}  // namespace softcheck::mutants
