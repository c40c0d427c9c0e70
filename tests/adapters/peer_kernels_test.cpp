// Every peer adapter that was built goes through its whole property catalogue with the fixed CI
// seed. A peer must pass every property except its known findings (adapters/known_findings.cpp,
// docs/findings.md), which must still fail: a new failure and a fixed finding both fail this test,
// so the contracts and the findings document cannot drift from what the libraries do.
// Adapters that were not built are visible skips.
#include <gtest/gtest.h>

#include "adapters/peer_kernels.hpp"
#include "impl/registry.hpp"
#include "properties/runner.hpp"

namespace softcheck {
namespace {

struct Case {
  const Kernel* kernel;
  const Property* property;
};

std::vector<Case> all_cases() {
  std::vector<Case> v;
  for (const Kernel& k : builtin_kernels())
    if (is_peer(k.contract))
      for (const Property* p : properties_for(k.contract)) v.push_back({&k, p});
  return v;
}

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.kernel->contract.name << " / " << c.property->name;
}

class PeerKernel : public ::testing::TestWithParam<Case> {};

TEST_P(PeerKernel, HoldsPropertyOrShowsItsKnownFinding) {
  const Case& c = GetParam();
  RunConfig config;
  config.seed = seed_from_environment();
  const KnownFinding* finding = find_known_finding(c.kernel->contract.name, c.property->name);
  // A known finding only has to fail again; its minimal case is in docs/findings.md.
  if (finding) config.shrink = false;
  const PropertyOutcome o = run_property(*c.kernel, *c.property, InProcessInvoker{}, config);
  std::cout << format_outcome(o) << "\n";
  if (o.verdict == Verdict::skipped) GTEST_SKIP() << o.message;
  if (const KnownFinding* f = finding) {
    EXPECT_EQ(o.verdict, Verdict::failed)
        << "known finding no longer reproduces (update adapters/known_findings.cpp and "
           "docs/findings.md): "
        << f->what;
  } else {
    EXPECT_EQ(o.verdict, Verdict::passed) << format_outcome(o);
  }
}

INSTANTIATE_TEST_SUITE_P(Peers, PeerKernel, ::testing::ValuesIn(all_cases()),
                         [](const auto& info) {
                           return info.param.kernel->contract.name + "__" +
                                  info.param.property->name;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(PeerKernel);

class PeerAdapterBuilt : public ::testing::TestWithParam<PeerAdapter> {};

TEST_P(PeerAdapterBuilt, RegistersKernels) {
  const PeerAdapter& a = GetParam();
  if (!a.built) GTEST_SKIP() << a.library << " adapter " << a.detail;
  std::cout << a.library << ": " << a.detail << "\n";
  int kernels = 0;
  for (const Kernel& k : builtin_kernels()) kernels += is_peer(k.contract) ? 1 : 0;
  EXPECT_GT(kernels, 0);
}

INSTANTIATE_TEST_SUITE_P(Adapters, PeerAdapterBuilt, ::testing::ValuesIn(peer_adapters()),
                         [](const auto& info) { return info.param.library; });

TEST(PeerRegistry, KnownFindingsNameRegisteredKernelsAndProperties) {
  for (const KnownFinding& f : known_peer_findings()) {
    const Kernel* k = find_kernel(f.kernel);
    if (k == nullptr) continue;  // its adapter was not built here
    bool has = false;
    for (const Property* p : properties_for(k->contract)) has = has || p->name == f.property;
    EXPECT_TRUE(has) << f.kernel << " has no property " << f.property;
  }
}

}  // namespace
}  // namespace softcheck
