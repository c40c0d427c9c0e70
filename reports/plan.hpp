// The sweep plan of a report (issue 7): which input families and row lengths it covers, how many
// rows each cell gets, and from which seed. A cell is (kernel, family, cols). Its inputs depend
// only on the plan's seed, the family, the length and the kernel's dtype, never on the order cells
// run in, so a shard of the plan computes bit for bit the cells an unsharded run computes, and
// shards merge into the same report.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace softcheck::reports {

inline constexpr uint64_t kDefaultReportSeed = 0x50f7c4ec;

struct Plan {
  std::string name;  // "default" or "quick" (a filtered plan keeps its name)
  uint64_t seed = kDefaultReportSeed;
  std::vector<std::string> families;  // names of reports/families.hpp, in report order
  std::vector<std::size_t> cols;      // row lengths, ascending
  // Rows per cell: enough rows for about this many outputs (at least one row, at most max_rows).
  // Short rows get many rows, which the bias z-score needs (rows are its independent samples).
  std::size_t elements_per_cell = 2048;
  std::size_t max_rows = 2048;
};

// Every family; cols log-spaced from 1 to 65536 (powers of two and decades) plus the tile edges
// T - 1, T, T + 1 of T = 4, 8, 16, 32, 64, 128, 256, 4096; about 2048 outputs per cell, so rows of
// up to 64 have the 32 rows a bias verdict needs. Issue 7 asks for `make report` under 5 minutes on
// 2 cores for ~50 kernels: measured 43 kernels in ~2 minutes of CPU (the MPFR reference is ~2-4 us
// per output; everything else is small beside it).
Plan default_plan();
// Every family on fewer lengths and fewer rows: under 30 seconds (issue 7).
Plan quick_plan();

std::size_t rows_for(const Plan& p, std::size_t cols);

// The seed of a cell's inputs: a hash of the plan seed, family and length (kernel-independent, so
// every kernel of a dtype sees the same rows and kernels can be compared cell by cell).
uint64_t cell_seed(const Plan& p, std::string_view family, std::size_t cols);

// What two reports must share for their cells to have the same inputs, so that a baseline diff
// compares like with like: the seed and the rows per cell. Filtering families or cols keeps every
// remaining cell identical. (Merging shards needs more: reports/report.hpp, fingerprint.)
std::string inputs_fingerprint(const Plan& p);

// A slice of the cells: cell number c (in plan order, over every swept kernel) belongs to shard
// c % count. Round-robin, so every shard gets a similar mix of short and long rows.
struct Shard {
  std::size_t index = 0, count = 1;
  bool contains(std::size_t cell_number) const { return cell_number % count == index; }
  bool whole() const { return count == 1; }
};

// "i/N" with 0 <= i < N; nullopt when malformed.
std::optional<Shard> parse_shard(std::string_view s);
// GTEST_SHARD_INDEX / GTEST_TOTAL_SHARDS (the variables test runners that shard work set);
// nullopt when unset; throws std::invalid_argument when set but invalid.
std::optional<Shard> shard_from_environment();

}  // namespace softcheck::reports
