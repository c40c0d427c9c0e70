#include "reports/worst_case.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "oracles/metrics.hpp"
#include "reports/cell_stats.hpp"
#include "reports/op_adapter.hpp"
#include "reports/sweep.hpp"

namespace softcheck::reports {
namespace {

double parse_double(const std::string& s, std::size_t line) {
  if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
  if (s == "inf") return std::numeric_limits<double>::infinity();
  if (s == "-inf") return -std::numeric_limits<double>::infinity();
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || errno == ERANGE)
    throw std::runtime_error(fmt::format("worst-case file, line {}: not a number: '{}'", line, s));
  return v;
}

uint64_t parse_u64(const std::string& s, std::size_t line) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(s.c_str(), &end, 0);
  if (s.empty() || end != s.c_str() + s.size() || errno == ERANGE || s[0] == '-')
    throw std::runtime_error(
        fmt::format("worst-case file, line {}: not an integer: '{}'", line, s));
  return v;
}

}  // namespace

void write_worst_case(std::ostream& os, const WorstCase& w) {
  // The header is small; the sections go straight to the stream (a row of 1e7 logits is 200 MB of
  // text).
  std::string s;
  s += fmt::format(
      "# softcheck worst case: the input of {}'s largest error relative to its bound\n", w.kernel);
  s += fmt::format("# {} {}, family {}, {} cols, row {} of the cell (seed {:#x}), element {}\n",
                   name_of(w.op), name_of(w.dtype), w.family, w.cols, w.row, w.seed, w.index);
  s += fmt::format(
      "# got {:.9g}, exact {:.17g} (rounded {:.9g}): {:.4g} ulp vs exact, {:.4g} ulp vs "
      "rounded, abs error {:.4g}, bound {:.4g}, tightness {:.4g} ({})\n",
      w.got, w.exact, w.expected, w.ulps_exact, w.ulps_rounded, w.abs, w.bound_abs, w.tightness,
      w.kind);
  s += fmt::format("# reproduce the cell: softcheck report --kernel {} --family {} --cols {}\n",
                   w.kernel, w.family, w.cols);
  s += "# replay: reports::replay() (tests/reports/worst_case_replay_test.cpp)\n";
  s += fmt::format("format {}\n", kWorstCaseFormat);
  s += fmt::format("kernel {}\nop {}\ndtype {}\nfamily {}\ncols {}\nseed {:#x}\nplan_position {}\n",
                   w.kernel, name_of(w.op), name_of(w.dtype), w.family, w.cols, w.seed,
                   w.plan_position);
  s += fmt::format("row {}\nindex {}\nkind {}\n", w.row, w.index, w.kind);
  s += fmt::format("got {}\nexact {}\nexpected {}\n", hex(w.got), hex(w.exact), hex(w.expected));
  s += fmt::format("ulps_exact {}\nulps_rounded {}\nabs {}\nbound_abs {}\ntightness {}\n",
                   hex(w.ulps_exact), hex(w.ulps_rounded), hex(w.abs), hex(w.bound_abs),
                   hex(w.tightness));
  if (w.op == Op::softmax_temp) s += fmt::format("tau {}\n", hex(w.tau));
  if (w.op == Op::cross_entropy) s += fmt::format("label {}\n", w.label);
  os << s;
  auto section = [&](const char* name, const std::vector<double>& v) {
    os << name << '\n';
    for (double e : v) os << hex(e) << '\n';
  };
  section("x", w.x);
  if (w.op == Op::softmax_backward) {
    section("y", w.y);
    section("dy", w.dy);
  }
}

std::string format_worst_case(const WorstCase& w) {
  std::ostringstream os;
  write_worst_case(os, w);
  return os.str();
}

WorstCase parse_worst_case(const std::string& text) {
  WorstCase w;
  std::istringstream in(text);
  std::string line;
  std::size_t number = 0;
  std::map<std::string, std::string> kv;
  std::map<std::string, std::vector<double>> sections;
  std::vector<double>* section = nullptr;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    if (line == "x" || line == "y" || line == "dy") {
      if (sections.count(line))
        throw std::runtime_error(
            fmt::format("worst-case file, line {}: section '{}' twice", number, line));
      section = &sections[line];
      continue;
    }
    if (section) {
      section->push_back(parse_double(line, number));
      continue;
    }
    const auto sp = line.find(' ');
    if (sp == std::string::npos)
      throw std::runtime_error(
          fmt::format("worst-case file, line {}: expected 'key value'", number));
    kv[line.substr(0, sp)] = line.substr(sp + 1);
  }
  auto get = [&](const char* key) -> const std::string& {
    auto it = kv.find(key);
    if (it == kv.end()) throw std::runtime_error(fmt::format("worst-case file: missing '{}'", key));
    return it->second;
  };
  if (get("format") != kWorstCaseFormat)
    throw std::runtime_error(
        fmt::format("worst-case file: format '{}', expected {}", get("format"), kWorstCaseFormat));
  w.kernel = get("kernel");
  const auto op = parse_op(get("op"));
  const auto dtype = parse_dtype(get("dtype"));
  if (!op || !dtype) throw std::runtime_error("worst-case file: unknown op or dtype");
  w.op = *op;
  w.dtype = *dtype;
  w.family = get("family");
  w.cols = parse_u64(get("cols"), 0);
  w.seed = parse_u64(get("seed"), 0);
  w.plan_position = parse_u64(get("plan_position"), 0);
  w.row = parse_u64(get("row"), 0);
  w.index = parse_u64(get("index"), 0);
  w.kind = get("kind");
  w.got = parse_double(get("got"), 0);
  w.exact = parse_double(get("exact"), 0);
  w.expected = parse_double(get("expected"), 0);
  w.ulps_exact = parse_double(get("ulps_exact"), 0);
  w.ulps_rounded = parse_double(get("ulps_rounded"), 0);
  w.abs = parse_double(get("abs"), 0);
  w.bound_abs = parse_double(get("bound_abs"), 0);
  w.tightness = parse_double(get("tightness"), 0);
  if (w.op == Op::softmax_temp) w.tau = parse_double(get("tau"), 0);
  if (w.op == Op::cross_entropy) w.label = static_cast<int64_t>(parse_u64(get("label"), 0));
  w.x = sections["x"];
  if (w.x.size() != w.cols)
    throw std::runtime_error(fmt::format(
        "worst-case file: {} logits in section 'x', expected cols = {}", w.x.size(), w.cols));
  if (w.op == Op::softmax_backward) {
    w.y = sections["y"];
    w.dy = sections["dy"];
    if (w.y.size() != w.cols || w.dy.size() != w.cols)
      throw std::runtime_error("worst-case file: sections 'y' and 'dy' need cols values each");
  }
  const std::size_t outputs = w.op == Op::cross_entropy ? w.cols + 1 : w.cols;
  if (w.index >= outputs) throw std::runtime_error("worst-case file: index out of range");
  if (w.op == Op::cross_entropy && static_cast<std::size_t>(w.label) >= w.cols)
    throw std::runtime_error("worst-case file: label out of range");
  for (const auto* v : {&w.x, &w.y, &w.dy})
    for (double e : *v)
      if (!representable(w.dtype, e))
        throw std::runtime_error(
            fmt::format("worst-case file: {} is not a {} value", hex(e), name_of(w.dtype)));
  return w;
}

void write_worst_case_file(const std::string& path, const WorstCase& w) {
  std::ofstream out(path, std::ios::binary);
  write_worst_case(out, w);
  if (!out.flush()) throw std::runtime_error("cannot write " + path);
}

WorstCase read_worst_case_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return parse_worst_case(s.str());
}

RowCase row_case_of(const WorstCase& w) {
  RowCase rc;
  rc.tau = w.tau;
  rc.label = w.label;
  rc.y = w.y;
  rc.dy = w.dy;
  return rc;
}

Replay replay(const WorstCase& w, const Kernel& kernel, const Invoker& invoker) {
  const Contract& c = kernel.contract;
  if (c.name != w.kernel || c.op != w.op || c.dtype != w.dtype)
    throw std::invalid_argument(fmt::format("worst case of {} ({} {}) replayed on {} ({} {})",
                                            w.kernel, name_of(w.op), name_of(w.dtype), c.name,
                                            name_of(c.op), name_of(c.dtype)));
  const OpAdapter* adapter = adapter_for(c.op);
  if (!adapter)
    throw std::invalid_argument("no report adapter for op " + std::string(name_of(c.op)));
  const RowCase rc = row_case_of(w);
  const auto run = adapter->run(kernel, invoker, w.x, std::span<const RowCase>(&rc, 1), w.cols);
  if (const auto* err = std::get_if<std::string>(&run))
    throw std::runtime_error("replay: kernel call failed: " + *err);
  Replay out;
  out.got = std::get<RowOutputs>(run).at(0, w.index);
  if (const std::optional<double> fixed = adapter->masked_output(w.x, rc, w.index)) {
    out.exact = out.expected = *fixed;
    out.within_bound = out.got == *fixed;
    return out;
  }
  // The element alone, judged as the sweep judged it: a long row in a range of one output.
  const bool in_ranges = w.cols >= kRangedRowCols && adapter->judges_in_ranges();
  const std::unique_ptr<RangeJudge> judge =
      in_ranges ? adapter->range_judge(c, w.x, rc, c.dtype) : nullptr;
  const RowReference ref = judge ? judge->reference(w.index, w.index + 1)
                                 : adapter->reference(w.x, rc, c.dtype);
  const RowBound bound = judge ? judge->bound(w.index, w.index + 1, ref)
                               : adapter->bound(c, w.x, rc, ref);
  const std::size_t j = judge ? 0 : w.index;
  const oracle::ErrorMetrics m = measure(out.got, ref, j, c.dtype);
  out.exact = ref.exact_d[j];
  out.expected = ref.rounded[j];
  out.class_mismatch = m.class_mismatch;
  out.ulps_exact = m.ulps_vs_exact;
  out.ulps_rounded = m.ulps_vs_rounded;
  out.abs = m.abs;
  out.bound_abs = usable_bound(bound.abs[j]);
  out.within_bound = !m.class_mismatch && m.abs <= out.bound_abs;
  return out;
}

}  // namespace softcheck::reports
