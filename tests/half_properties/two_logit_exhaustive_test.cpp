// Exhaustive rows of two f16 logits (issue 3): every finite f16 value v (63,488 patterns, both
// zeros included) against a sweep s of the other logit, in both orders [v, s] and [s, v], through
// every registered f16 softmax kernel. Each output must be within its contract's bound of the MPFR
// oracle (for n = 2 the logistic function 1 / (1 + exp(s - v)), computed by oracle::softmax on the
// two elements and rounded once to f16). The maximum error in f16 ulps and the number of outputs
// that are not correctly rounded are printed for each kernel, passing or not.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <vector>

#include "impl/registry.hpp"
#include "oracles/oracle.hpp"
#include "properties/error_bound.hpp"
#include "properties/failure.hpp"
#include "properties/invoke.hpp"
#include "properties/reference.hpp"

namespace softcheck {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The other logit: zero and the smallest denormal (v's own scale), 1, the first f16 logit whose
// exp overflows f16 (11.09375; 11.0859375 is the last finite one), -17.34375 (an f16 exp rounds to
// 0 below -17.33), the ends of the format (+-65504: x - max reaches -131008, beyond f16's range, in
// the kernel's f32) and -inf (a mask: the other output must be exactly 1).
constexpr double kSweep[] = {-kInf, -65504.0, -17.34375, 0.0, 0x1p-24, 1.0, 11.09375, 65504.0};

std::vector<double> all_finite_f16() {
  std::vector<double> v;
  for (uint32_t b = 0; b <= 0xffff; ++b) {
    const double x = from_f16_bits(static_cast<uint16_t>(b));
    if (std::isfinite(x)) v.push_back(x);
  }
  return v;
}

struct Rows {
  std::vector<double> x;        // rows of [v, s] for every s, then [s, v] for every s
  std::vector<double> exact;    // oracle outputs rounded to double (for the error in ulps)
  std::vector<double> rounded;  // oracle outputs rounded once to f16
  std::size_t rows() const { return x.size() / 2; }
};

// The oracle once for all kernels: [s, v] is [v, s] reversed, so each pair is computed once.
const Rows& rows() {
  static const Rows r = [] {
    const std::vector<double> values = all_finite_f16();
    Rows out;
    const unsigned bits = oracle::working_bits(DType::f16, 2);
    std::vector<double> ex, ro;
    for (double s : kSweep)
      for (double v : values) {
        const double row[2] = {v, s};
        const std::vector<oracle::Real> p = oracle::softmax(row, bits);
        out.x.insert(out.x.end(), {v, s});
        for (const oracle::Real& q : p) {
          ex.push_back(oracle::to_double(q));
          ro.push_back(oracle::round_to_format(q, DType::f16));
        }
      }
    out.exact = ex;
    out.rounded = ro;
    for (std::size_t i = 0; i < ex.size(); i += 2) {
      out.x.insert(out.x.end(), {out.x[i + 1], out.x[i]});
      out.exact.insert(out.exact.end(), {ex[i + 1], ex[i]});
      out.rounded.insert(out.rounded.end(), {ro[i + 1], ro[i]});
    }
    return out;
  }();
  return r;
}

TEST(TwoLogitF16, EveryValueAgainstASweepIsWithinTheBound) {
  const Rows& all = rows();
  ASSERT_EQ(all.rows(), 2 * std::size(kSweep) * 63488);  // 63488 = 2^16 - 2 * 2^10 (inf, NaN)
  int kernels = 0;
  for (const Kernel& k : builtin_kernels()) {
    const Contract& c = k.contract;
    if (c.op != Op::softmax || c.dtype != DType::f16) continue;
    if (auto why = k.unrunnable_reason()) {  // e.g. a SIMD target this CPU lacks: a visible skip
      std::cout << "[  NOTE    ] not run here: " << k.contract.name << ": " << *why << "\n";
      continue;
    }
    ++kernels;
    Call call;
    call.op = Op::softmax;
    call.dtype = DType::f16;
    call.rows = all.rows();
    call.cols = 2;
    call.a = Buffer::from_values(DType::f16, all.x);
    const CallResult result = InProcessInvoker{}.call(k, call);
    ASSERT_TRUE(result.ok()) << c.name << ": " << result.reason;
    std::size_t checked = 0, outside_domain = 0, not_correctly_rounded = 0, failures = 0;
    double max_ulps = 0, max_ulps_x[2] = {0, 0};
    for (std::size_t r = 0; r < all.rows(); ++r) {
      const std::span<const double> x(all.x.data() + 2 * r, 2);
      if (!in_domain(c, x)) {
        ++outside_domain;
        continue;
      }
      ++checked;
      const double got[2] = {result.out.y.get(2 * r), result.out.y.get(2 * r + 1)};
      // A correctly rounded output is within every contract's bound (each bound includes at least
      // the final rounding, half an ulp), so errors and bounds are derived only for rows that are
      // not (NaN never equals the rounded oracle, so it is examined too).
      if (got[0] == all.rounded[2 * r] && got[1] == all.rounded[2 * r + 1]) continue;
      for (int j = 0; j < 2; ++j) {
        const double e = all.exact[2 * r + j];
        if (got[j] == all.rounded[2 * r + j]) continue;
        ++not_correctly_rounded;
        const double ulps = std::fabs(got[j] - e) / ulp(DType::f16, e);
        if (!(ulps <= max_ulps)) {
          max_ulps = ulps;
          max_ulps_x[0] = x[0];
          max_ulps_x[1] = x[1];
        }
      }
      const RowReference ref = softmax_reference(x, DType::f16);
      const RowBound bound = softmax_row_bound(c, x, ref.exact_d);
      for (std::size_t j = 0; j < 2; ++j) {
        const ElementReport e = compare_element(r, j, got[j], ref, DType::f16, bound.abs[j]);
        if (within(e)) continue;
        if (++failures <= 5)
          ADD_FAILURE() << c.name << " row " << hex_list(x) << ": "
                        << describe_element(e, DType::f16) << "\n  bound: " << bound.derivation;
      }
    }
    std::cout << fmt::format(
        "{}: {} rows checked ({} outside the domain), {} outputs not correctly rounded, the "
        "largest error among them {:.4f} ulp_f16 vs exact (at [{}, {}]), {} outside the bound\n",
        c.name, checked, outside_domain, not_correctly_rounded, max_ulps, hex(max_ulps_x[0]),
        hex(max_ulps_x[1]), failures);
    EXPECT_EQ(failures, 0u) << c.name;
    EXPECT_GT(checked, all.rows() / 3) << c.name;
  }
  EXPECT_GE(kernels, 3);  // shifted, online, naive (+ SIMD variants)
}

}  // namespace
}  // namespace softcheck
