// Progress of a long sweep on stderr (issue 7): a bar redrawn in place on a terminal - also every
// second while a long cell runs, so a minute-long cell of 1e7 elements is never a silent terminal -
// plain lines (one per kernel) otherwise, so CI logs stay readable. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

namespace softcheck::reports {

class Progress {
 public:
  enum class Mode { off, bar, lines };
  // `auto_mode`: bar when `out` is a terminal, lines otherwise.
  static Mode auto_mode(std::FILE* out);
  Progress(Mode mode, std::FILE* out = stderr);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void begin(std::size_t total_cells, std::size_t kernels);
  void kernel_begin(const std::string& name);
  void cell_done();
  void kernel_done(const std::string& name, std::size_t cells, const std::string& verdict,
                   double seconds);
  void end();

 private:
  void draw_locked();
  double elapsed() const;
  void stop_ticker();

  Mode mode_;
  std::FILE* out_;
  std::mutex mu_;
  std::size_t total_ = 0, done_ = 0, kernels_ = 0, kernels_done_ = 0;
  std::string current_;
  std::chrono::steady_clock::time_point start_, last_draw_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread ticker_;  // bar mode: redraws once a second between cells
};

}  // namespace softcheck::reports
