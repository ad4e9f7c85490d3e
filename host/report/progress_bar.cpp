#include "report/progress_bar.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "report/readable_numbers.hpp"

namespace tradehost::report {

namespace {

int64_t steady_now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Erase from the cursor to the end of the line (ANSI EL), so a shorter line leaves no tail.
constexpr const char* kEraseToEol = "\033[K";

}  // namespace

ProgressBar::ProgressBar(Options options)
    : out_(options.out),
      enabled_(
          options.out != nullptr &&
          options.enabled.value_or(options.out != nullptr && ::isatty(::fileno(options.out)) == 1)),
      clock_(options.clock ? options.clock : &steady_now_ns),
      width_(std::max(1, options.width)),
      start_ns_(clock_()) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::maybe_draw(int64_t done, int64_t total) noexcept {
  const int64_t now = clock_();
  if (drawn_ && now - last_draw_ns_ < kMinRedrawNs) return;
  last_draw_ns_ = now;
  drawn_ = true;
  try {
    const std::string line = render(done, total, now - start_ns_, width_);
    std::fprintf(out_, "\r%s%s", line.c_str(), kEraseToEol);
    std::fflush(out_);
  } catch (...) {
    // A progress bar is never worth failing a run for (allocation failure in render).
  }
}

void ProgressBar::finish() noexcept {
  if (!drawn_) return;
  drawn_ = false;
  std::fprintf(out_, "\r%s", kEraseToEol);
  std::fflush(out_);
}

std::string ProgressBar::render(int64_t done, int64_t total, int64_t elapsed_ns, int width) {
  const double elapsed_s = static_cast<double>(elapsed_ns) / 1e9;
  const double rate = elapsed_s > 0 ? static_cast<double>(done) / elapsed_s : -1.0;
  const std::string counts =
      fmt::format("{} bars {} bars/s", format_count(static_cast<double>(done)), format_count(rate));
  if (total <= 0) return counts;

  const int64_t clamped = std::clamp<int64_t>(done, 0, total);
  // Integer arithmetic: 29/100 must print 29%, not the 28% that 0.29 * 100 truncates to.
  const auto percent = static_cast<int>(static_cast<__int128>(clamped) * 100 / total);
  const auto filled = static_cast<int>(static_cast<__int128>(clamped) * width / total);
  std::string bar(static_cast<size_t>(filled), '=');
  if (filled < width) {
    bar += '>';
    bar.append(static_cast<size_t>(width - filled - 1), ' ');
  }
  const double eta_s = rate > 0 ? static_cast<double>(total - clamped) / rate : -1.0;
  return fmt::format("[{}] {}% {} ETA {}", bar, percent, counts, format_eta(eta_s));
}

}  // namespace tradehost::report
