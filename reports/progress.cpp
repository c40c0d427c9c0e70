#include "reports/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

namespace softcheck::reports {

Progress::Mode Progress::auto_mode(std::FILE* out) {
  return isatty(fileno(out)) ? Mode::bar : Mode::lines;
}

Progress::Progress(Mode mode, std::FILE* out) : mode_(mode), out_(out) {}

Progress::~Progress() { stop_ticker(); }

void Progress::stop_ticker() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

double Progress::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::begin(std::size_t total_cells, std::size_t kernels) {
  std::lock_guard lock(mu_);
  total_ = total_cells;
  kernels_ = kernels;
  done_ = kernels_done_ = 0;
  start_ = last_draw_ = std::chrono::steady_clock::now();
  if (mode_ == Mode::lines)
    fmt::print(out_, "report: {} cells over {} kernels\n", total_cells, kernels);
  if (mode_ == Mode::bar) {
    draw_locked();
    stopping_ = false;
    if (!ticker_.joinable())
      ticker_ = std::thread([this] {
        std::unique_lock lock(mu_);
        while (!wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; }))
          draw_locked();
      });
  }
}

void Progress::kernel_begin(const std::string& name) {
  std::lock_guard lock(mu_);
  current_ = name;
  if (mode_ == Mode::bar) draw_locked();
}

void Progress::cell_done() {
  std::lock_guard lock(mu_);
  ++done_;
  if (mode_ != Mode::bar) return;
  const auto now = std::chrono::steady_clock::now();
  if (done_ < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  draw_locked();
}

void Progress::kernel_done(const std::string& name, std::size_t cells, const std::string& verdict,
                           double seconds) {
  std::lock_guard lock(mu_);
  ++kernels_done_;
  if (mode_ == Mode::lines)
    fmt::print(out_, "report: [{}/{}] {}: {} cells, {}, {:.1f} s\n", kernels_done_, kernels_, name,
               cells, verdict, seconds);
  std::fflush(out_);
}

void Progress::draw_locked() {
  constexpr int kWidth = 30;
  const double f = total_ ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0;
  const int filled = static_cast<int>(f * kWidth);
  const double t = elapsed();
  const std::string eta =
      done_ > 0 && done_ < total_
          ? fmt::format(", ~{:.0f} s left",
                        t / static_cast<double>(done_) * static_cast<double>(total_ - done_))
          : "";
  const std::string rate = done_ > 0 && t > 0 ? fmt::format(", {:.1f} cells/s", done_ / t) : "";
  fmt::print(out_, "\r\033[K[{}{}] {}/{} cells, kernel {}/{} {} ({:.0f} s{}{})",
             std::string(static_cast<std::size_t>(filled), '#'),
             std::string(static_cast<std::size_t>(kWidth - filled), '.'), done_, total_,
             std::min(kernels_done_ + 1, kernels_), kernels_, current_, t, rate, eta);
  std::fflush(out_);
}

void Progress::end() {
  stop_ticker();
  std::lock_guard lock(mu_);
  if (mode_ == Mode::bar) {
    draw_locked();
    fmt::print(out_, "\n");
  }
  if (mode_ == Mode::lines) fmt::print(out_, "report: done in {:.1f} s\n", elapsed());
  std::fflush(out_);
}

}  // namespace softcheck::reports
