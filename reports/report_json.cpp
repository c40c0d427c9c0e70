#include "reports/report_json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "reports/diagnosis_json.hpp"
#include "reports/families.hpp"

namespace softcheck::reports {
namespace {

using nlohmann::json;

// Finite doubles as numbers; NaN and infinities (which JSON lacks) as hex-float strings.
json number(double v) { return std::isfinite(v) ? json(v) : json(hex(v)); }
// Values where NaN/inf are expected (outputs, exact values): always hex-float strings (exact).
json hexnum(double v) { return hex(v); }

double read_double(const json& j, const char* key) {
  const json& v = j.at(key);
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
    char* end = nullptr;
    const double d = std::strtod(s.c_str(), &end);
    if (end == s.c_str() + s.size() && !s.empty()) return d;
  }
  throw std::runtime_error(
      fmt::format("report.json: field '{}' is not a number: {}", key, v.dump()));
}

uint64_t read_seed(const json& j, const char* key) {
  const std::string s = j.at(key).get<std::string>();
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s.c_str(), &end, 0);
  if (s.empty() || end != s.c_str() + s.size())
    throw std::runtime_error(fmt::format("report.json: field '{}' is not a seed: {}", key, s));
  return v;
}

std::string seed_text(uint64_t s) { return fmt::format("{:#x}", s); }

json summary_json(const ErrorSummary& s) {
  return {{"max", number(s.max)}, {"mean", number(s.mean)}, {"p99", number(s.p99)}};
}
ErrorSummary summary_from(const json& j) {
  return {read_double(j, "max"), read_double(j, "mean"), read_double(j, "p99")};
}

json worst_case_json(const WorstCase& w) {
  return {{"file", worst_case_path(w.kernel)},
          {"family", w.family},
          {"cols", w.cols},
          {"row", w.row},
          {"index", w.index},
          {"kind", w.kind},
          {"tightness", number(w.tightness)},
          {"ulps_exact", number(w.ulps_exact)},
          {"got", hexnum(w.got)},
          {"exact", hexnum(w.exact)}};
}

}  // namespace

json to_json(const Plan& p) {
  json fams = json::array();
  for (const std::string& f : p.families) {
    const FamilyInfo* info = find_family(f);
    fams.push_back({{"name", f}, {"description", info ? info->description : ""}});
  }
  return {{"name", p.name},
          {"seed", seed_text(p.seed)},
          {"elements_per_cell", p.elements_per_cell},
          {"max_rows", p.max_rows},
          {"families", fams},
          {"cols", p.cols}};
}

// Dense from the lowest bin with outputs: counts[i] is bin min_log2 + i.
json histogram_json(const ErrorHistogram& h) {
  json counts = json::array();
  const int lo = h.log2.empty() ? 0 : h.log2.begin()->first;
  if (!h.log2.empty())
    for (int e = lo; e <= h.log2.rbegin()->first; ++e) {
      const auto it = h.log2.find(e);
      counts.push_back(it == h.log2.end() ? 0 : it->second);
    }
  return {{"exact", h.exact}, {"min_log2", lo}, {"counts", counts}};
}

json to_json(const CellResult& c) {
  const std::vector<std::string> failures = c.failures();
  const char* verdict = !c.measured() && c.call_error.empty() ? "out_of_domain"
                        : failures.empty()                    ? "passed"
                                                              : "failed";
  const SpecialCounts& s = c.specials;
  const WorstElement& w = c.worst;
  return {
      {"family", c.family},
      {"cols", c.cols},
      {"seed", seed_text(c.seed)},
      {"rows", c.rows},
      {"rows_out_of_domain", c.rows_out_of_domain},
      {"elements", c.elements},
      {"call_error", c.call_error},
      {"verdict", verdict},
      {"failures", failures},
      {"ulps_exact", summary_json(c.ulps_exact)},
      {"ulps_rounded", summary_json(c.ulps_rounded)},
      {"rel_max", number(c.rel_max)},
      {"abs_max", number(c.abs_max)},
      {"bound",
       {{"k_max", number(c.bound_k_max)},
        {"tightness", number(c.tightness)},
        {"tightest_observed_ulps", number(c.tight_observed_ulps)},
        {"tightest_bound_ulps", number(c.tight_bound_ulps)},
        {"over_bound", c.over_bound},
        {"vacuous", c.vacuous_bound}}},
      {"bias",
       {{"elements", c.bias.elements},
        {"mean_signed_ulps", number(c.bias.mean_signed_ulps)},
        {"sd_ulps", number(c.bias.sd_ulps)},
        {"rows", c.bias.rows},
        {"z", c.bias.z ? number(*c.bias.z) : json(nullptr)},
        {"judged", c.bias_judged()}}},
      {"spread_mean", number(c.spread_mean)},
      {"magnitude_mean", number(c.magnitude_mean)},
      {"error_histogram", histogram_json(c.histogram)},
      {"specials",
       {{"masked", s.masked},
        {"masked_wrong", s.masked_wrong},
        {"all_masked_rows", s.all_masked_rows},
        {"all_masked_wrong", s.all_masked_wrong},
        {"class_mismatch", s.class_mismatch},
        {"flushed_to_zero", s.flushed_to_zero},
        {"subnormal_outputs", s.subnormal_outputs}}},
      {"worst",
       {{"kind", w.kind},
        {"row", w.row},
        {"index", w.index},
        {"got", hexnum(w.got)},
        {"exact", hexnum(w.exact)},
        {"expected", hexnum(w.expected)},
        {"ulps_exact", number(w.ulps_exact)},
        {"ulps_rounded", number(w.ulps_rounded)},
        {"abs", number(w.abs)},
        {"bound_abs", number(w.bound_abs)},
        {"tightness", number(w.tightness)}}},
  };
}

json to_json(const Report& r) {
  // The plan's fingerprint covers everything that decides a verdict, not the plan alone.
  json plan_json = to_json(r.plan);
  plan_json["fingerprint"] = fingerprint(r);
  json kernels = json::array();
  std::size_t passed = 0;
  for (const KernelReport& k : r.kernels) {
    const KernelTotals& t = k.totals;
    passed += t.verdict == "passed";
    json cells = json::array();
    for (const CellResult& c : k.cells) cells.push_back(to_json(c));
    kernels.push_back({
        {"name", k.name},
        {"op", name_of(k.op)},
        {"dtype", name_of(k.dtype)},
        {"contract", k.contract},
        {"bound", k.bound},
        {"repro", fmt::format("softcheck report --kernel {} --family FAMILY --cols COLS", k.name)},
        {"verdict", t.verdict},
        {"cells_measured", t.cells_measured},
        {"cells_out_of_domain", t.cells_out_of_domain},
        {"failed_cells", t.failed_cells},
        {"diagnosis", diagnosis_to_json(k.diagnosis)},
        {"totals",
         {{"elements", t.elements},
          {"max_ulps_exact", number(t.max_ulps_exact)},
          {"max_ulps_rounded", number(t.max_ulps_rounded)},
          {"max_p99_ulps_exact", number(t.max_p99_ulps_exact)},
          {"max_rel", number(t.max_rel)},
          {"max_abs", number(t.max_abs)},
          {"max_tightness", number(t.max_tightness)},
          {"max_bound_k", number(t.max_bound_k)},
          {"max_abs_bias_z", number(t.max_abs_bias_z)},
          {"cells_bias_judged", t.cells_bias_judged},
          {"vacuous_bound", t.vacuous_bound}}},
        {"worst_case", k.worst ? worst_case_json(*k.worst) : json(nullptr)},
        {"cells", std::move(cells)},
    });
  }
  json skipped = json::array();
  for (const SkippedKernel& s : r.skipped)
    skipped.push_back({{"name", s.name}, {"op", s.op}, {"dtype", s.dtype}, {"reason", s.reason}});
  return {{"schema", kReportSchema},
          {"generator", r.generator},
          {"plan", plan_json},
          {"shard", {{"index", r.shard.index}, {"count", r.shard.count}}},
          {"limits",
           {{"bias_z", kBiasZLimit},
            {"min_bias_rows", kMinBiasRows},
            {"bias_max_bound_ulps", kBiasMaxBoundUlps},
            {"bias_min_ulps", kBiasMinUlps}}},
          {"summary",
           {{"kernels", r.kernels.size()},
            {"passed", passed},
            {"failed", r.kernels.size() - passed},
            {"skipped", r.skipped.size()},
            {"verdict", r.passed() ? "passed" : "failed"}}},
          {"kernels", std::move(kernels)},
          {"skipped", std::move(skipped)},
          {"run", r.run}};
}

CellResult cell_from_json(const json& j) {
  CellResult c;
  c.family = j.at("family").get<std::string>();
  c.cols = j.at("cols").get<std::size_t>();
  c.seed = read_seed(j, "seed");
  c.rows = j.at("rows").get<std::size_t>();
  c.rows_out_of_domain = j.at("rows_out_of_domain").get<std::size_t>();
  c.elements = j.at("elements").get<std::size_t>();
  c.call_error = j.at("call_error").get<std::string>();
  c.ulps_exact = summary_from(j.at("ulps_exact"));
  c.ulps_rounded = summary_from(j.at("ulps_rounded"));
  c.rel_max = read_double(j, "rel_max");
  c.abs_max = read_double(j, "abs_max");
  const json& b = j.at("bound");
  c.bound_k_max = read_double(b, "k_max");
  c.tightness = read_double(b, "tightness");
  c.tight_observed_ulps = read_double(b, "tightest_observed_ulps");
  c.tight_bound_ulps = read_double(b, "tightest_bound_ulps");
  c.over_bound = b.at("over_bound").get<std::size_t>();
  c.vacuous_bound = b.at("vacuous").get<std::size_t>();
  const json& bias = j.at("bias");
  c.bias.elements = bias.at("elements").get<std::size_t>();
  c.bias.mean_signed_ulps = read_double(bias, "mean_signed_ulps");
  c.bias.sd_ulps = read_double(bias, "sd_ulps");
  c.bias.rows = bias.at("rows").get<std::size_t>();
  if (!bias.at("z").is_null()) c.bias.z = read_double(bias, "z");
  c.spread_mean = read_double(j, "spread_mean");
  // Fields added after schema softcheck-report/1 was first written: optional on reading.
  if (j.contains("magnitude_mean")) c.magnitude_mean = read_double(j, "magnitude_mean");
  if (j.contains("error_histogram")) {
    const json& h = j.at("error_histogram");
    c.histogram.exact = h.at("exact").get<std::size_t>();
    const int lo = h.at("min_log2").get<int>();
    const json& counts = h.at("counts");
    for (std::size_t i = 0; i < counts.size(); ++i)
      if (const auto n = counts[i].get<std::size_t>())
        c.histogram.log2[lo + static_cast<int>(i)] = n;
  }
  const json& s = j.at("specials");
  c.specials.masked = s.at("masked").get<std::size_t>();
  c.specials.masked_wrong = s.at("masked_wrong").get<std::size_t>();
  c.specials.all_masked_rows = s.at("all_masked_rows").get<std::size_t>();
  c.specials.all_masked_wrong = s.at("all_masked_wrong").get<std::size_t>();
  c.specials.class_mismatch = s.at("class_mismatch").get<std::size_t>();
  c.specials.flushed_to_zero = s.at("flushed_to_zero").get<std::size_t>();
  c.specials.subnormal_outputs = s.at("subnormal_outputs").get<std::size_t>();
  const json& w = j.at("worst");
  c.worst.kind = w.at("kind").get<std::string>();
  c.worst.row = w.at("row").get<std::size_t>();
  c.worst.index = w.at("index").get<std::size_t>();
  c.worst.got = read_double(w, "got");
  c.worst.exact = read_double(w, "exact");
  c.worst.expected = read_double(w, "expected");
  c.worst.ulps_exact = read_double(w, "ulps_exact");
  c.worst.ulps_rounded = read_double(w, "ulps_rounded");
  c.worst.abs = read_double(w, "abs");
  c.worst.bound_abs = read_double(w, "bound_abs");
  c.worst.tightness = read_double(w, "tightness");
  return c;
}

Report report_from_json(const json& j) {
  try {
    const std::string schema = j.at("schema").get<std::string>();
    if (schema != kReportSchema)
      throw std::runtime_error(
          fmt::format("report.json: schema '{}', this softcheck reads {}", schema, kReportSchema));
    Report r;
    r.generator = j.at("generator").get<std::string>();
    const json& p = j.at("plan");
    r.plan.name = p.at("name").get<std::string>();
    r.plan.seed = read_seed(p, "seed");
    r.plan.elements_per_cell = p.at("elements_per_cell").get<std::size_t>();
    r.plan.max_rows = p.at("max_rows").get<std::size_t>();
    for (const json& f : p.at("families"))
      r.plan.families.push_back(f.at("name").get<std::string>());
    r.plan.cols = p.at("cols").get<std::vector<std::size_t>>();
    r.shard.index = j.at("shard").at("index").get<std::size_t>();
    r.shard.count = j.at("shard").at("count").get<std::size_t>();
    if (r.shard.count == 0 || r.shard.index >= r.shard.count)
      throw std::runtime_error(fmt::format(
          "report.json: shard {}/{} is no shard of a sweep (need 0 <= index < count)",
          r.shard.index, r.shard.count));
    for (const json& kj : j.at("kernels")) {
      KernelReport k;
      k.name = kj.at("name").get<std::string>();
      const auto op = parse_op(kj.at("op").get<std::string>());
      const auto dtype = parse_dtype(kj.at("dtype").get<std::string>());
      if (!op || !dtype) throw std::runtime_error("report.json: unknown op or dtype of " + k.name);
      k.op = *op;
      k.dtype = *dtype;
      k.contract = kj.at("contract");
      k.bound = kj.at("bound").get<std::string>();
      for (const json& cj : kj.at("cells")) k.cells.push_back(cell_from_json(cj));
      compute_totals(k);  // derived fields are recomputed, never trusted
      if (kj.contains("diagnosis")) k.diagnosis = diagnosis_from_json(kj.at("diagnosis"));
      r.kernels.push_back(std::move(k));
    }
    for (const json& s : j.at("skipped"))
      r.skipped.push_back({s.at("name").get<std::string>(), s.at("op").get<std::string>(),
                           s.at("dtype").get<std::string>(), s.at("reason").get<std::string>()});
    if (j.contains("run")) r.run = j.at("run");
    return r;
  } catch (const json::exception& e) {
    throw std::runtime_error(std::string("report.json: ") + e.what());
  }
}

namespace {

// The keys of an object: `first` in that order (those present), then the rest in sorted order.
std::vector<std::string> ordered_keys(const json& o, std::initializer_list<const char*> first) {
  std::vector<std::string> keys;
  for (const char* k : first)
    if (o.contains(k)) keys.emplace_back(k);
  for (const auto& [k, v] : o.items())
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  return keys;
}

}  // namespace

std::string format_report_json(const json& report) {
  std::string s = "{";
  const auto top = ordered_keys(report, {"schema", "generator", "summary", "plan", "shard",
                                         "limits", "skipped", "baseline_diff", "run", "kernels"});
  for (std::size_t t = 0; t < top.size(); ++t) {
    const json& value = report.at(top[t]);
    s += (t ? ",\n" : "\n") + json(top[t]).dump() + ": ";
    if (top[t] != "kernels") {
      s += value.dump();
      continue;
    }
    s += "[";
    for (std::size_t i = 0; i < value.size(); ++i) {
      const json& k = value[i];
      s += i ? ",\n {" : "\n {";
      const auto fields =
          ordered_keys(k, {"name", "op", "dtype", "verdict", "failed_cells", "diagnosis", "totals", "worst_case",
                           "bound", "repro", "contract", "cells"});
      for (std::size_t f = 0; f < fields.size(); ++f) {
        const json& kv = k.at(fields[f]);
        s += (f ? ",\n  " : "\n  ") + json(fields[f]).dump() + ": ";
        if (fields[f] != "cells") {
          s += kv.dump();
          continue;
        }
        s += "[";
        for (std::size_t c = 0; c < kv.size(); ++c) s += (c ? ",\n   " : "\n   ") + kv[c].dump();
        s += kv.empty() ? "]" : "\n  ]";
      }
      s += "\n }";
    }
    s += value.empty() ? "]" : "\n]";
  }
  return s + "\n}\n";
}

json result_part(const json& report) {
  json r = report;
  r.erase("run");
  return r;
}

}  // namespace softcheck::reports
