#include "fault/crash_point.hpp"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace tradehost::fault {
namespace {

struct Config {
  bool armed = false;
  std::string point, match;
  long nth = 1;
};

const Config& config() {
  static const Config c = [] {
    Config c;
    const char* env = std::getenv("TRADEHOST_CRASH_AT");
    if (!env || !*env) return c;
    std::string spec = env;
    if (const size_t at = spec.rfind('@'); at != std::string::npos) {
      c.nth = std::strtol(spec.c_str() + at + 1, nullptr, 10);
      if (c.nth < 1) c.nth = 1;
      spec.resize(at);
    }
    const size_t colon = spec.find(':');
    c.point = spec.substr(0, colon);
    if (colon != std::string::npos) c.match = spec.substr(colon + 1);
    c.armed = !c.point.empty();
    return c;
  }();
  return c;
}

std::atomic<long> hits{0};

}  // namespace

bool crash_points_armed() noexcept { return config().armed; }

void crash_point(std::string_view point, std::string_view detail) noexcept {
  const Config& c = config();
  if (!c.armed || point != c.point) return;
  if (!c.match.empty() && detail.find(c.match) == std::string_view::npos) return;
  if (hits.fetch_add(1) + 1 != c.nth) return;
  // One line for the test's log, written with write(2): nothing buffered is lost.
  const std::string line = "crash point " + c.point + " reached (" + std::string(detail.substr(0, 120)) + "): SIGKILL\n";
  (void)!::write(STDERR_FILENO, line.data(), line.size());
  ::kill(::getpid(), SIGKILL);
  for (;;) ::pause();
}

}  // namespace tradehost::fault
