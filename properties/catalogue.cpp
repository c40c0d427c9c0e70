// The union of the property catalogues; what applies to a kernel follows from its contract.
#include "properties/property.hpp"

namespace softcheck {

std::vector<const Property*> all_properties() {
  std::vector<const Property*> v;
  for (auto catalogue : {softmax_catalogue(), half_catalogue(), log_softmax_catalogue(),
                         backward_catalogue(), cross_entropy_catalogue(), temperature_catalogue()})
    for (const Property& p : catalogue) v.push_back(&p);
  return v;
}

std::vector<const Property*> properties_for(const Contract& c) {
  std::vector<const Property*> v;
  for (const Property* p : all_properties())
    if (p->applies(c)) v.push_back(p);
  return v;
}

}  // namespace softcheck
