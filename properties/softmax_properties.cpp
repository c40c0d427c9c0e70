// The softmax property catalogue (issue 2): range, normalisation, accuracy against the MPFR
// oracle within the contract's derived bound, shift invariance, permutation equivariance, order
// preservation, batch independence, determinism and the special-value policy.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include <fmt/format.h>
#include <rapidcheck.h>

#include "properties/error_bound.hpp"
#include "properties/property.hpp"
#include "properties/reference.hpp"
#include "properties/softmax_support.hpp"

namespace softcheck {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

bool is_softmax(const Contract& c) { return c.op == Op::softmax; }

// A finite, in-domain batch with the coverage tags shown by RC_CLASSIFY/RC_TAG.
// `long_rows`: share of rows past 4096 columns; properties that need no oracle afford more (index
// overflow past 65536 shows only there).
Batch draw_finite_batch(const PropertyContext& ctx, std::size_t min_rows = 1,
                        std::size_t max_rows = 1, double long_rows = kDefaultLongShare) {
  GenSpec spec = gen_spec_for(ctx.kernel.contract, ctx.max_cols);
  spec.min_rows = min_rows;
  spec.max_rows = max_rows;
  spec.long_rows = long_rows;
  const Batch b = *gen_batch(spec);
  for (std::size_t r = 0; r < b.rows; ++r) RC_PRE(in_domain(ctx.kernel.contract, b.row(r)));
  bool masked = false;
  for (std::size_t r = 0; r < b.rows; ++r) masked = masked || has_neg_inf(b.row(r));
  RC_TAG(b.family, length_class(b.cols), masked ? "masked" : "dense");
  return b;
}

void check_unit_interval(const PropertyContext& ctx) {
  const Batch b = draw_finite_batch(ctx, 1, 1, 0.2);
  const Buffer y = call_rowwise(ctx, b);
  for (std::size_t r = 0; r < b.rows; ++r) {
    if (all_neg_inf(b.row(r))) continue;
    for (std::size_t j = 0; j < b.cols; ++j) {
      const double v = y.get(r * b.cols + j);
      if (!(v >= 0 && v <= 1))
        fail_case(fmt::format("output [{}][{}] = {} ({}) is outside [0, 1]\n  {}", r, j, hex(v), v,
                              describe_batch(b)));
    }
  }
}

void check_sum_to_one(const PropertyContext& ctx) {
  const Batch b = draw_finite_batch(ctx);
  const Buffer y = call_rowwise(ctx, b);
  const Contract& c = ctx.kernel.contract;
  for (std::size_t r = 0; r < b.rows; ++r) {
    const auto x = b.row(r);
    if (all_neg_inf(x)) continue;
    const RowReference ref = softmax_reference(x, c.dtype);
    const RowBound bound = softmax_row_bound(c, x, ref.exact_d);
    std::vector<double> got(b.cols);
    for (std::size_t j = 0; j < b.cols; ++j) got[j] = y.get(r * b.cols + j);
    // The sum is formed exactly, so only the kernel's errors are measured.
    const double sum = oracle::to_double(oracle::exact_sum(got));
    const double err = std::fabs(sum - 1);
    if (!(err <= bound.sum_abs))
      fail_case(fmt::format(
          "row {} sums to {} ({:.17g}); |sum - 1| = {:.3g} = {:.4g} u_{} exceeds the bound {:.3g} "
          "(= sum of the componentwise bounds)\n  {}\n  {}",
          r, hex(sum), sum, err, err / unit_roundoff(c.dtype), name_of(c.dtype), bound.sum_abs,
          bound.derivation, describe_batch(b)),
          std::isnan(err) ? kInf : err / bound.sum_abs);
  }
}

void check_accuracy(const PropertyContext& ctx) {
  const Batch b = draw_finite_batch(ctx);
  const Buffer y = call_rowwise(ctx, b);
  const Contract& c = ctx.kernel.contract;
  for (std::size_t r = 0; r < b.rows; ++r) {
    const auto x = b.row(r);
    if (all_neg_inf(x)) continue;
    const RowReference ref = softmax_reference(x, c.dtype);
    const RowBound bound = softmax_row_bound(c, x, ref.exact_d);
    std::vector<double> got(b.cols);
    for (std::size_t j = 0; j < b.cols; ++j) got[j] = y.get(r * b.cols + j);
    require_within_bounds(b, r, got, ref, bound.abs, c.dtype, bound.derivation);
  }
}

// Shift by a constant c chosen so that every x_i + c is exact in the format and inside the domain.
// Max-shifted kernels compute fl((x_i + c) - (a + c)) = fl(x_i - a), so their output must be
// bitwise unchanged; other algorithms must stay within their bound (error-model.md, exact facts).
void check_shift_invariance(const PropertyContext& ctx) {
  const Batch b = draw_finite_batch(ctx);
  const Contract& c = ctx.kernel.contract;
  const int e = *rc::gen::inRange(-6, 14);
  const double sign = *rc::gen::element(1.0, -1.0);
  const auto shift = exact_shift(b, c, sign * std::ldexp(1.0, e));
  RC_PRE(shift.has_value());
  Batch moved = b;
  for (double& v : moved.x) v += *shift;
  const Buffer y0 = call_rowwise(ctx, b);
  const Buffer y1 = call_rowwise(ctx, moved);
  const bool bitwise = c.algorithm == Algorithm::shifted || c.algorithm == Algorithm::online;
  RC_TAG(bitwise ? "bitwise" : "within-bound");
  for (std::size_t r = 0; r < b.rows; ++r) {
    const auto x = b.row(r);
    if (all_neg_inf(x)) continue;
    const RowReference ref = softmax_reference(x, c.dtype);
    const RowBound b0 = softmax_row_bound(c, x, ref.exact_d);
    const RowBound b1 = softmax_row_bound(c, moved.row(r), ref.exact_d);
    for (std::size_t j = 0; j < b.cols; ++j) {
      const std::size_t k = r * b.cols + j;
      const double p0 = y0.get(k), p1 = y1.get(k);
      const bool same = bitwise ? (std::isnan(p0) && std::isnan(p1)) || p0 == p1
                                : std::fabs(p0 - p1) <= b0.abs[j] + b1.abs[j];
      if (!same)
        fail_case(fmt::format(
            "shift by c = {} changed output [{}][{}]: {} -> {} (diff {:.3g}; {}){}\n  {}", hex(*shift),
            r, j, hex(p0), hex(p1), std::fabs(p0 - p1),
            bitwise ? "a max-shifted kernel must be bitwise invariant to an exact shift"
                    : fmt::format("allowed {:.3g}", b0.abs[j] + b1.abs[j]),
            bitwise ? "" : "\n  " + b0.derivation, describe_batch(b)));
    }
  }
}

void check_permutation(const PropertyContext& ctx) {
  const Batch b = draw_finite_batch(ctx);
  const Contract& c = ctx.kernel.contract;
  const auto seed = *rc::gen::noShrink(rc::gen::arbitrary<uint64_t>());
  std::vector<std::size_t> perm(b.cols);
  std::iota(perm.begin(), perm.end(), 0);
  std::shuffle(perm.begin(), perm.end(), std::mt19937_64(seed));
  Batch permuted = b;
  for (std::size_t r = 0; r < b.rows; ++r)
    for (std::size_t j = 0; j < b.cols; ++j) permuted.x[r * b.cols + j] = b.x[r * b.cols + perm[j]];
  const Buffer y0 = call_rowwise(ctx, b);
  const Buffer y1 = call_rowwise(ctx, permuted);
  for (std::size_t r = 0; r < b.rows; ++r) {
    if (all_neg_inf(b.row(r))) continue;
    const RowReference ref = softmax_reference(b.row(r), c.dtype);
    std::vector<double> p_perm(b.cols);
    for (std::size_t j = 0; j < b.cols; ++j) p_perm[j] = ref.exact_d[perm[j]];
    const RowBound b0 = softmax_row_bound(c, b.row(r), ref.exact_d);
    const RowBound b1 = softmax_row_bound(c, permuted.row(r), p_perm);
    for (std::size_t j = 0; j < b.cols; ++j) {
      const double orig = y0.get(r * b.cols + perm[j]);
      const double moved = y1.get(r * b.cols + j);
      const double allowed = b0.abs[perm[j]] + b1.abs[j];
      const bool ok = (std::isnan(orig) && std::isnan(moved)) || std::fabs(orig - moved) <= allowed;
      if (!ok)
        fail_case(fmt::format(
            "permuting the row moved output of logit {} ({}) from {} to {} (diff {:.3g}, allowed "
            "{:.3g} = both bounds)\n  permuted row: {}\n  {}",
            perm[j], hex(b.x[r * b.cols + perm[j]]), hex(orig), hex(moved),
            std::fabs(orig - moved), allowed, hex_list(permuted.row(r)), describe_batch(b)));
    }
  }
}

// x_i < x_j must give y_i <= y_j when exp is monotone; a contract without a monotone exp (SIMD
// polynomials) may invert the order only within the two elements' bounds. Ties must give
// bitwise-equal outputs for every kernel (a tail computed differently from the body breaks them).
void check_order(const PropertyContext& ctx) {
  const Batch b = draw_finite_batch(ctx);
  const Contract& c = ctx.kernel.contract;
  const Buffer y = call_rowwise(ctx, b);
  for (std::size_t r = 0; r < b.rows; ++r) {
    const auto x = b.row(r);
    if (all_neg_inf(x)) continue;
    std::vector<std::size_t> idx(b.cols);
    std::iota(idx.begin(), idx.end(), 0);
    std::stable_sort(idx.begin(), idx.end(), [&](auto i, auto j) { return x[i] < x[j]; });
    std::vector<double> slack(b.cols, 0.0);
    std::string derivation;
    if (!c.monotone_exp) {
      const RowReference ref = softmax_reference(x, c.dtype);
      RowBound bound = softmax_row_bound(c, x, ref.exact_d);
      slack = std::move(bound.abs);
      derivation = "\n  allowed inversion: the sum of both bounds (exp not declared monotone); " +
                   bound.derivation;
    }
    for (std::size_t k = 1; k < idx.size(); ++k) {
      const std::size_t i = idx[k - 1], j = idx[k];
      const double yi = y.get(r * b.cols + i), yj = y.get(r * b.cols + j);
      if (x[i] == x[j] && !(yi == yj || (std::isnan(yi) && std::isnan(yj))))
        fail_case(fmt::format("tied logits x[{}] = x[{}] = {} give different outputs {} and {}\n  {}",
                              i, j, hex(x[i]), hex(yi), hex(yj), describe_batch(b)));
      if (x[i] < x[j] && !(yi <= yj + slack[i] + slack[j]))
        fail_case(fmt::format("order broken: x[{}] = {} < x[{}] = {} but y = {} > {}{}\n  {}", i,
                              hex(x[i]), j, hex(x[j]), hex(yi), hex(yj), derivation,
                              describe_batch(b)));
    }
  }
}

// Row r of a batch must equal the kernel on that row alone, bitwise: a wrong row stride or
// reduction axis mixes rows.
void check_batch_independence(const PropertyContext& ctx) {
  const Batch b = draw_finite_batch(ctx, 2, 6);
  const Buffer y = call_rowwise(ctx, b);
  for (std::size_t r = 0; r < b.rows; ++r) {
    Batch single = b;
    single.rows = 1;
    single.x.assign(b.row(r).begin(), b.row(r).end());
    const Buffer y1 = call_rowwise(ctx, single);
    for (std::size_t j = 0; j < b.cols; ++j) {
      const double in_batch = y.get(r * b.cols + j), alone = y1.get(j);
      if (!(in_batch == alone || (std::isnan(in_batch) && std::isnan(alone))))
        fail_case(fmt::format(
            "row {} of a {}-row batch differs from the same row alone at column {}: {} vs {}\n  {}",
            r, b.rows, j, hex(in_batch), hex(alone), describe_batch(b)));
    }
  }
}

// The same input twice gives the same bits: reading uninitialised memory or state shows here.
void check_deterministic(const PropertyContext& ctx) {
  const Batch b = draw_finite_batch(ctx, 1, 3);
  const Buffer y0 = call_rowwise(ctx, b);
  const Buffer y1 = call_rowwise(ctx, b);
  for (std::size_t k = 0; k < y0.size(); ++k) {
    const double a = y0.get(k), c = y1.get(k);
    if (!(a == c || (std::isnan(a) && std::isnan(c))))
      fail_case(fmt::format("two calls on the same input differ at [{}][{}]: {} vs {}\n  {}",
                            k / b.cols, k % b.cols, hex(a), hex(c), describe_batch(b)));
  }
}

void check_special_values(const PropertyContext& ctx) {
  const Contract& c = ctx.kernel.contract;
  GenSpec spec = gen_spec_for(c, std::min<std::size_t>(ctx.max_cols, 4096));
  spec.masks = false;
  Batch b = *gen_batch(spec);
  const SpecialScenario scenario = *rc::gen::element(
      SpecialScenario::some_masked, SpecialScenario::all_masked, SpecialScenario::one_nan,
      SpecialScenario::one_pos_inf, SpecialScenario::nan_and_masks);
  const auto where = *rc::gen::noShrink(rc::gen::arbitrary<uint64_t>());
  apply_scenario(b, scenario, where);
  RC_PRE(in_domain(c, b.row(0)));
  RC_TAG(name_of(scenario));
  const Buffer y = call_rowwise(ctx, b);
  check_special_outcome(c, b, y, scenario);
}

const Property kSoftmaxProperties[] = {
    {"unit_interval", "every output is in [0, 1] (no NaN) for rows with a finite logit",
     is_softmax, check_unit_interval},
    {"sum_to_one", "|sum(y) - 1| within the sum of the componentwise bounds", is_softmax,
     check_sum_to_one},
    {"accuracy", "each output within the contract's derived bound of the MPFR oracle; -inf gives 0",
     is_softmax, check_accuracy},
    {"shift_invariance", "y(x + c) = y(x) for exact shifts c: bitwise for max-shifted kernels",
     is_softmax, check_shift_invariance},
    {"permutation", "permuting logits permutes outputs (within the bounds)", is_softmax,
     check_permutation},
    {"order", "x_i < x_j gives y_i <= y_j (monotone exp); ties give bitwise-equal outputs",
     is_softmax, check_order},
    {"batch_independence", "row r of a batch equals the kernel on that row alone, bitwise",
     is_softmax, check_batch_independence},
    {"deterministic", "the same input twice gives the same bits", is_softmax, check_deterministic},
    {"special_values",
     "-inf gives exactly 0; NaN/+inf never give a row of finite probabilities; all -inf per policy",
     is_softmax, check_special_values},
};

}  // namespace

std::span<const Property> softmax_catalogue() { return kSoftmaxProperties; }

}  // namespace softcheck
