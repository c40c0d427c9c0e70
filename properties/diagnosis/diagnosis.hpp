// Failure diagnosis: after a property fails, softcheck runs small experiments on the kernel (through
// the same Invoker, so built-in kernels and plugins are diagnosed alike) to say what is wrong, with
// the evidence, rather than only that something is. Each diagnosis is one file of this folder with
// a stable kind and named parameters (docs/check-json-schema.md, "diagnosis"); the engine runs them
// in a fixed order and reports the first that explains the kernel's behaviour. When none does, the
// answer is "no diagnosis", never a guess.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "properties/invoke.hpp"
#include "softcheck/kernel.hpp"

namespace softcheck {

struct DiagnosisParam {
  std::string name;                          // stable, snake_case
  std::variant<double, std::string> value;   // a number, or a text (lists such as widths)
  // A value of the kernel's format found by bisection (a threshold, a cutoff): printed in hex as
  // well, since its last bit matters; estimates and counts are printed in decimal only.
  bool exact = false;
};

struct Diagnosis {
  std::string kind;                   // stable class name, e.g. "flush_to_zero"
  std::vector<DiagnosisParam> params; // the measured facts (cutoff, threshold, widths, ...)
  std::string summary;                // what is wrong and what to do, one sentence
  std::string evidence;               // the experiment and what it showed
};

// One experiment; it returns nullopt for contracts it does not understand (most are for softmax).
struct Diagnoser {
  std::string_view name;  // the file of this folder that runs it
  std::optional<Diagnosis> (*run)(const Kernel&, const Invoker&);
};

// In the order the engine tries them: evidence that leaves no doubt first (call statuses), then
// experiments from the most specific cause to the most general (bias).
std::span<const Diagnoser> diagnosers();

// The first diagnosis whose experiment explains the kernel's behaviour; nullopt: no diagnosis.
// Never throws for a misbehaving kernel: an experiment whose calls fail differently from what it
// looks for simply does not conclude.
std::optional<Diagnosis> diagnose(const Kernel& kernel, const Invoker& invoker);

// "diagnosis: flush_to_zero (cutoff=0x1p-126, format=f32): ...\n    evidence: ..." or
// "diagnosis: none (...)"; the line `softcheck check` prints under a failed property.
std::string format_diagnosis(const std::optional<Diagnosis>& d);
std::string format_params(const Diagnosis& d);

}  // namespace softcheck
