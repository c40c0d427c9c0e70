// A property: a named claim about a kernel, checked on generated cases. The same catalogue runs
// from the gtest suite, `softcheck check` and the reports; which properties apply follows from the
// kernel's contract (op, algorithm, domain, policies).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "properties/invoke.hpp"
#include "softcheck/kernel.hpp"

namespace softcheck {

struct PropertyContext {
  const Kernel& kernel;
  const Invoker& invoker;
  std::size_t max_cols = 100000;
};

struct Property {
  std::string name;
  std::string summary;
  bool (*applies)(const Contract&);
  // Draws one case (with *gen inside) and asserts with RC_ASSERT / fails with fail_case().
  void (*check_one)(const PropertyContext&);
};

// Catalogues by area; properties_for() concatenates the ones that apply to a contract.
std::span<const Property> softmax_catalogue();       // properties/softmax_properties.cpp
std::span<const Property> log_softmax_catalogue();   // properties/log_softmax_properties.cpp
std::span<const Property> backward_catalogue();      // properties/backward_properties.cpp
std::span<const Property> cross_entropy_catalogue(); // properties/cross_entropy_properties.cpp
std::span<const Property> temperature_catalogue();   // properties/temperature_properties.cpp
std::span<const Property> half_catalogue();          // properties/half_properties.cpp
std::vector<const Property*> properties_for(const Contract& c);
std::vector<const Property*> all_properties();

}  // namespace softcheck
