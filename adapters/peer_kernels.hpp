// Peer libraries (oneDNN, XNNPACK, libtorch) wrapped as kernels with the ABI of
// include/softcheck/kernel.hpp, so the property catalogue, `softcheck check --kernel`, the report
// and `softcheck bench` treat them like softcheck's own kernels. Each adapter is compiled only when
// CMake finds its library (adapters/CMakeLists.txt); peer_adapters() says which were and why not.
// The libtorch adapter is a module loaded on the first call of a torch kernel
// (adapters/torch_peers.cpp: loading libtorch costs a process ~0.4 s).
// Every adapter runs its library single-threaded and deterministically, and its contract states
// what was measured here (docs/findings.md), not what the library's documentation promises.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "softcheck/kernel.hpp"

namespace softcheck {

// The peer kernels of every adapter that was built (appended to the registry by impl/registry.cpp).
std::vector<Kernel> peer_kernels();

struct PeerAdapter {
  std::string library;  // "oneDNN 2.6", "XNNPACK", "libtorch 1.13"
  bool built = false;
  std::string detail;   // the implementation chosen at run time, or why the adapter was skipped
};
// Every adapter softcheck knows, built or not (`softcheck list` prints the skipped ones).
std::vector<PeerAdapter> peer_adapters();

// Whether a contract belongs to a peer (its isa names the library: onednn, xnnpack, torch...).
bool is_peer(const Contract& c);

// A behaviour of a peer that a property reports as a failure and that is not a deliberate choice a
// contract flag could accept (docs/findings.md lists each with its reproduction command). The
// peer tests expect exactly these failures, so a new failure, or a fixed one, is a test failure.
struct KnownFinding {
  const char* kernel;
  const char* property;
  const char* what;
};
std::span<const KnownFinding> known_peer_findings();
const KnownFinding* find_known_finding(std::string_view kernel, std::string_view property);

// The adapters' families, concatenated by peer_kernels() (empty where not built).
std::vector<Kernel> onednn_kernels();   // adapters/onednn_kernels.cpp
std::vector<Kernel> xnnpack_kernels();  // adapters/xnnpack_kernels.cpp
std::vector<Kernel> torch_kernels();    // adapters/torch_peers.cpp

}  // namespace softcheck
