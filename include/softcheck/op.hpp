// The operations of the softmax family that kernels implement.
#pragma once

#include <optional>
#include <string_view>

namespace softcheck {

enum class Op {
  softmax,           // y = exp(x) / sum exp(x), per row
  log_softmax,       // y = x - logsumexp(x)
  softmax_backward,  // dx = y * (dy - <dy, y>)
  cross_entropy,     // loss = logsumexp(x) - x[label], dx = softmax(x) - onehot(label)
  softmax_temp,      // y = softmax(x / tau)
};

inline constexpr Op kAllOps[] = {Op::softmax, Op::log_softmax, Op::softmax_backward,
                                 Op::cross_entropy, Op::softmax_temp};

std::string_view name_of(Op op);
std::optional<Op> parse_op(std::string_view s);

}  // namespace softcheck
