#include "reports/families.hpp"

#include <rapidcheck.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

#include "properties/generators.hpp"

namespace softcheck::reports {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// SplitMix64 (Steele, Lea, Flood 2014): tiny, portable, good enough for test inputs.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1p-53; }  // [0, 1)
  double uniform(double a, double b) { return a + (b - a) * uniform(); }
  std::size_t index(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  double normal() {  // Box-Muller; 1 - uniform() is in (0, 1], so the log is finite
    const double u1 = 1.0 - uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
  }

 private:
  uint64_t s_;
};

const std::vector<FamilyInfo> kFamilies{
    {"normal-s1", "N(0, 1): ordinary logits; summation error grows with the length", true},
    {"normal-s10", "N(0, 10): exp arguments down to about -100, where f32 exp becomes subnormal",
     true},
    {"normal-s100", "N(0, 100): most exps underflow to subnormals or 0; one entry dominates", true},
    {"offset+1e4",
     "1e4 + N(0, 3): an unshifted exp overflows; |lse| ~ 1e4 feeds the division-free "
     "form's |lse| u term"},
    {"offset-1e4",
     "-1e4 + N(0, 3): every unshifted exp underflows; x - (max + log sum) cancels in "
     "log-softmax"},
    {"masked",
     "N(0, 3) with -inf masks (10%, 50% or 90% of a row; every 16th row fully masked, "
     "where the contract's all-masked policy applies)",
     true},
    {"near-ties",
     "c + k ulps, |k| <= 4: equal and adjacent values (ties give 1/k shares; order "
     "must be preserved)"},
    {"adversarial",
     "rows of the property generators (properties/generators.hpp: near-overflow, "
     "wide-range, dominant, ties...) repeated to the cell's length"},
};

double to_format(DType t, double v) { return round_to(t, v); }

void normal_rows(Rng& g, DType t, double mean, double sd, std::vector<double>& x) {
  for (double& v : x) v = to_format(t, mean + sd * g.normal());
}

void masked_rows(Rng& g, DType t, std::size_t rows, std::size_t cols, std::vector<double>& x) {
  for (std::size_t r = 0; r < rows; ++r) {
    double* row = x.data() + r * cols;
    if (r % 16 == 15) {
      for (std::size_t j = 0; j < cols; ++j) row[j] = -kInf;
      continue;
    }
    static constexpr double kFractions[] = {0.1, 0.5, 0.9};
    const double q = kFractions[g.index(3)];
    for (std::size_t j = 0; j < cols; ++j)
      row[j] = g.uniform() < q ? -kInf : to_format(t, 3 * g.normal());
  }
}

void near_tie_rows(Rng& g, DType t, std::size_t rows, std::size_t cols, std::vector<double>& x) {
  for (std::size_t r = 0; r < rows; ++r) {
    const double c = to_format(
        t, (g.uniform() < 0.5 ? -1 : 1) * std::exp(g.uniform(std::log(1e-3), std::log(100.0))));
    for (std::size_t j = 0; j < cols; ++j) {
      const int k = static_cast<int>(g.index(9)) - 4;
      double v = c;
      for (int i = 0; i < std::abs(k); ++i) v = k > 0 ? next_up(t, v) : next_down(t, v);
      x[r * cols + j] = v;
    }
  }
}

void adversarial_rows(const Contract& c, Rng& g, std::size_t rows, std::size_t cols,
                      std::vector<double>& x) {
  GenSpec spec = gen_spec_for(c, cols);
  spec.min_rows = spec.max_rows = 1;
  spec.masks = c.domain.accepts_neg_inf;
  spec.specials =
      false;  // NaN/+inf rows are the property catalogue's business, not error statistics
  const rc::Gen<Batch> gen = gen_batch(spec);
  for (std::size_t r = 0; r < rows; ++r) {
    const Batch b = gen(rc::Random(g.next()), 100).value();
    for (std::size_t j = 0; j < cols; ++j) x[r * cols + j] = b.x[j % b.cols];
  }
}

}  // namespace

std::span<const FamilyInfo> families() { return kFamilies; }

std::vector<std::string> family_names() {
  std::vector<std::string> v;
  for (const FamilyInfo& f : kFamilies) v.push_back(f.name);
  return v;
}

const FamilyInfo* find_family(std::string_view name) {
  for (const FamilyInfo& f : kFamilies)
    if (f.name == name) return &f;
  return nullptr;
}

std::vector<double> draw_family(const Contract& c, std::string_view family, std::size_t rows,
                                std::size_t cols, uint64_t seed) {
  Rng g(seed);
  const DType t = c.dtype;
  std::vector<double> x(rows * cols);
  if (family == "normal-s1")
    normal_rows(g, t, 0, 1, x);
  else if (family == "normal-s10")
    normal_rows(g, t, 0, 10, x);
  else if (family == "normal-s100")
    normal_rows(g, t, 0, 100, x);
  else if (family == "offset+1e4")
    normal_rows(g, t, 1e4, 3, x);
  else if (family == "offset-1e4")
    normal_rows(g, t, -1e4, 3, x);
  else if (family == "masked")
    masked_rows(g, t, rows, cols, x);
  else if (family == "near-ties")
    near_tie_rows(g, t, rows, cols, x);
  else if (family == "adversarial")
    adversarial_rows(c, g, rows, cols, x);
  else
    throw std::invalid_argument("unknown input family '" + std::string(family) + "'");
  return x;
}

}  // namespace softcheck::reports
