#include "cli/check_progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

namespace softcheck::cli {

CheckProgress::CheckProgress(bool enabled, std::FILE* out)
    : on_(enabled && ::isatty(::fileno(out)) == 1), out_(out) {}

void CheckProgress::begin(const std::string& kernel, const std::string& property,
                          int target_cases) {
  if (!on_) return;
  what_ = kernel + " / " + property;
  target_ = target_cases;
  start_ = last_ = std::chrono::steady_clock::now();
  draw(0);
}

void CheckProgress::case_done(int cases) {
  if (!on_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < kRedraw) return;
  last_ = now;
  draw(cases);
}

void CheckProgress::draw(int cases) {
  const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const std::string rate = t > 0 && cases > 0 ? fmt::format(", {:.1f} cases/s", cases / t) : "";
  fmt::print(out_, "\r\033[Kchecking {}: {}/{} cases, {:.1f} s{}", what_, cases, target_, t, rate);
  std::fflush(out_);
}

void CheckProgress::end() {
  if (!on_) return;
  fmt::print(out_, "\r\033[K");
  std::fflush(out_);
}

}  // namespace softcheck::cli
