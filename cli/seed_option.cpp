#include "cli/seed_option.hpp"

#include <charconv>

namespace softcheck::cli {

std::optional<uint64_t> parse_seed(std::string_view s) {
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s.remove_prefix(2);
    base = 16;
  }
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

CLI::Option* add_seed_option(CLI::App& cmd, uint64_t& seed, const std::string& description) {
  // The transform runs on the text before CLI11 converts it, and hands on the decimal form.
  const CLI::Validator strict(
      [](std::string& text) -> std::string {
        const auto v = parse_seed(text);
        if (!v)
          return "'" + text + "' is not a seed: expected an integer 0 .. 18446744073709551615 "
                 "(2^64 - 1), decimal or 0x-hexadecimal";
        text = std::to_string(*v);
        return "";
      },
      "UINT64");
  return cmd.add_option("--seed", seed, description)->transform(strict)->capture_default_str();
}

}  // namespace softcheck::cli
