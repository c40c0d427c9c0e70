// A PropertyOutcome as bytes and back, exactly: doubles by their bits, strings byte for byte, the
// diagnosis included. `softcheck check --jobs N` checks each property in a child process, which
// hands its outcome to the parent this way, so that the parent prints and writes (--json, --junit)
// the same bytes as --jobs 1. JSON is not used: it turns NaN and infinities into null and rejects
// text that is not UTF-8 (a counterexample message may hold anything a kernel printed).
#pragma once

#include <string>
#include <string_view>

#include "properties/runner.hpp"

namespace softcheck::cli {

std::string encode_outcome(const PropertyOutcome& o);
// Throws std::runtime_error when `bytes` is not a whole encoded outcome.
PropertyOutcome decode_outcome(std::string_view bytes);

}  // namespace softcheck::cli
