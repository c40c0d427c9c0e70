#include "tests/mutants/gallery_run.hpp"

#include <fmt/format.h>

#include "properties/plugin/isolated_invoker.hpp"

namespace softcheck::mutants {

std::unique_ptr<Invoker> invoker_for(const Mutant& m) {
  if (m.status) return std::make_unique<IsolatedInvoker>();
  return std::make_unique<InProcessInvoker>();
}

Catch run_mutant(const Mutant& m, const RunConfig& config, bool probe_others) {
  Catch c;
  c.expected.kernel = m.kernel.contract.name;
  c.expected.property = m.expected_property;
  const std::vector<const Property*> props = properties_for(m.kernel.contract);
  const std::unique_ptr<Invoker> invoker = invoker_for(m);
  for (const Property* p : props) {
    if (p->name != m.expected_property) continue;
    c.applies = true;
    c.expected = run_property(m.kernel, *p, *invoker, config);
  }
  // require_call_ok (properties/failure.cpp) names the status of a failed call in the message.
  if (c.applies && c.expected.verdict == Verdict::failed && m.status)
    c.status_named = c.expected.message.find(name_of(*m.status)) != std::string::npos;
  c.probed = !c.caught() && probe_others;
  if (c.probed)
    for (const Property* p : props) {
      if (p->name == m.expected_property) continue;
      if (run_property(m.kernel, *p, *invoker, config).verdict == Verdict::failed)
        c.others.push_back(p->name);
    }
  return c;
}

std::string Catch::summary() const {
  const std::string& k = expected.kernel;
  if (caught())
    return fmt::format("{}: caught by {} after {} passing case(s)", k, expected.property,
                       expected.cases);
  std::string why;
  if (!applies)
    why = fmt::format("the expected property {} is not in the catalogue for this contract",
                      expected.property);
  else if (expected.verdict != Verdict::failed)
    why = fmt::format("{} gave {} after {} case(s)", expected.property, name_of(expected.verdict),
                      expected.cases);
  else
    why = fmt::format("{} failed but not with the expected call status:\n{}", expected.property,
                      expected.message);
  std::string others_text =
      probed ? "no other property catches it either" : "the other properties were not run";
  if (!others.empty()) {
    others_text = "caught instead by:";
    for (const auto& o : others) others_text += " " + o;
  }
  return fmt::format("{}: NOT CAUGHT as expected: {}; {}", k, why, others_text);
}

}  // namespace softcheck::mutants
