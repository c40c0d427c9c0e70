// What a report holds (issue 7): per kernel x input family x row length a cell of error statistics,
// per kernel the totals and a verdict, and the kernels that were skipped with the reason. The
// renderers (summary.md, report.json, index.html) and the CI tools (baseline diff, shard merge) all
// work on this model; report.json is its serialisation (docs/report-json-schema.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "properties/diagnosis/diagnosis.hpp"
#include "reports/plan.hpp"
#include "reports/worst_case.hpp"

namespace softcheck::reports {

inline constexpr const char* kReportSchema = "softcheck-report/1";
// The version that wrote a report: its bounds, limits and verdict rules are that version's.
inline constexpr const char* kGenerator = "softcheck " SOFTCHECK_VERSION;  // the project version
// A cell's bias is judged only with at least this many rows: rows are the independent samples
// of the z-score (the elements of a row share the rounding error of its denominator), and with
// fewer the Student-t tail of |z| > 5 is not negligible over thousands of cells.
inline constexpr std::size_t kMinBiasRows = 32;
inline constexpr double kBiasZLimit = 5.0;  // error-model.md: |z| > 5 separates biased roundings
// The bias sample: outputs whose a-priori bound is at most this many ulps of their exact value,
// where the final rounding dominates the error (half kernels computing in f32, a kernel converting
// a wider result). A truncating conversion shows there as a mean of -0.5 ulp (error-model.md,
// "Bias"). Outputs with wider bounds carry the algorithm's own structured errors (the shared
// denominator, the rounding of x - max amplified by exp, log-softmax entries near 0 whose ulp is
// tiny against their absolute bound), which are judged by the bound, not as bias.
inline constexpr double kBiasMaxBoundUlps = 4.0;
// A bias counts when it is significant (|z| > 5) and material: at least a fifth of a truncation's
// -0.5 ulp. A z-test alone flags any systematic error once the sample is large enough, and a
// correct half kernel passes its f32 computation's own small structured error (K u32 in half ulps,
// ~0.01-0.04 ulp at the K of long rows) through its final rounding.
inline constexpr double kBiasMinUlps = 0.1;

struct ErrorSummary {
  double max = 0, mean = 0, p99 = 0;
};

// Bias of the outputs in the rounding regime: normal range, bound <= kBiasMaxBoundUlps ulps.
struct Bias {
  std::size_t elements = 0;     // outputs in the sample
  double mean_signed_ulps = 0;  // mean of (got - exact) / ulp(exact) over the sample
  double sd_ulps = 0;           // standard deviation of the signed ulps over the sample
  std::size_t rows = 0;         // rows with outputs in the sample (the z-score's samples)
  // mean / (cluster-robust standard error over rows); nullopt with fewer than 2 rows or no spread.
  // Saturated at +-1e9 when every row has the same non-zero mean.
  std::optional<double> z;
};

// Counts of special-value outcomes (policy, not rounding).
struct SpecialCounts {
  std::size_t masked = 0;             // -inf inputs in rows with a finite entry
  std::size_t masked_wrong = 0;       // ... whose output was not exactly the masked output
  std::size_t all_masked_rows = 0;    // rows of only -inf
  std::size_t all_masked_wrong = 0;   // ... not following the contract's MaskedRowPolicy
  std::size_t class_mismatch = 0;     // NaN/inf where the exact value is finite, or the reverse
  std::size_t flushed_to_zero = 0;    // got 0 where the correctly rounded value is not 0
  std::size_t subnormal_outputs = 0;  // outputs in the storage format's subnormal range
};

// The cell's element with the largest error relative to its bound.
struct WorstElement {
  std::string kind = "within";  // "class_mismatch", "over_bound" or "within"
  std::size_t row = 0, index = 0;
  double got = 0, exact = 0, expected = 0;  // expected: exact rounded once to the dtype
  double ulps_exact = 0, ulps_rounded = 0, abs = 0, bound_abs = 0, tightness = 0;
};

// Outputs by error in the op's own measure (OpAdapter::bound_is_absolute: absolute error, else ulps
// vs the exact value), in power-of-two bins: the distribution behind index.html's error CDF.
struct ErrorHistogram {
  std::size_t exact = 0;            // outputs without error
  std::map<int, std::size_t> log2;  // e -> outputs whose error is in (2^(e-1), 2^e]; the lowest
                                    // bin, histogram_floor_log2, also holds every smaller error
};
// The lowest bin: 2^-30 ulp, or 2^-30 u of the dtype for an absolute error. Smaller errors (an
// output that underflows to 0 is off by its tiny exact value) say nothing more and would spread
// over hundreds of binades.
int histogram_floor_log2(bool absolute, DType dtype);

struct CellResult {
  std::string family;
  std::size_t cols = 0;
  uint64_t seed = 0;
  std::size_t rows = 0;                // rows drawn
  std::size_t rows_out_of_domain = 0;  // rows outside the contract's domain (not measured)
  std::size_t elements = 0;            // outputs measured (finite exact value, not a mask)
  std::string call_error;              // the kernel call did not complete (isolated plugins)
  ErrorSummary ulps_exact;             // Zimmermann: vs the exact value
  ErrorSummary ulps_rounded;           // glibc: vs the correctly rounded value
  double rel_max = 0, abs_max = 0;
  double bound_k_max = 0;  // largest factor K_j (units of u(accum)) over normal-range outputs
  double tightness = 0;    // max_j |got_j - exact_j| / bound_j
  double tight_observed_ulps = 0;  // at the tightest element: observed error in ulps
  double tight_bound_ulps = 0;     // ... and its bound in the same ulps
  std::size_t over_bound = 0;      // outputs beyond their bound
  std::size_t vacuous_bound = 0;   // outputs whose first-order bound is vacuous (K u >= 1)
  double spread_mean = 0;          // mean over measured rows of max - min of the finite logits
  double magnitude_mean = 0;       // mean over measured rows of max |x_j| of the finite logits
  ErrorHistogram histogram;
  Bias bias;
  SpecialCounts specials;
  WorstElement worst;

  bool measured() const { return rows > rows_out_of_domain && call_error.empty(); }
  // The bias counts in the verdict: a family with random rounding (FamilyInfo::random_rounding), at
  // least kMinBiasRows rows and a z-score.
  bool bias_judged() const;
  bool biased() const;  // judged, |z| > kBiasZLimit and |mean| >= kBiasMinUlps
  std::vector<std::string> failures() const;  // why the cell fails; empty when it passes
  bool passed() const { return failures().empty(); }
  std::string key() const;  // "family/cols"
};

struct KernelTotals {
  std::string verdict = "passed";  // "passed" or "failed"
  std::size_t cells_measured = 0, cells_out_of_domain = 0;
  std::vector<std::string> failed_cells;  // "family/cols: reason; reason"
  double max_ulps_exact = 0, max_ulps_rounded = 0, max_p99_ulps_exact = 0;
  double max_rel = 0, max_abs = 0, max_tightness = 0, max_bound_k = 0;
  double max_abs_bias_z = 0;      // over cells whose bias is judged
  std::size_t vacuous_bound = 0;  // outputs without a usable bound (K u >= 1)
  std::size_t cells_bias_judged = 0;
  std::size_t elements = 0;
};

struct KernelReport {
  std::string name;
  nlohmann::json contract;  // reports/contract_json.hpp's form
  Op op = Op::softmax;
  DType dtype = DType::f32;
  std::string bound;               // how the bound judges an element (OpAdapter::error_measure)
  std::vector<CellResult> cells;   // plan order (family, then cols)
  KernelTotals totals;             // derived from cells by compute_totals
  std::optional<WorstCase> worst;  // the input of the kernel's worst element (saved as a file)
  // Failed kernels: what the experiments of properties/diagnosis found (nullopt: no diagnosis, or
  // passed). Not derived from the cells: the experiments call the kernel.
  std::optional<Diagnosis> diagnosis;
};

struct SkippedKernel {
  std::string name, op, dtype, reason;
};

struct Report {
  std::string generator = kGenerator;
  Plan plan;
  Shard shard;
  std::vector<KernelReport> kernels;
  std::vector<SkippedKernel> skipped;
  // Not part of the result (differs between runs and shards): wall time, threads, merged shards.
  nlohmann::json run = nlohmann::json::object();
  bool passed() const;
};

// Everything that decides a report's verdicts besides the cells' own data, as (field, value)
// pairs in a fixed order: the softcheck version, every plan field, the kernels and each one's
// contract (field by field) and bound, the skipped kernels. Shards merge only when these agree,
// and a mismatch names the field.
struct VerdictInput {
  std::string field, value;
};
std::vector<VerdictInput> verdict_inputs(const Report& r);
// A hash of verdict_inputs (16 hex digits): two reports of different plans, contracts or versions
// print different fingerprints.
std::string fingerprint(const Report& r);

// Derives each kernel's totals from its cells.
void compute_totals(KernelReport& k);

// The order of worst cases: class mismatches before elements over their bound before the rest,
// then by tightness; ties go to the earlier cell in plan order (cell_number), then the earlier
// element, so sharded and unsharded runs pick the same one.
bool worse_than(const WorstCase& a, const WorstCase& b);

// The relative path of a kernel's worst-case file inside a report directory (characters other than
// letters, digits, '_', '-' and '.' become '_').
std::string worst_case_path(const std::string& kernel);

}  // namespace softcheck::reports
