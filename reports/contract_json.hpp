// Contracts as JSON (reports, softcheck list --json, check --json).
#pragma once

#include <cmath>

#include <nlohmann/json.hpp>

#include "softcheck/contract.hpp"

namespace softcheck {

inline nlohmann::json finite_or_null(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

inline nlohmann::json contract_to_json(const Contract& c) {
  return {
      {"name", c.name},
      {"op", name_of(c.op)},
      {"dtype", name_of(c.dtype)},
      {"accum", name_of(c.accum)},
      {"algorithm", name_of(c.algorithm)},
      {"summation", name_of(c.summation)},
      {"lanes", c.lanes},
      {"exp_ulps", c.exp_ulps},
      {"log_ulps", c.log_ulps},
      {"isa", c.isa},
      {"all_masked", name_of(c.all_masked)},
      {"infinite_tau", name_of(c.infinite_tau)},
      {"flushes_subnormals", c.flushes_subnormals},
      {"monotone_exp", c.monotone_exp},
      {"domain",
       {{"max_logit", finite_or_null(c.domain.max_logit)},
        {"min_row_max", finite_or_null(c.domain.min_row_max)},
        {"accepts_neg_inf", c.domain.accepts_neg_inf},
        {"propagates_nan", c.domain.propagates_nan}}},
      {"summary", c.summary},
  };
}

}  // namespace softcheck
