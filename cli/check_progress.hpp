// Progress of `softcheck check` on a terminal: one line redrawn in place while a property runs
// (kernel / property, cases done of the target, elapsed seconds, cases per second), erased before
// the property's outcome is printed. Off a terminal, or with -q, it prints nothing: logs get the
// outcomes only.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

namespace softcheck::cli {

class CheckProgress {
 public:
  // Draws only when `enabled` and `out` is a terminal.
  CheckProgress(bool enabled, std::FILE* out = stderr);
  void begin(const std::string& kernel, const std::string& property, int target_cases);
  void case_done(int cases);  // redraws at most every kRedraw
  void end();                 // erases the line

 private:
  static constexpr std::chrono::milliseconds kRedraw{200};
  void draw(int cases);

  bool on_;
  std::FILE* out_;
  std::string what_;
  int target_ = 0;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace softcheck::cli
