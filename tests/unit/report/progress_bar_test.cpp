#include "report/progress_bar.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace tradehost::report {
namespace {

TEST(ProgressBar, RenderLayout) {
  // The brief's example layout: 52 of 100 in a 10-wide bar -> 5 '=' then '>' then 4 spaces;
  // 52 bars in 1 s = 52 bars/s; 48 left at 52/s = 0.92 s -> "1s" (rounded up)
  EXPECT_EQ(ProgressBar::render(52, 100, 1'000'000'000, 10),
            "[=====>    ] 52% 52 bars 52 bars/s ETA 1s");
  // 1.2M of 4.8M = 25 % -> 2.5 -> 2 '='; 1.2M in 0.5 s = 2.4M/s; 3.6M left / 2.4M/s = 1.5 s -> 2s
  EXPECT_EQ(ProgressBar::render(1'200'000, 4'800'000, 500'000'000, 10),
            "[==>       ] 25% 1.2M bars 2.4M bars/s ETA 2s");
  // done: full bar, no arrow
  EXPECT_EQ(ProgressBar::render(10, 10, 1'000'000'000, 10),
            "[==========] 100% 10 bars 10 bars/s ETA 0s");
  // 29 of 100 is 29 %, though 0.29 * 100 truncates to 28 in floating point
  EXPECT_NE(ProgressBar::render(29, 100, 1'000'000'000, 10).find(" 29% "), std::string::npos);
  // unknown total (paper runs): counts only
  EXPECT_EQ(ProgressBar::render(1'200'000, 0, 500'000'000, 10), "1.2M bars 2.4M bars/s");
}

int64_t g_now_ns = 0;
int64_t fake_clock() noexcept { return g_now_ns; }

// Captures what the bar writes, in memory.
class Capture {
 public:
  Capture() : file_(open_memstream(&buf_, &size_)) {}
  ~Capture() {
    std::fclose(file_);
    std::free(buf_);
  }
  std::FILE* file() { return file_; }
  std::string text() {
    std::fflush(file_);
    return std::string(buf_, size_);
  }

 private:
  char* buf_ = nullptr;
  size_t size_ = 0;
  std::FILE* file_;
};

size_t draws(const std::string& s) {
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\r'));
}

TEST(ProgressBar, ReadsClockEvery64KCallsAndThrottlesTo10PerSecond) {
  Capture cap;
  g_now_ns = 0;
  ProgressBar bar({cap.file(), true, &fake_clock, 10});
  g_now_ns = 200'000'000;
  for (int i = 0; i < 65'535; ++i) bar.update(i, 1'000'000);
  EXPECT_EQ(cap.text(), "");      // the clock has not been read yet
  bar.update(65'535, 1'000'000);  // 65536th call
  EXPECT_EQ(draws(cap.text()), 1u);
  EXPECT_EQ(cap.text().rfind("\r[", 0), 0u) << cap.text();

  g_now_ns += 50'000'000;  // 50 ms later: too soon
  for (int i = 0; i < 65'536; ++i) bar.update(70'000, 1'000'000);
  EXPECT_EQ(draws(cap.text()), 1u);

  g_now_ns += 60'000'000;  // 110 ms after the first draw
  for (int i = 0; i < 65'536; ++i) bar.update(140'000, 1'000'000);
  EXPECT_EQ(draws(cap.text()), 2u);

  bar.finish();
  const std::string after = cap.text();
  EXPECT_EQ(after.substr(after.size() - 4), "\r\033[K");  // line cleared
  bar.finish();
  EXPECT_EQ(cap.text(), after);  // idempotent
}

TEST(ProgressBar, SilentWhenNotATerminal) {
  std::FILE* f = std::tmpfile();  // a regular file is not a TTY
  ASSERT_NE(f, nullptr);
  {
    ProgressBar bar({f, std::nullopt, &fake_clock, 10});
    for (int i = 0; i < 200'000; ++i) {
      g_now_ns += 1'000'000;
      bar.update(i, 200'000);
    }
  }  // destructor runs finish()
  EXPECT_EQ(std::ftell(f), 0L);
  std::fclose(f);
}

}  // namespace
}  // namespace tradehost::report
