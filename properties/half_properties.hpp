// Properties specific to kernels that round to a narrow output format (issue 3): the bias z-test.
// The statistic and the batch it is drawn on are exposed so that tests and reports can measure z
// on any kernel (an f32 one too) without going through RapidCheck.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "properties/generators.hpp"
#include "softcheck/dtype.hpp"

namespace softcheck {

// |z| above this fails the bias property (error-model.md, "Bias").
inline constexpr double kBiasZLimit = 5.0;
// A case needs at least this many counted outputs (error-model.md: N >= 1000 separates RNE from
// truncation: -0.5 / (0.289 / sqrt(1000)) = -55).
inline constexpr std::size_t kBiasMinOutputs = 1000;

// Signed errors (got - exact) / ulp(exact) in the output format's ulps over a batch.
struct BiasStats {
  std::size_t counted = 0;         // N: outputs that enter the mean
  std::size_t skipped_repeat = 0;  // a logit equal to an earlier one of its row: the same error
  std::size_t skipped_exact = 0;   // exact value representable (1 of a single entry, ...): error 0
  std::size_t skipped_tie = 0;     // exact value on a midpoint between two format values
  std::size_t skipped_small = 0;   // exact value below the format's smallest normal (see .cpp)
  std::size_t skipped_nonfinite = 0;  // non-finite input row or output: the accuracy property's job
  double mean = 0, sd = 0;
  std::size_t rows = 0;  // rows with counted outputs
  // Standard errors of the mean: errors taken as independent (sd / sqrt N), and rows taken as
  // clusters (outputs of a row share its sum); z uses the larger, so correlated errors cannot
  // make a correct kernel look biased. For a kernel that rounds once the two agree.
  double se_iid = 0, se_rows = 0;
  double z = 0;             // mean / max(se_iid, se_rows)
  double min = 0, max = 0;  // range of the signed errors
  // Largest shift of the mean that the kernel's own computation before its final rounding could
  // cause, in output ulps: mean over the counted outputs of gamma(K_j) p_j / ulp(p_j) (K_j: the
  // contract's bound factors); only meaningful when the accumulation format is wider than the
  // output's (0 otherwise).
  double accum_shift_bound = 0;
  // Counts of signed errors in 0.25-ulp bins from -1.5 to 1.5; bin 0 and 13 hold the tails.
  std::array<std::size_t, 14> histogram{};
};

// The batch the bias property draws for a kernel: rows of 2..min(64, max_cols) logits N(mu, s),
// mu in [-6, 6], s in [0.25, 3], rounded to the kernel's format and inside its domain, enough rows
// for about 1200 distinct outputs in the normal range. Deterministic in `seed`.
Batch bias_batch(const Contract& c, uint64_t seed, std::size_t max_cols = 64);

// The statistic for the kernel's outputs y on batch b (oracle: MPFR softmax of the exact inputs).
BiasStats bias_stats(const Contract& c, const Batch& b, const Buffer& y);

// One paragraph: mean, sd, N, z, range, histogram, skips, the accumulation allowance.
std::string describe(const BiasStats& s, DType out);

}  // namespace softcheck
