#include "report/iso8601.hpp"

#include <fmt/format.h>

#include <chrono>
#include <limits>

namespace tradehost::report {

namespace {

constexpr int64_t kNsPerSecond = 1'000'000'000;
constexpr int64_t kSecondsPerDay = 86'400;

// Floor division and modulo: C++ '/' truncates toward zero, which is wrong for instants before
// 1970 (-1 ns is 1969-12-31T23:59:59.999999999, not 1970-01-01T00:00:00).
constexpr int64_t floor_div(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// A cursor over the text with fixed-width digit reads.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool done() const { return pos_ == s_.size(); }
  size_t pos() const { return pos_; }
  char peek() const { return done() ? '\0' : s_[pos_]; }
  bool consume(char c) {
    if (peek() != c || done()) return false;
    ++pos_;
    return true;
  }
  // Reads exactly `width` ASCII digits.
  bool digits(int width, int& out) {
    int v = 0;
    for (int i = 0; i < width; ++i) {
      if (pos_ >= s_.size() || s_[pos_] < '0' || s_[pos_] > '9') return false;
      v = v * 10 + (s_[pos_++] - '0');
    }
    out = v;
    return true;
  }
  // Reads 1..9 fractional digits and scales them to nanoseconds; false on 0 or > 9 digits.
  bool fraction_ns(int64_t& out) {
    int64_t v = 0;
    int n = 0;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      if (++n > 9) return false;
      v = v * 10 + (s_[pos_++] - '0');
    }
    if (n == 0) return false;
    for (int i = n; i < 9; ++i) v *= 10;
    out = v;
    return true;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

bool fail(std::string* err, std::string_view text, std::string_view why) {
  if (err) *err = fmt::format("invalid timestamp '{}': {}", text, why);
  return false;
}

}  // namespace

std::string iso8601_utc(int64_t ns) {
  using namespace std::chrono;
  const int64_t secs = floor_div(ns, kNsPerSecond);
  // Floor modulo, not ns - secs * 1e9: that product overflows for the earliest int64 second.
  const int64_t sub_ns = (ns % kNsPerSecond + kNsPerSecond) % kNsPerSecond;  // 0 .. 999'999'999
  const int64_t days = floor_div(secs, kSecondsPerDay);
  const int64_t sod = secs - days * kSecondsPerDay;
  const year_month_day ymd{sys_days{std::chrono::days{days}}};

  std::string out =
      fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), sod / 3600,
                  sod / 60 % 60, sod % 60);
  if (sub_ns != 0) {
    std::string frac = fmt::format("{:09}", sub_ns);
    frac.erase(frac.find_last_not_of('0') + 1);
    out += '.';
    out += frac;
  }
  out += 'Z';
  return out;
}

bool parse_iso8601_utc(std::string_view text, int64_t& ns, std::string* err) {
  using namespace std::chrono;
  Cursor c(text);
  int y = 0, mo = 0, d = 0;
  if (!c.digits(4, y) || !c.consume('-') || !c.digits(2, mo) || !c.consume('-') ||
      !c.digits(2, d)) {
    return fail(err, text, "expected a date YYYY-MM-DD");
  }
  if (mo < 1 || mo > 12) return fail(err, text, fmt::format("month {} out of range 01..12", mo));
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (!ymd.ok())
    return fail(err, text, fmt::format("day {} does not exist in {:04}-{:02}", d, y, mo));

  int hh = 0, mm = 0, ss = 0;
  int64_t frac_ns = 0;
  int64_t offset_s = 0;
  if (!c.done()) {
    if (!(c.consume('T') || c.consume('t') || c.consume(' '))) {
      return fail(err, text, "expected 'T' or a space after the date");
    }
    if (!c.digits(2, hh) || !c.consume(':') || !c.digits(2, mm)) {
      return fail(err, text, "expected a time HH:MM[:SS[.fraction]]");
    }
    if (c.consume(':')) {
      if (!c.digits(2, ss)) return fail(err, text, "expected two digits of seconds");
      if (c.consume('.') && !c.fraction_ns(frac_ns)) {
        return fail(err, text, "expected 1 to 9 digits of fractional seconds");
      }
    }
    if (hh > 23) return fail(err, text, fmt::format("hour {} out of range 00..23", hh));
    if (mm > 59) return fail(err, text, fmt::format("minute {} out of range 00..59", mm));
    if (ss > 59) return fail(err, text, fmt::format("second {} out of range 00..59", ss));

    if (c.consume('Z') || c.consume('z')) {
      // UTC
    } else if (c.peek() == '+' || c.peek() == '-') {
      const int sign = c.peek() == '-' ? -1 : 1;
      c.consume(c.peek());
      int oh = 0, om = 0;
      if (!c.digits(2, oh)) return fail(err, text, "expected an offset +-HH:MM");
      c.consume(':');
      if (!c.digits(2, om)) return fail(err, text, "expected an offset +-HH:MM");
      if (oh > 23 || om > 59) return fail(err, text, "offset out of range");
      offset_s = sign * (oh * 3600 + om * 60);
    }
  }
  if (!c.done()) return fail(err, text, fmt::format("unexpected text at position {}", c.pos()));

  // Seconds of the local wall time, then back to UTC: 18:45+02:00 is 16:45Z.
  const int64_t days = sys_days{ymd}.time_since_epoch().count();
  const int64_t secs = days * kSecondsPerDay + hh * 3600 + mm * 60 + ss - offset_s;
  // 128-bit so the last partial second at either end of the int64 range still parses.
  const __int128 total = static_cast<__int128>(secs) * kNsPerSecond + frac_ns;
  if (total < std::numeric_limits<int64_t>::min() || total > std::numeric_limits<int64_t>::max()) {
    return fail(err, text, "outside the int64 nanosecond range 1677-09-21..2262-04-11");
  }
  ns = static_cast<int64_t>(total);
  return true;
}

}  // namespace tradehost::report
