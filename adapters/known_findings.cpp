// Failures of peers that no contract flag can accept (not a policy choice but a wrong result),
// as reviewed data: tests/adapters expects exactly these with the CI seed, docs/findings.md
// explains each with the command that reproduces it.
#include <vector>

#include "adapters/peer_kernels.hpp"

namespace softcheck {

namespace {

// oneDNN's jit log-softmax: log(sum) comes from a polynomial log whose absolute error near 1 is
// about 1.4e-6, so a row whose sum is 1 (one logit, or a dominant one) gets log-probability
// +0x1.8p-20 > 0; every log-softmax property sees the same defect.
constexpr const char* kOnednnLog =
    "oneDNN log-softmax returns +0x1.8p-20 (a positive log-probability) for x = [0]: the jit "
    "log's absolute error near 1 is ~1.4e-6";
// oneDNN bf16 softmax: outputs up to 1.4 ulp_bf16 from the exact value (0.5 is the limit for a
// result computed in f32 and rounded once): x = [0, 0x1.02p-9] gives 0x1.fep-2 for 0x1p-1.
constexpr const char* kOnednnBf16 =
    "oneDNN bf16 softmax is not rounded once from f32: x = [0, 0x1.02p-9] gives 0x1.fep-2 where "
    "the exact 0.4995 rounds to 0x1p-1 (errors up to 1.4 ulp_bf16)";
// libtorch bf16 log-softmax: log(sum) is rounded to bf16 before the subtraction, a double
// rounding that costs up to 1 ulp near -log 2 and hundreds of ulps where x_j - max and log(sum)
// cancel.
constexpr const char* kTorchBf16Log =
    "libtorch bf16 log-softmax rounds log(sum) to bf16 before subtracting: x = [0, 0x1.bep-12] "
    "gives -0x1.62p-1 for -0x1.64p-1 (1 ulp); up to 256 ulp_bf16 where terms cancel";
// libtorch cross-entropy's gradient is exp(log_softmax(x)) - onehot (autograd through
// _log_softmax_backward_data): exp amplifies log-softmax's absolute error |l_j| u, beyond the
// max-shifted softmax bound the cross-entropy contract derives (a division-free form).
constexpr const char* kTorchCeDx =
    "libtorch cross-entropy dx = exp(log_softmax) - onehot exceeds the max-shifted bound by up to "
    "1.7x on rows with widely spread logits (error grows with |x_j - lse|)";

}  // namespace

std::span<const KnownFinding> known_peer_findings() {
  static const std::vector<KnownFinding> findings = {
      {"bf16_softmax_shifted__onednn", "accuracy", kOnednnBf16},
      {"f32_log_softmax_shifted__onednn", "log_softmax_nonpositive", kOnednnLog},
      {"f32_log_softmax_shifted__onednn", "log_softmax_exp_agrees", kOnednnLog},
      {"f32_log_softmax_shifted__onednn", "log_softmax_accuracy", kOnednnLog},
      {"f32_log_softmax_shifted__onednn", "log_softmax_large_offset", kOnednnLog},
      {"f32_log_softmax_shifted__onednn", "log_softmax_special_values", kOnednnLog},
      {"bf16_log_softmax_shifted__onednn", "log_softmax_nonpositive", kOnednnLog},
      {"bf16_log_softmax_shifted__onednn", "log_softmax_exp_agrees", kOnednnLog},
      {"bf16_log_softmax_shifted__onednn", "log_softmax_accuracy", kOnednnLog},
      {"bf16_log_softmax_shifted__onednn", "log_softmax_large_offset", kOnednnLog},
      {"bf16_log_softmax_shifted__torch", "log_softmax_accuracy", kTorchBf16Log},
      {"bf16_log_softmax_shifted__torch", "log_softmax_exp_agrees", kTorchBf16Log},
      {"bf16_log_softmax_shifted__torch", "log_softmax_large_offset", kTorchBf16Log},
      {"f32_cross_entropy_shifted__torch", "cross_entropy_dx_accuracy", kTorchCeDx},
      {"f64_cross_entropy_shifted__torch", "cross_entropy_dx_accuracy", kTorchCeDx},
  };
  return findings;
}

}  // namespace softcheck
