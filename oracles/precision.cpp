// working_bits: the precision of the references (the reasoning is in real.hpp).
#include <bit>

#include "oracles/real.hpp"

namespace softcheck::oracle {

unsigned working_bits(DType out, std::size_t n) {
  constexpr unsigned kGuardBits = 64;
  return static_cast<unsigned>(format_of(out).precision) + kGuardBits +
         static_cast<unsigned>(std::bit_width(n));
}

}  // namespace softcheck::oracle
