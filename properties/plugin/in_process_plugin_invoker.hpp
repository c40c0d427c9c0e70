// `--isolation none`: a plugin kernel called directly in softcheck's process, for benchmarking and
// for running softcheck under a debugger. Nothing is isolated: a crash of the kernel is a crash of
// softcheck, and out-of-bounds accesses go unnoticed. Only the FP environment is still reset before
// and compared after each call (fp_environment.hpp), so a kernel that changes it cannot change the
// oracle's results silently.
#pragma once

#include "properties/invoke.hpp"

namespace softcheck {

class InProcessPluginInvoker final : public Invoker {
 public:
  CallResult call(const Kernel& kernel, const Call& call) const override;

 private:
  InProcessInvoker direct_;
};

}  // namespace softcheck
