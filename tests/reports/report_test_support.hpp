// Small sweeps for the report tests: a plan of a few families and lengths, so a whole report takes
// well under a second (also under ASan).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "impl/registry.hpp"
#include "reports/plan.hpp"
#include "reports/sweep.hpp"

namespace softcheck::reports::testing {

// Two random-rounding families (bias is judged there), masks, an adversarial family; lengths at a
// tile edge and one long row; 64 rows per short cell so the bias z-score is judged.
inline Plan tiny_plan() {
  Plan p = quick_plan();
  p.name = "test";
  p.families = {"normal-s1", "masked", "adversarial"};
  p.cols = {1, 7, 33, 300};
  p.elements_per_cell = 448;
  p.max_rows = 64;
  return p;
}

inline const Kernel& builtin(const std::string& name) {
  const Kernel* k = find_kernel(name);
  if (!k) throw std::runtime_error("no built-in kernel " + name);
  return *k;
}

inline Report sweep(const std::vector<Kernel>& kernels, Plan plan = tiny_plan(), Shard shard = {}) {
  SweepOptions o;
  o.plan = std::move(plan);
  o.shard = shard;
  o.jobs = 2;
  return run_sweep(kernels, o);
}

// A kernel no report can judge: log-softmax with an online algorithm has no derived bound
// (properties/error_bound_ops.cpp), so the sweep must list it as skipped, with the reason.
inline Kernel unjudgeable_kernel() {
  Kernel k = builtin("f32_log_softmax_shifted__scalar");
  k.contract.name = "f32_log_softmax_online__test";
  k.contract.algorithm = Algorithm::online;
  return k;
}

// A fresh empty directory under the test's temporary directory.
inline std::filesystem::path fresh_dir(const std::string& name) {
  const char* tmp = std::getenv("TMPDIR");
  std::filesystem::path p = std::filesystem::path(tmp ? tmp : "/tmp") /
                            ("softcheck-reports-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p;
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace softcheck::reports::testing
