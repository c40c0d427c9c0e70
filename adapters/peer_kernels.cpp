// The list of peer adapters (peer_kernels.hpp). SOFTCHECK_HAVE_<LIB> is defined by
// adapters/CMakeLists.txt for each library it found; the others are listed as skipped.
#include "adapters/peer_kernels.hpp"

#include <algorithm>

namespace softcheck {

std::string onednn_detail();
std::string xnnpack_detail();

#ifndef SOFTCHECK_HAVE_ONEDNN
std::vector<Kernel> onednn_kernels() { return {}; }
#endif
#ifndef SOFTCHECK_HAVE_XNNPACK
std::vector<Kernel> xnnpack_kernels() { return {}; }
#endif
std::string torch_detail();

#ifndef SOFTCHECK_HAVE_TORCH
std::vector<Kernel> torch_kernels() { return {}; }
#endif

std::vector<Kernel> peer_kernels() {
  std::vector<Kernel> v;
  for (auto&& family : {onednn_kernels(), xnnpack_kernels(), torch_kernels()})
    v.insert(v.end(), family.begin(), family.end());
  return v;
}

std::vector<PeerAdapter> peer_adapters() {
  std::vector<PeerAdapter> v;
#ifdef SOFTCHECK_HAVE_ONEDNN
  v.push_back({"oneDNN", true, onednn_detail()});
#else
  v.push_back({"oneDNN", false, "not built: libdnnl-dev not found, or SOFTCHECK_WITH_ONEDNN=OFF"});
#endif
#ifdef SOFTCHECK_HAVE_XNNPACK
  v.push_back({"XNNPACK", true, xnnpack_detail()});
#else
  v.push_back({"XNNPACK", false,
               "not built: libxnnpack-dev/libpthreadpool-dev not found, or SOFTCHECK_WITH_XNNPACK=OFF"});
#endif
#ifdef SOFTCHECK_HAVE_TORCH
  v.push_back({"libtorch", !torch_kernels().empty(), torch_detail()});
#else
  v.push_back({"libtorch", false, SOFTCHECK_TORCH_SKIP_REASON});
#endif
  return v;
}

bool is_peer(const Contract& c) {
  return c.isa == "onednn" || c.isa == "xnnpack" || c.isa.rfind("torch", 0) == 0;
}

const KnownFinding* find_known_finding(std::string_view kernel, std::string_view property) {
  const auto all = known_peer_findings();
  const auto it = std::find_if(all.begin(), all.end(), [&](const KnownFinding& f) {
    return kernel == f.kernel && property == f.property;
  });
  return it == all.end() ? nullptr : &*it;
}

}  // namespace softcheck
