#include "properties/plugin/in_process_plugin_invoker.hpp"

#include "properties/plugin/call_slots.hpp"
#include "properties/plugin/fault_record.hpp"
#include "properties/plugin/fp_environment.hpp"

namespace softcheck {

CallResult InProcessPluginInvoker::call(const Kernel& kernel, const Call& c) const {
  FaultRecord record{};
  begin_call(&record);
  CallResult r = direct_.call(kernel, c);
  end_call(&record);
  // Whatever the kernel left, softcheck's own computations after it run in the default.
  reset_fp_environment();
  if (!r.ok()) return r;
  CallResult fp = check_fp_environment(record, c);
  if (fp.ok()) return r;
  fp.out = std::move(r.out);
  return fp;
}

}  // namespace softcheck
