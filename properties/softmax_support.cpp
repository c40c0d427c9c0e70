#include "properties/softmax_support.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "properties/error_bound.hpp"
#include "properties/failure.hpp"

namespace softcheck {

Buffer call_rowwise(const PropertyContext& ctx, const Batch& b, double tau) {
  Call call;
  call.op = ctx.kernel.contract.op;
  call.dtype = b.dtype;
  call.rows = b.rows;
  call.cols = b.cols;
  call.a = Buffer::from_values(b.dtype, b.x);
  call.tau = tau;
  CallResult r = ctx.invoker.call(ctx.kernel, call);
  require_call_ok(r, b);
  return std::move(r.out.y);
}

std::optional<double> exact_shift(const Batch& b, const Contract& c, double wanted) {
  double shift = wanted;
  for (int attempt = 0; attempt < 4; ++attempt) {
    // Quantise the shift to the coarsest ulp among the shifted values, then verify exactness.
    double quantum = 0;
    for (double v : b.x)
      if (std::isfinite(v)) quantum = std::max(quantum, ulp(b.dtype, round_to(b.dtype, v + shift)));
    if (quantum == 0) return std::nullopt;
    shift = std::nearbyint(shift / quantum) * quantum;
    if (shift == 0) return std::nullopt;
    bool exact = true;
    Batch moved = b;
    for (double& v : moved.x) {
      if (!std::isfinite(v)) continue;
      const double s = v + shift;
      exact = exact && representable(b.dtype, s) && std::fabs(s) <= max_finite(b.dtype) &&
              s - shift == v;
      v = s;
    }
    for (std::size_t r = 0; exact && r < b.rows; ++r) exact = in_domain(c, moved.row(r));
    if (exact) return shift;
    if (shift > 0 && !in_domain(c, moved.row(0))) shift = -shift;  // below the naive domain's top
  }
  return std::nullopt;
}

std::string_view name_of(SpecialScenario s) {
  switch (s) {
    case SpecialScenario::some_masked: return "some -inf";
    case SpecialScenario::all_masked: return "all -inf";
    case SpecialScenario::one_nan: return "one NaN";
    case SpecialScenario::one_pos_inf: return "one +inf";
    case SpecialScenario::nan_and_masks: return "NaN and -inf";
  }
  return "?";
}

void apply_scenario(Batch& b, SpecialScenario s, uint64_t where) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  const std::size_t n = b.cols;
  auto row = [&](std::size_t j) -> double& { return b.x[j]; };  // first row only
  const std::size_t pos = static_cast<std::size_t>(where % n);
  switch (s) {
    case SpecialScenario::some_masked:
      for (std::size_t j = 0; j < n; ++j)
        if (((where >> (j % 61)) & 1) && j != pos) row(j) = -kInf;
      break;
    case SpecialScenario::all_masked:
      for (std::size_t j = 0; j < n; ++j) row(j) = -kInf;
      break;
    case SpecialScenario::one_nan:
      row(pos) = std::numeric_limits<double>::quiet_NaN();
      break;
    case SpecialScenario::one_pos_inf:
      row(pos) = kInf;
      break;
    case SpecialScenario::nan_and_masks:
      for (std::size_t j = 0; j < n; ++j)
        if ((where >> (j % 61)) & 1) row(j) = -kInf;
      row(pos) = std::numeric_limits<double>::quiet_NaN();
      break;
  }
}

void check_special_outcome(const Contract& c, const Batch& b, const Buffer& y, SpecialScenario s) {
  const std::size_t n = b.cols;
  const auto x = b.row(0);
  std::vector<double> got(n);
  for (std::size_t j = 0; j < n; ++j) got[j] = y.get(j);
  const auto fail = [&](const std::string& what) {
    fail_case(fmt::format("special values ({}): {}\n  got {}\n  {}", name_of(s), what,
                          hex_list(got), describe_batch(b)));
  };
  const bool any_nan_or_inf = has_nan_or_pos_inf(x);
  bool all_finite = true;
  for (double v : got) all_finite = all_finite && std::isfinite(v);

  if (any_nan_or_inf) {
    if (!c.domain.propagates_nan) return;
    if (!all_finite) return;
    // A single +inf (and no NaN): one-hot on it is the limit, also accepted.
    std::size_t infs = 0, nans = 0, pos = 0;
    for (std::size_t j = 0; j < n; ++j) {
      if (std::isnan(x[j])) ++nans;
      if (x[j] == std::numeric_limits<double>::infinity()) ++infs, pos = j;
    }
    if (nans == 0 && infs == 1) {
      bool one_hot = true;
      for (std::size_t j = 0; j < n; ++j) one_hot = one_hot && got[j] == (j == pos ? 1.0 : 0.0);
      if (one_hot) return;
    }
    fail("a NaN or +inf logit gave a row of finite probabilities (it must propagate: NaN, or "
         "exactly one-hot on a single +inf)");
  }
  if (all_neg_inf(x)) {
    switch (c.all_masked) {
      case MaskedRowPolicy::unspecified: return;
      case MaskedRowPolicy::nan:
        for (double v : got) if (!std::isnan(v)) fail("an all -inf row must give NaN everywhere (contract policy nan)");
        return;
      case MaskedRowPolicy::zero:
        for (double v : got) if (v != 0) fail("an all -inf row must give 0 everywhere (contract policy zero)");
        return;
      case MaskedRowPolicy::uniform:
        for (double v : got)
          if (v != round_to(c.dtype, 1.0 / static_cast<double>(n)))
            fail("an all -inf row must give 1/n everywhere (contract policy uniform)");
        return;
    }
  }
  for (std::size_t j = 0; j < n; ++j)
    if (x[j] == -std::numeric_limits<double>::infinity() && got[j] != 0)
      fail(fmt::format("-inf logit at {} gave {} instead of exactly 0", j, hex(got[j])));
  for (std::size_t j = 0; j < n; ++j)
    if (!std::isfinite(got[j]))
      fail(fmt::format("finite row with -inf masks gave a non-finite output at {}", j));
}

}  // namespace softcheck
