#include "reports/merge.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "reports/report_json.hpp"

namespace softcheck::reports {

Report merge_reports(std::vector<Report> parts) {
  if (parts.empty()) throw MergeError("nothing to merge");
  const Report& first = parts.front();
  const std::size_t count = first.shard.count;
  std::set<std::size_t> seen;
  const std::vector<VerdictInput> expected = verdict_inputs(first);
  for (const Report& p : parts) {
    if (p.shard.count == 0 || p.shard.index >= p.shard.count)
      throw MergeError(fmt::format("shard {}/{} is no shard of a sweep (need 0 <= index < count)",
                                   p.shard.index, p.shard.count));
    // Everything that decides a verdict must agree, or half the cells were judged by other rules.
    const std::vector<VerdictInput> got = verdict_inputs(p);
    for (std::size_t f = 0; f < std::max(expected.size(), got.size()); ++f) {
      const VerdictInput none{"(absent)", "(absent)"};
      const VerdictInput& a = f < expected.size() ? expected[f] : none;
      const VerdictInput& b = f < got.size() ? got[f] : none;
      if (a.field == b.field && a.value == b.value) continue;
      throw MergeError(fmt::format(
          "shards {}/{} and {}/{} are not of one sweep: {} differs ({} vs {}); fingerprints {} and "
          "{}",
          first.shard.index, count, p.shard.index, p.shard.count,
          a.field == b.field ? a.field : a.field + " / " + b.field,
          a.field == b.field ? a.value : a.field + " = " + a.value,
          a.field == b.field ? b.value : b.field + " = " + b.value, fingerprint(first),
          fingerprint(p)));
    }
    if (p.shard.count != count)
      throw MergeError(fmt::format("shard counts differ ({} and {})", count, p.shard.count));
    if (!seen.insert(p.shard.index).second)
      throw MergeError(fmt::format("shard {}/{} given twice", p.shard.index, count));
  }
  if (seen.size() != count) {
    std::string missing;
    for (std::size_t i = 0; i < count; ++i)
      if (!seen.count(i)) missing += fmt::format("{}{}/{}", missing.empty() ? "" : ", ", i, count);
    throw MergeError("missing shards: " + missing);
  }

  Report merged;
  merged.generator = first.generator;
  merged.plan = first.plan;
  merged.shard = Shard{0, 1};
  // Kernels and skipped kernels in the order of the first part (every shard lists them all).
  std::map<std::string, std::size_t> position;
  for (const KernelReport& k : first.kernels) {
    position[k.name] = merged.kernels.size();
    KernelReport m;
    m.name = k.name;
    m.contract = k.contract;
    m.op = k.op;
    m.dtype = k.dtype;
    m.bound = k.bound;
    merged.kernels.push_back(std::move(m));
  }
  merged.skipped = first.skipped;
  std::map<std::string, std::size_t> family_index;
  for (std::size_t f = 0; f < first.plan.families.size(); ++f)
    family_index[first.plan.families[f]] = f;
  std::map<std::size_t, std::size_t> cols_index;
  for (std::size_t c = 0; c < first.plan.cols.size(); ++c) cols_index[first.plan.cols[c]] = c;
  auto plan_position = [&](const CellResult& c) {
    return family_index.at(c.family) * first.plan.cols.size() + cols_index.at(c.cols);
  };

  nlohmann::json seconds = nlohmann::json::array();
  for (Report& p : parts) {
    if (p.kernels.size() != first.kernels.size()) throw MergeError("shards list different kernels");
    for (KernelReport& k : p.kernels) {
      auto it = position.find(k.name);
      if (it == position.end()) throw MergeError("kernel " + k.name + " is in one shard only");
      KernelReport& m = merged.kernels[it->second];
      for (CellResult& c : k.cells) {
        if (!family_index.count(c.family) || !cols_index.count(c.cols))
          throw MergeError(fmt::format("cell {} of {} is not in the plan", c.key(), k.name));
        m.cells.push_back(std::move(c));
      }
      if (k.worst && (!m.worst || worse_than(*k.worst, *m.worst))) m.worst = std::move(k.worst);
      if (k.diagnosis && !m.diagnosis) m.diagnosis = std::move(k.diagnosis);
    }
    seconds.push_back(p.run.value("seconds", 0.0));
  }
  for (KernelReport& m : merged.kernels) {
    std::sort(m.cells.begin(), m.cells.end(), [&](const CellResult& a, const CellResult& b) {
      return plan_position(a) < plan_position(b);
    });
    for (std::size_t i = 1; i < m.cells.size(); ++i)
      if (m.cells[i].key() == m.cells[i - 1].key())
        throw MergeError(fmt::format("cell {} of {} is in two shards", m.cells[i].key(), m.name));
    compute_totals(m);
  }
  merged.run = {{"merged_shards", count}, {"shard_seconds", seconds}};
  return merged;
}

}  // namespace softcheck::reports
