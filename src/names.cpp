// Names of the enums of include/softcheck, as used by the CLI, reports and JSON.
#include <array>
#include <utility>

#include "softcheck/contract.hpp"
#include "softcheck/op.hpp"

namespace softcheck {
namespace {

template <typename E, std::size_t N>
std::string_view lookup(const std::array<std::pair<E, std::string_view>, N>& table, E e) {
  for (auto& [k, v] : table)
    if (k == e) return v;
  return "?";
}

template <typename E, std::size_t N>
std::optional<E> reverse(const std::array<std::pair<E, std::string_view>, N>& table,
                         std::string_view s) {
  for (auto& [k, v] : table)
    if (v == s) return k;
  return std::nullopt;
}

constexpr std::array<std::pair<Op, std::string_view>, 5> kOps{{
    {Op::softmax, "softmax"},
    {Op::log_softmax, "log_softmax"},
    {Op::softmax_backward, "softmax_backward"},
    {Op::cross_entropy, "cross_entropy"},
    {Op::softmax_temp, "softmax_temp"},
}};
constexpr std::array<std::pair<Algorithm, std::string_view>, 5> kAlgorithms{{
    {Algorithm::naive, "naive"},
    {Algorithm::shifted, "shifted"},
    {Algorithm::division_free, "division_free"},
    {Algorithm::online, "online"},
    {Algorithm::two_pass, "two_pass"},
}};
constexpr std::array<std::pair<Summation, std::string_view>, 4> kSummations{{
    {Summation::serial, "serial"},
    {Summation::k_lane, "k_lane"},
    {Summation::pairwise, "pairwise"},
    {Summation::kahan, "kahan"},
}};
constexpr std::array<std::pair<MaskedRowPolicy, std::string_view>, 4> kPolicies{{
    {MaskedRowPolicy::nan, "nan"},
    {MaskedRowPolicy::zero, "zero"},
    {MaskedRowPolicy::uniform, "uniform"},
    {MaskedRowPolicy::unspecified, "unspecified"},
}};
constexpr std::array<std::pair<InfiniteTauPolicy, std::string_view>, 3> kTauPolicies{{
    {InfiniteTauPolicy::limit, "limit"},
    {InfiniteTauPolicy::nan, "nan"},
    {InfiniteTauPolicy::unspecified, "unspecified"},
}};

}  // namespace

std::string_view name_of(Op op) { return lookup(kOps, op); }
std::optional<Op> parse_op(std::string_view s) { return reverse(kOps, s); }
std::string_view name_of(Algorithm a) { return lookup(kAlgorithms, a); }
std::optional<Algorithm> parse_algorithm(std::string_view s) { return reverse(kAlgorithms, s); }
std::string_view name_of(Summation s) { return lookup(kSummations, s); }
std::optional<Summation> parse_summation(std::string_view s) { return reverse(kSummations, s); }
std::string_view name_of(MaskedRowPolicy p) { return lookup(kPolicies, p); }
std::optional<MaskedRowPolicy> parse_masked_row_policy(std::string_view s) {
  return reverse(kPolicies, s);
}
std::string_view name_of(InfiniteTauPolicy p) { return lookup(kTauPolicies, p); }
std::optional<InfiniteTauPolicy> parse_infinite_tau_policy(std::string_view s) {
  return reverse(kTauPolicies, s);
}

}  // namespace softcheck
