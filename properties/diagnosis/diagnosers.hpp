// The experiments of this folder, one file each (the engine's order is in diagnosis.cpp).
#pragma once

#include <optional>

#include "properties/diagnosis/diagnosis.hpp"

namespace softcheck::diagnosis {

std::optional<Diagnosis> memory_status(const Kernel& k, const Invoker& inv);   // memory_status.cpp
std::optional<Diagnosis> call_state(const Kernel& k, const Invoker& inv);      // call_state.cpp
std::optional<Diagnosis> cross_row(const Kernel& k, const Invoker& inv);       // cross_row.cpp
std::optional<Diagnosis> overflow(const Kernel& k, const Invoker& inv);        // overflow.cpp
std::optional<Diagnosis> max_sentinel(const Kernel& k, const Invoker& inv);    // max_sentinel.cpp
std::optional<Diagnosis> flush(const Kernel& k, const Invoker& inv);           // flush.cpp
std::optional<Diagnosis> exp_inaccurate(const Kernel& k, const Invoker& inv);  // exp_inaccurate.cpp
std::optional<Diagnosis> masked_block(const Kernel& k, const Invoker& inv);    // masked_block.cpp
std::optional<Diagnosis> special_table(const Kernel& k, const Invoker& inv);   // special_table.cpp
std::optional<Diagnosis> index_overflow(const Kernel& k, const Invoker& inv);  // index_overflow.cpp
std::optional<Diagnosis> accumulation(const Kernel& k, const Invoker& inv);    // accumulation.cpp
std::optional<Diagnosis> tile_edge(const Kernel& k, const Invoker& inv);       // tile_edge.cpp
std::optional<Diagnosis> online_rescale(const Kernel& k, const Invoker& inv);  // online_rescale.cpp
std::optional<Diagnosis> normaliser(const Kernel& k, const Invoker& inv);      // normaliser.cpp
std::optional<Diagnosis> rounding_bias(const Kernel& k, const Invoker& inv);   // rounding_bias.cpp

}  // namespace softcheck::diagnosis
