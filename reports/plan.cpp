#include "reports/plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <stdexcept>

#include "reports/families.hpp"

namespace softcheck::reports {
namespace {

// Log-spaced lengths (powers of two and a few decades) and the edges of SIMD tiles and unrolls,
// where vector bodies and scalar tails meet (XNNPACK tests n = T - 1, T, T + 1).
std::vector<std::size_t> default_cols() {
  std::vector<std::size_t> c;
  for (std::size_t n = 1; n <= 65536; n *= 2) c.push_back(n);
  for (std::size_t t : {4, 8, 16, 32, 64, 128, 256, 4096}) {
    c.push_back(t - 1);
    c.push_back(t + 1);
  }
  for (std::size_t n : {10, 100, 1000, 10000}) c.push_back(n);
  std::sort(c.begin(), c.end());
  c.erase(std::unique(c.begin(), c.end()), c.end());
  return c;
}

uint64_t splitmix(uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::optional<std::size_t> parse_size(std::string_view s) {
  std::size_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

}  // namespace

Plan default_plan() {
  Plan p;
  p.name = "default";
  p.families = family_names();
  p.cols = default_cols();
  p.elements_per_cell = 2048;
  p.max_rows = 2048;
  return p;
}

Plan quick_plan() {
  Plan p;
  p.name = "quick";
  p.families = family_names();
  p.cols = {1, 3, 8, 17, 33, 64, 100, 1000, 4097};
  p.elements_per_cell = 512;
  p.max_rows = 512;
  return p;
}

std::size_t rows_for(const Plan& p, std::size_t cols) {
  const std::size_t c = std::max<std::size_t>(cols, 1);
  return std::clamp<std::size_t>((p.elements_per_cell + c - 1) / c, 1,
                                 std::max<std::size_t>(p.max_rows, 1));
}

uint64_t cell_seed(const Plan& p, std::string_view family, std::size_t cols) {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a of the family name
  for (char ch : family) h = (h ^ static_cast<unsigned char>(ch)) * 0x100000001b3ull;
  return splitmix(splitmix(p.seed ^ h) ^ cols);
}

std::string inputs_fingerprint(const Plan& p) {
  return fmt::format("seed={:#x};elements_per_cell={};max_rows={}", p.seed, p.elements_per_cell,
                     p.max_rows);
}

std::optional<Shard> parse_shard(std::string_view s) {
  const auto slash = s.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto i = parse_size(s.substr(0, slash));
  const auto n = parse_size(s.substr(slash + 1));
  if (!i || !n || *n == 0 || *i >= *n) return std::nullopt;
  return Shard{*i, *n};
}

std::optional<Shard> shard_from_environment() {
  const char* index = std::getenv("GTEST_SHARD_INDEX");
  const char* total = std::getenv("GTEST_TOTAL_SHARDS");
  if (!index && !total) return std::nullopt;
  if (!index || !total)
    throw std::invalid_argument("GTEST_SHARD_INDEX and GTEST_TOTAL_SHARDS must be set together");
  const auto s = parse_shard(fmt::format("{}/{}", index, total));
  if (!s)
    throw std::invalid_argument(fmt::format(
        "invalid GTEST_SHARD_INDEX={} / GTEST_TOTAL_SHARDS={} (need 0 <= index < total)", index,
        total));
  return s;
}

}  // namespace softcheck::reports
