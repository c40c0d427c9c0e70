// Gradient references: the softmax backward pass and fused cross-entropy (loss and gradient).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "oracles/real.hpp"

namespace softcheck::oracle {

// dx = y * (dy - <dy, y>) from the exact y and dy the kernel received (y is the forward output the
// kernel was given, not the exact softmax: the backward kernel is judged on its own inputs).
// <dy, y> is exact (exact_dot: products exact in 106 bits, summed at a precision spanning their
// exponents), dy_j - <dy, y> is exact too, so each dx_j has exactly one rounding, to odd at `bits`:
// relative error < 2^(1-bits), also where dy_j and <dy, y> nearly cancel, and round_to_format of it
// is the correctly rounded dx_j for every format of at most bits - 2 bits. Non-finite inputs
// propagate by IEEE rules (inf - inf and 0 * inf give NaN). Throws std::invalid_argument when the
// sizes differ.
std::vector<Real> softmax_backward(std::span<const double> y, std::span<const double> dy,
                                   unsigned bits);

struct CrossEntropy {
  Real loss;             // lse(x) - x[label] = -log softmax(x)[label]
  std::vector<Real> dx;  // softmax(x) - onehot(label)
};

// loss = (max - x[label]) + log1p(sum_{i != argmax} exp(x_i - max)): both terms >= 0 and the first
// exact, so the loss keeps a relative error <= 5 * 2^-bits even when it is tiny (large margins).
// dx_i = p_i for i != label; dx[label] = -(sum_{i != label} e_i) / sum_i e_i, the complement
// computed directly rather than as p - 1, so it is accurate when p[label] is close to 1 (relative
// error <= 6 * 2^-bits). x[label] = -inf with a finite entry: loss +inf, dx[label] = -1.
// NaN or +inf anywhere, or all -inf: loss and every dx NaN (softmax.hpp's policy).
// Throws std::out_of_range unless 0 <= label < x.size().
CrossEntropy cross_entropy(std::span<const double> x, int64_t label, unsigned bits);

}  // namespace softcheck::oracle
