// Failures of peers that no contract flag can accept (not a policy choice but a wrong result),
// as reviewed data: tests/adapters expects exactly these, docs/findings.md explains each with the
// command that reproduces it.
#include <vector>

#include "adapters/peer_kernels.hpp"

namespace softcheck {

std::span<const KnownFinding> known_peer_findings() {
  static const std::vector<KnownFinding> findings = {
  };
  return findings;
}

}  // namespace softcheck
