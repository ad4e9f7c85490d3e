#pragma once
// A one-line progress bar for long backtests, redrawn in place with '\r'.

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

namespace tradehost::report {

/// Draws "[=====>    ] 52% 1.2M bars 4.1M bars/s ETA 3s" on a terminal. It is shown only when
/// the output is a TTY (a pipe or log file gets nothing, so redirected output stays clean),
/// redrawn at most ~10 times per second, and update() is cheap enough to call once per bar in
/// the hot loop: it reads the clock only every 65536 calls. Not thread-safe.
class ProgressBar {
 public:
  /// Monotonic clock in ns (injectable so tests drive time instead of sleeping).
  using Clock = int64_t (*)() noexcept;

  struct Options {
    std::FILE* out = stdout;      ///< where to draw; not owned
    std::optional<bool> enabled;  ///< default: isatty(fileno(out))
    Clock clock = nullptr;        ///< default: std::chrono::steady_clock
    int width = 30;               ///< characters inside the brackets
  };

  /// Draws on stdout when stdout is a TTY. The rate is measured from construction.
  ProgressBar() : ProgressBar(Options{}) {}
  explicit ProgressBar(Options options);
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  /// Clears the line if finish() was not called.
  ~ProgressBar();

  /// done: bars processed so far; total: bars expected, <= 0 when unknown (then no bar, percent
  /// or ETA is shown). O(1); reads the clock every 65536th call and draws when >= 100 ms have
  /// passed since the last draw.
  void update(int64_t done, int64_t total) noexcept {
    if (!enabled_ || (++calls_ & kCallsPerClockRead) != 0) return;
    maybe_draw(done, total);
  }

  /// Clears the drawn line (so the summary that follows starts at column 0). Idempotent.
  void finish() noexcept;

  /// The line without '\r': width characters of bar inside brackets, integer percent, bars done,
  /// average rate since start, and the remaining time at that rate (rounded up).
  static std::string render(int64_t done, int64_t total, int64_t elapsed_ns, int width);

 private:
  static constexpr uint64_t kCallsPerClockRead = 0xFFFF;  // mask: every 65536th call
  static constexpr int64_t kMinRedrawNs = 100'000'000;    // ~10 redraws per second

  void maybe_draw(int64_t done, int64_t total) noexcept;

  std::FILE* out_;
  bool enabled_;
  Clock clock_;
  int width_;
  uint64_t calls_ = 0;
  int64_t start_ns_;
  int64_t last_draw_ns_ = 0;
  bool drawn_ = false;
};

}  // namespace tradehost::report
