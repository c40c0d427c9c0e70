// `softcheck merge DIR...`: the shards of one sweep (--shard i/N, or GTEST_SHARD_INDEX /
// GTEST_TOTAL_SHARDS) put back together. The merge holds every cell once, in plan order, with
// totals and worst cases recomputed, and equals the report of one unsharded run except for "run".
#pragma once

#include <stdexcept>
#include <vector>

#include "reports/report.hpp"

namespace softcheck::reports {

struct MergeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws MergeError when the parts are not the shards 0..N-1 of one plan, each present once.
Report merge_reports(std::vector<Report> parts);

}  // namespace softcheck::reports
