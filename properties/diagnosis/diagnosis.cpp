#include "properties/diagnosis/diagnosis.hpp"

#include <cmath>
#include <exception>

#include <fmt/format.h>

#include "properties/diagnosis/diagnosers.hpp"
#include "properties/diagnosis/probe.hpp"

namespace softcheck {
namespace {

// The order matters where one defect shows in several experiments: a call status is certain;
// state kept between calls also breaks the batch comparison; a missing max shift also breaks the
// sentinel rows; a flush also looks like an exp wrong near underflow; a masked leading block is a
// special value, but a specific one; accumulation, index and tile sweeps look at the length of
// the row, the rescale at its order; a truncating conversion also scales every output down, so the
// rounding bias (16-bit outputs only) comes before the normaliser, the most general.
constexpr Diagnoser kDiagnosers[] = {
    {"memory_status", diagnosis::memory_status},
    {"call_state", diagnosis::call_state},
    {"cross_row", diagnosis::cross_row},
    {"overflow", diagnosis::overflow},
    {"max_sentinel", diagnosis::max_sentinel},
    {"flush", diagnosis::flush},
    {"exp_inaccurate", diagnosis::exp_inaccurate},
    {"masked_block", diagnosis::masked_block},
    {"special_table", diagnosis::special_table},
    {"index_overflow", diagnosis::index_overflow},
    {"accumulation", diagnosis::accumulation},
    {"tile_edge", diagnosis::tile_edge},
    {"online_rescale", diagnosis::online_rescale},
    {"rounding_bias", diagnosis::rounding_bias},
    {"normaliser", diagnosis::normaliser},
};

std::string param_value(const DiagnosisParam& p) {
  if (const auto* s = std::get_if<std::string>(&p.value)) return *s;
  const double v = std::get<double>(p.value);
  if (p.exact) return fmt::format("{} ({:.6g})", hex(v), v);
  return fmt::format("{:.6g}", v);
}

}  // namespace

std::span<const Diagnoser> diagnosers() { return kDiagnosers; }

std::optional<Diagnosis> diagnose(const Kernel& kernel, const Invoker& invoker) {
  for (const Diagnoser& d : kDiagnosers) {
    try {
      if (auto found = d.run(kernel, invoker)) return found;
    } catch (const std::exception&) {
      // An experiment that cannot run on this kernel (an op it does not understand, a call the
      // invoker refuses) concludes nothing; the next one may.
    }
  }
  return std::nullopt;
}

std::string format_params(const Diagnosis& d) {
  std::string s;
  for (const DiagnosisParam& p : d.params)
    s += fmt::format("{}{}={}", s.empty() ? "" : ", ", p.name, param_value(p));
  return s;
}

std::string format_diagnosis(const std::optional<Diagnosis>& d) {
  if (!d)
    return "diagnosis: none (no experiment of properties/diagnosis explains this failure; see the "
           "counterexample above)";
  return fmt::format("diagnosis: {} ({}): {}\n    evidence: {}", d->kind, format_params(*d),
                     d->summary, d->evidence);
}

}  // namespace softcheck
