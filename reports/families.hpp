// The input families of a report sweep (issue 7), each aimed at a known failure mode of softmax
// kernels; the reason is written next to each in families.cpp. Rows are drawn deterministically
// from a cell's seed with a portable generator (SplitMix64 and Box-Muller, not <random>'s
// distributions, whose output differs between standard libraries), so a report is reproducible on
// any machine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "softcheck/contract.hpp"

namespace softcheck::reports {

struct FamilyInfo {
  std::string name;
  std::string description;
  // Values drawn from a continuous distribution, so the outputs' rounding errors are spread over
  // the ulp grid and a non-zero mean signed error means a biased rounding. Ties, near-ties, offsets
  // that collapse to a few values in 16-bit formats and the generators' structured rows repeat the
  // same rounding in every row: their mean error is reported but not judged as bias.
  bool random_rounding = false;
};

std::span<const FamilyInfo> families();
std::vector<std::string> family_names();
const FamilyInfo* find_family(std::string_view name);

// `rows` rows of `cols` logits of the family, row-major, each value representable in c.dtype.
// Rows may lie outside c's domain (the sweep counts and skips those). The adversarial family draws
// from properties/generators.hpp, which already fits values into the contract's domain.
// Throws std::invalid_argument for an unknown family.
std::vector<double> draw_family(const Contract& c, std::string_view family, std::size_t rows,
                                std::size_t cols, uint64_t seed);

}  // namespace softcheck::reports
