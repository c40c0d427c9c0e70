// --seed: a 64-bit unsigned seed, decimal or 0x-hexadecimal. Anything else (a sign, a value past
// 2^64 - 1, trailing characters) is a usage error: CLI11 alone wraps -1 and saturates
// 99999999999999999999999, both to 18446744073709551615, and the run would use a seed nobody gave.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

namespace softcheck::cli {

std::optional<uint64_t> parse_seed(std::string_view s);

CLI::Option* add_seed_option(CLI::App& cmd, uint64_t& seed, const std::string& description);

}  // namespace softcheck::cli
