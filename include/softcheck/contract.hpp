// A kernel's contract: what it computes, how, on which inputs it is specified, and the factors the
// error bound is derived from (properties/error_bound.hpp turns them into tolerances with the
// formulas of docs/error-model.md). Every kernel declares one next to its code.
#pragma once

#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "softcheck/dtype.hpp"
#include "softcheck/op.hpp"

namespace softcheck {

enum class Algorithm {
  naive,          // exp(x_j) / sum exp(x_i): no max shift
  shifted,        // three passes: max, sum exp(x - max), divide
  division_free,  // exp(x_j - lse), lse = max + log(sum)
  online,         // Milakov-Gimelshein: running max with rescaled sum, then a normalising pass
  two_pass,       // Dukhan-Ablavatski: (mantissa, exponent) pairs, one reading pass for the sum
};

// Shape of the reduction tree of the denominator; its height h replaces n in the bounds.
enum class Summation {
  serial,    // recursive: h = n - 1
  k_lane,    // k lanes then a tree: h = ceil(n / k) - 1 + ceil(log2 k)
  pairwise,  // h = ceil(log2 n)
  kahan,     // compensated: 2u + O(n u^2)
};

// What a kernel returns for a row whose every logit is -inf (0/0 mathematically).
enum class MaskedRowPolicy { nan, zero, uniform, unspecified };

// What softmax_temp returns at tau = +inf for a row with -inf logits: a special value, not an
// accuracy question (x / inf is 0 for finite x but NaN for x = -inf).
enum class InfiniteTauPolicy {
  limit,        // the tau -> inf limit: 1/k on the k finite logits, exactly 0 at -inf
  nan,          // NaN everywhere in such a row ((-inf) / inf = NaN enters the sum)
  unspecified,  // not checked
};

struct Domain {
  // Largest logit the kernel is specified for (e.g. an f16 exp must stay below 11.09).
  double max_logit = std::numeric_limits<double>::infinity();
  // Largest log-sum-exp of a row: without a max shift, sum exp(x_i) itself must be finite, so the
  // naive kernel's domain is LSE(x) < ln(max_finite(accum)) (88.72 in f32, 709.78 in f64).
  double max_lse = std::numeric_limits<double>::infinity();
  // Smallest value the largest logit of a row may take (the naive kernel needs exp(max) normal,
  // or the sum underflows); -inf entries are governed by accepts_neg_inf.
  double min_row_max = -std::numeric_limits<double>::infinity();
  bool accepts_neg_inf = true;      // -inf entries (masks) must give exactly 0
  bool propagates_nan = true;       // a NaN or +inf logit must not give a row of finite probabilities
  double min_tau = 0.0;             // softmax_temp: smallest tau, exclusive
};

struct Contract {
  std::string name;  // dtype_op_algorithm__isa, e.g. f32_softmax_shifted__scalar
  Op op = Op::softmax;
  DType dtype = DType::f32;  // storage format of inputs and outputs
  DType accum = DType::f32;  // format of the exp values and the sum
  Algorithm algorithm = Algorithm::shifted;
  Summation summation = Summation::serial;
  int lanes = 1;          // k for k_lane summation
  double exp_ulps = 1.0;  // max error of the exp in accum ulps (glibc expf/exp: < 1 ulp)
  double log_ulps = 1.0;  // max error of the log, for algorithms that take one
  Domain domain;
  MaskedRowPolicy all_masked = MaskedRowPolicy::nan;
  InfiniteTauPolicy infinite_tau = InfiniteTauPolicy::limit;  // softmax_temp only
  bool flushes_subnormals = false;  // results below the smallest normal of accum may be 0
  bool monotone_exp = true;         // exp is monotone, so x_i <= x_j implies y_i <= y_j
  std::string isa = "scalar";
  std::string summary;  // one line for `softcheck list`
};

std::string_view name_of(Algorithm a);
std::string_view name_of(Summation s);
std::string_view name_of(MaskedRowPolicy p);
std::optional<Algorithm> parse_algorithm(std::string_view s);
std::optional<Summation> parse_summation(std::string_view s);
std::optional<MaskedRowPolicy> parse_masked_row_policy(std::string_view s);
std::string_view name_of(InfiniteTauPolicy p);
std::optional<InfiniteTauPolicy> parse_infinite_tau_policy(std::string_view s);

}  // namespace softcheck
