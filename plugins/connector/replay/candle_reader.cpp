#include "candle_reader.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <numeric>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace tradehost::replay {

namespace {

// ---- Small helpers -------------------------------------------------------------------------------

constexpr int64_t kPow10[19] = {1,
                                10,
                                100,
                                1000,
                                10000,
                                100000,
                                1000000,
                                10000000,
                                100000000,
                                1000000000,
                                10000000000,
                                100000000000,
                                1000000000000,
                                10000000000000,
                                100000000000000,
                                1000000000000000,
                                10000000000000000,
                                100000000000000000,
                                1000000000000000000};

constexpr int64_t kMax = INT64_MAX;

inline bool is_digit(char c) { return static_cast<unsigned char>(c - '0') < 10; }

// Time units of integer open times. Binance's data.binance.vision README: "The timestamp for SPOT
// Data from January 1st 2025 onwards will be in microseconds" (its example kline row starts
// 1735689600000000); older spot files and all futures files use milliseconds. So the unit is
// decided per file from the first row's magnitude: >= 1e14 is microseconds (1e14 ms would be the
// year 5138, 1e14 µs is 1973). Every later row must agree, which catches a 2024 and a 2025 spot
// file concatenated into one.
constexpr int64_t kMicrosThreshold = 100000000000000;  // 1e14
constexpr int64_t kMinMillis = 100000000000;           // 1e11 ms = 1973-03-03; less looks like seconds
constexpr int64_t kMaxMillis = kMax / 1000000;         // 2262-04-11, the end of int64 ns
constexpr int64_t kMaxMicros = kMax / 1000;

enum class NumStatus : uint8_t { ok, malformed, too_precise, overflow };

// Parses the decimal number starting at `p` exactly into value * 10^scale. Accepts an optional
// sign, digits with an optional '.', and an optional exponent (JSON writers emit 9.417e-05).
// Digits below 10^-scale must be zero ("16727.30" is fine at scale 1, "16727.35" is too_precise).
// Returns the first character after the number; the caller checks it is the expected delimiter.
// `p` must point into a NUL-terminated buffer (the NUL stops every loop).
// With `truncate`, digits below 10^-scale are dropped (toward zero) instead of being an error:
// volumes are statistics, and real files carry float noise (218102.59507500002).
const char* parse_fixed_general(const char* p, int scale, int64_t& out, NumStatus& status, bool truncate = false) {
  bool negative = false;
  if (*p == '-') {
    negative = true;
    ++p;
  } else if (*p == '+') {
    ++p;
  }
  const char* int_begin = p;
  while (is_digit(*p)) ++p;
  const char* int_end = p;
  const char* frac_begin = p;
  const char* frac_end = p;
  if (*p == '.') {
    frac_begin = ++p;
    while (is_digit(*p)) ++p;
    frac_end = p;
  }
  if (int_begin == int_end && frac_begin == frac_end) {
    status = NumStatus::malformed;
    return p;
  }
  const int64_t n_int = int_end - int_begin;
  const int64_t n_frac = frac_end - frac_begin;
  int64_t exponent = 0;
  if ((*p | 0x20) == 'e') {
    const char* q = p + 1;
    bool exp_negative = false;
    if (*q == '-' || *q == '+') exp_negative = *q++ == '-';
    if (!is_digit(*q)) {
      status = NumStatus::malformed;
      return q;
    }
    for (; is_digit(*q); ++q) {
      if (exponent < 100000) exponent = exponent * 10 + (*q - '0');
    }
    exponent = exp_negative ? -exponent : exponent;
    p = q;
  }
  // value = D * 10^(exponent - n_frac) with D = the int and fraction digits, so raw = D * 10^shift.
  // A negative shift drops trailing digits, which must all be zero.
  int64_t shift = exponent - n_frac + scale;
  const int64_t total = n_int + n_frac;
  int64_t keep = total;
  if (shift < 0) {
    keep = total + shift;
    shift = 0;
  }
  uint64_t v = 0;
  int significant = 0;
  for (int64_t i = 0; i < total; ++i) {
    const unsigned d = static_cast<unsigned>((i < n_int ? int_begin[i] : frac_begin[i - n_int]) - '0');
    if (i >= keep) {
      if (d != 0 && !truncate) {
        status = NumStatus::too_precise;
        return p;
      }
      continue;
    }
    if (v == 0 && d == 0) continue;
    if (++significant > 19) {
      status = NumStatus::overflow;
      return p;
    }
    v = v * 10 + d;  // < 10^19 < 2^64
  }
  if (v != 0) {
    if (shift > 18 || v > static_cast<uint64_t>(kMax / kPow10[shift])) {
      status = NumStatus::overflow;
      return p;
    }
    v *= static_cast<uint64_t>(kPow10[shift]);
  }
  out = negative ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
  status = NumStatus::ok;
  return p;
}

// Same contract. One pass for the shape of nearly every value in a candle file: no exponent, only
// zeros below 10^-scale (Binance pads every value to 8 decimals) and at most 18 digits after
// scaling, so nothing can overflow.
[[gnu::always_inline]] inline const char* parse_fixed(const char* p, int scale, int64_t& out, NumStatus& status,
                                                      bool truncate = false) {
  const char* const start = p;
  const bool negative = *p == '-';
  p += negative;
  uint64_t v = 0;
  const char* const int_begin = p;
  for (; is_digit(*p); ++p) v = v * 10 + static_cast<unsigned>(*p - '0');
  const int64_t n_int = p - int_begin;
  int n_kept = 0;       // fraction digits within the scale
  unsigned below = 0;   // OR of the digits past the scale: nonzero = too precise
  bool any_frac = false;
  if (*p == '.') {
    ++p;
    any_frac = is_digit(*p);
    for (; n_kept < scale && is_digit(*p); ++p, ++n_kept) v = v * 10 + static_cast<unsigned>(*p - '0');
    for (; is_digit(*p); ++p) below |= static_cast<unsigned>(*p - '0');
  }
  if (below == 0 && n_int + scale <= 18 && (n_int != 0 || any_frac) && (*p | 0x20) != 'e') {
    v *= static_cast<uint64_t>(kPow10[scale - n_kept]);
    out = negative ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
    status = NumStatus::ok;
    return p;
  }
  return parse_fixed_general(start, scale, out, status, truncate);
}

// Significant decimals of a well-formed number text ("16727.350" -> 2, "9.417e-05" -> 8): the
// smallest scale that holds it exactly. Only used to word an error.
int needed_scale(std::string_view text) {
  size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
  std::string digits;
  int64_t n_frac = 0;
  bool in_frac = false;
  for (; i < text.size() && (is_digit(text[i]) || text[i] == '.'); ++i) {
    if (text[i] == '.') {
      in_frac = true;
      continue;
    }
    digits += text[i];
    n_frac += in_frac;
  }
  // The exponent saturates at +-10^6 as parse_fixed_general's does: strtoll's LLONG_MIN for
  // "1e-99999999999999999999" made n_frac - exponent overflow (undefined behaviour; found by
  // fuzz/candles), and no exponent beyond that range changes the answer's meaning.
  int64_t exponent = 0;
  if (i < text.size() && (text[i] | 0x20) == 'e') {
    ++i;
    const bool exp_negative = i < text.size() && text[i] == '-';
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    for (; i < text.size() && is_digit(text[i]); ++i)
      if (exponent < 1000000) exponent = exponent * 10 + (text[i] - '0');
    if (exp_negative) exponent = -exponent;
  }
  int64_t zeros = 0;
  for (size_t k = digits.size(); k > 0 && digits[k - 1] == '0'; --k) ++zeros;
  return static_cast<int>(std::max<int64_t>(0, n_frac - exponent - zeros));
}

std::string format_fixed(int64_t raw, int scale) {
  const bool negative = raw < 0;
  uint64_t mag = negative ? 0 - static_cast<uint64_t>(raw) : static_cast<uint64_t>(raw);
  std::string digits = std::to_string(mag);
  if (scale > 0) {
    if (digits.size() <= static_cast<size_t>(scale)) digits.insert(0, scale + 1 - digits.size(), '0');
    digits.insert(digits.size() - scale, 1, '.');
  }
  return negative ? "-" + digits : digits;
}

// A field's text for a message: in quotes, at most 40 bytes, control bytes (a stray NUL would cut
// what() short) escaped.
std::string quote(std::string_view text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size() && i < 40; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > 40) out += "...";
  return out + "\"";
}

// Howard Hinnant's days_from_civil / civil_from_days (public domain date algorithms).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::string format_time(int64_t ns) {
  int64_t days = ns / 86400000000000;
  int64_t rem = ns % 86400000000000;
  if (rem < 0) {
    rem += 86400000000000;
    --days;
  }
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
  const int64_t secs = rem / 1000000000;
  const int64_t frac = rem % 1000000000;
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02lld:%02lld:%02lld", static_cast<long long>(y), m, d,
                static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60));
  std::string s = buf;
  if (frac != 0) {
    std::snprintf(buf, sizeof buf, ".%09lld", static_cast<long long>(frac));
    std::string f = buf;
    while (f.back() == '0') f.pop_back();
    s += f;
  }
  return s + " UTC";
}

std::string format_duration(int64_t ns) {
  if (ns % 1000000000 != 0) {
    if (ns % 1000000 == 0) return std::to_string(ns / 1000000) + "ms";
    if (ns % 1000 == 0) return std::to_string(ns / 1000) + "us";
    return std::to_string(ns) + "ns";
  }
  int64_t s = ns / 1000000000;
  std::string out;
  if (s >= 86400) {
    out += std::to_string(s / 86400) + "d";
    s %= 86400;
  }
  if (s >= 3600) {
    out += std::to_string(s / 3600) + "h";
    s %= 3600;
  }
  if (s >= 60) {
    out += std::to_string(s / 60) + "m";
    s %= 60;
  }
  if (s > 0 || out.empty()) out += std::to_string(s) + "s";
  return out;
}

// 'YYYY-MM-DD HH:MM:SS[.f{1,9}]' (or 'T' separator, optional 'Z'), UTC. Returns the first
// character after the timestamp, or nullptr when malformed or outside 1970..2261.
const char* parse_datetime(const char* p, int64_t& ns) {
  auto num = [&](int width, int& value) {
    value = 0;
    for (int i = 0; i < width; ++i, ++p) {
      if (!is_digit(*p)) return false;
      value = value * 10 + (*p - '0');
    }
    return true;
  };
  int y, mo, d, h, mi, s;
  if (!num(4, y) || *p++ != '-' || !num(2, mo) || *p++ != '-' || !num(2, d)) return nullptr;
  if (*p != ' ' && *p != 'T') return nullptr;
  ++p;
  if (!num(2, h) || *p++ != ':' || !num(2, mi) || *p++ != ':' || !num(2, s)) return nullptr;
  int64_t frac = 0;
  if (*p == '.') {
    ++p;
    int n = 0;
    for (; is_digit(*p); ++p, ++n) {
      if (n >= 9) return nullptr;
      frac = frac * 10 + (*p - '0');
    }
    if (n == 0) return nullptr;
    frac *= kPow10[9 - n];
  }
  if (*p == 'Z') ++p;
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (y < 1970 || y > 2261 || mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] + (mo == 2 && leap) ||
      h > 23 || mi > 59 || s > 59) {
    return nullptr;
  }
  const int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  ns = ((days * 86400 + h * 3600 + mi * 60 + s) * 1000000000) + frac;
  return p;
}

// ---- File loading ------------------------------------------------------------------------------

// Reads a file front to back into one buffer that always ends in a NUL, so parsers need no bounds
// checks. CSV is parsed chunk by chunk (refill keeps the unfinished last line): a 4 MiB buffer
// stays in cache and skips the page faults of a file-sized one, which measured ~3x cheaper in
// kernel time than one fread of a 500 MB file. JSON calls read_all() for the whole file.
class InputFile {
 public:
  static constexpr size_t kChunk = size_t{4} << 20;

  explicit InputFile(const std::string& path) : path_(path), file_(nullptr, &std::fclose) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      throw CandleError(path, 0, 0, "is a directory; give the path of one candle file");
    }
    file_size_ = std::filesystem::file_size(path, ec);
    if (ec) throw CandleError(path, 0, 0, "cannot read: " + ec.message() + "; check the path");
    file_.reset(std::fopen(path.c_str(), "rb"));
    if (!file_) throw CandleError(path, 0, 0, std::string("cannot open: ") + std::strerror(errno));
    grow(std::min<uint64_t>(kChunk, file_size_ + 1));
    refill(0);
  }

  char* data() { return buf_.get(); }
  size_t size() const { return len_; }  // valid bytes; data()[size()] == '\0'
  bool eof() const { return eof_; }
  uint64_t file_size() const { return file_size_; }

  // Drops the first `consumed` bytes, moves the rest to the front and reads more. Doubles the
  // buffer when the kept bytes fill it (a line longer than the buffer).
  void refill(size_t consumed) {
    std::memmove(buf_.get(), buf_.get() + consumed, len_ - consumed);
    len_ -= consumed;
    if (len_ == cap_) grow(cap_ * 2);
    read_some();
  }
  void read_all() {
    while (!eof_) {
      if (len_ == cap_) grow(std::max<uint64_t>(cap_ * 2, file_size_ + 1));
      read_some();
    }
  }

 private:
  void grow(size_t cap) {
#if defined(__cpp_lib_smart_ptr_for_overwrite)
    auto bigger = std::make_unique_for_overwrite<char[]>(cap + 1);  // not zero-filled
#else
    std::unique_ptr<char[]> bigger(new char[cap + 1]);
#endif
    if (len_ > 0) std::memcpy(bigger.get(), buf_.get(), len_);
    buf_ = std::move(bigger);
    cap_ = cap;
  }
  void read_some() {
    const size_t want = cap_ - len_;
    const size_t got = std::fread(buf_.get() + len_, 1, want, file_.get());
    len_ += got;
    buf_[len_] = '\0';
    if (got < want) {
      if (std::ferror(file_.get())) throw CandleError(path_, 0, 0, std::string("read error: ") + std::strerror(errno));
      eof_ = true;
    }
  }

  const std::string& path_;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file_;
  uint64_t file_size_ = 0;
  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0;
  size_t len_ = 0;
  bool eof_ = false;
};

struct LineCol {
  size_t line, col;
};

LineCol line_col(const char* begin, size_t offset) {
  const char* at = begin + offset;
  const size_t line = 1 + static_cast<size_t>(std::count(begin, at, '\n'));
  const char* line_start = at;
  while (line_start > begin && line_start[-1] != '\n') --line_start;
  return {line, static_cast<size_t>(at - line_start) + 1};
}

bool only_whitespace(const char* p, const char* end) {
  for (; p < end; ++p) {
    if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') return false;
  }
  return true;
}

// ---- Checks shared by all formats ------------------------------------------------------------

constexpr const char* kFieldNames[6] = {"open time", "open", "high", "low", "close", "volume"};

// Empty when the candle is sane, else what is wrong.
std::string ohlc_problem(const Candle& c, int price_scale, int qty_scale) {
  auto p = [&](int64_t v) { return format_fixed(v, price_scale); };
  std::string what;
  if (c.low > c.high) {
    what = "low " + p(c.low) + " is above high " + p(c.high);
  } else if (c.low > c.open) {
    what = "low " + p(c.low) + " is above open " + p(c.open);
  } else if (c.low > c.close) {
    what = "low " + p(c.low) + " is above close " + p(c.close);
  } else if (c.high < c.open) {
    what = "high " + p(c.high) + " is below open " + p(c.open);
  } else if (c.high < c.close) {
    what = "high " + p(c.high) + " is below close " + p(c.close);
  } else if (c.volume < 0) {
    return "volume " + format_fixed(c.volume, qty_scale) + " is negative; volume must be >= 0";
  } else if (c.low <= 0) {
    return "low " + p(c.low) + " is not positive; prices must be above 0 (fix or remove the row)";
  } else {
    return {};
  }
  return what + " (a candle needs low <= open, close <= high); fix or remove the row";
}

inline bool ohlc_ok(const Candle& c) {
  return c.low > 0 && c.low <= c.open && c.low <= c.close && c.high >= c.open && c.high >= c.close &&
         c.low <= c.high && c.volume >= 0;
}

// Advice speaks of the tick size as a decimal (tick_size = tick_size_raw / 10^price_scale) and of
// decimals, never of ReadOptions fields: the replay connector's config has a `tick_size` key and
// derives the scales from it, so naming price_scale would send a trader after a key that does not
// exist. The suggested tick is the coarsest one that admits the value: gcd(value, current tick).

// A decimal without trailing fraction zeros: 0.10 -> "0.1", 1.0 -> "1".
std::string decimal_text(int64_t raw, int scale) {
  std::string s = format_fixed(raw, scale);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

std::string tick_problem(std::string_view field, int64_t raw, const ReadOptions& o) {
  const int64_t fits = std::gcd(raw < 0 ? -raw : raw, o.tick_size_raw);
  return std::string(field) + " " + decimal_text(raw, o.price_scale) + " is not a multiple of tick_size " +
         decimal_text(o.tick_size_raw, o.price_scale) + "; set tick_size to " + decimal_text(fits, o.price_scale) +
         " or a divisor of it, or check the file is for this instrument";
}

std::string number_problem(std::string_view field, std::string_view text, NumStatus st, bool is_volume,
                           const ReadOptions& o) {
  const std::string head = std::string(field) + " " + quote(text);
  const int scale = is_volume ? o.qty_scale : o.price_scale;
  switch (st) {
    case NumStatus::too_precise: {
      const int need = needed_scale(text);
      const std::string has = " has " + std::to_string(need) + " decimals";
      // The coarsest tick admitting the value, at the value's own scale.
      int64_t value = 0;
      NumStatus again;
      const std::string owned(text);
      parse_fixed_general(owned.c_str(), need, value, again);
      const int64_t tick_mul = need <= 18 ? kPow10[need - o.price_scale] : 0;
      if (again == NumStatus::ok && tick_mul != 0 && o.tick_size_raw <= kMax / tick_mul) {
        const int64_t fits = std::gcd(value < 0 ? -value : value, o.tick_size_raw * tick_mul);
        return head + has + ", finer than tick_size " + decimal_text(o.tick_size_raw, o.price_scale) +
               "; set tick_size to " + decimal_text(fits, need) + " or a divisor of it";
      }
      return head + has + ", finer than tick_size " + decimal_text(o.tick_size_raw, o.price_scale) +
             "; set a tick_size with " + std::to_string(need) + " decimals";
    }
    case NumStatus::overflow:
      return head + " does not fit a 64-bit integer at " + std::to_string(scale) + " decimals; " +
             (is_volume ? "the replay connector holds volumes at max(8, lot_size decimals) decimals, so base volumes "
                          "above about 9.2e10 per bar are not supported"
                        : "use a coarser tick_size");
    default:
      return head + " is not a number; expected a decimal like 16727.3";
  }
}

// Interval = the most common step; every step must be a whole multiple of it.
struct Steps {
  int64_t interval = 0;
  size_t gaps = 0;
  size_t bad_row = 0;  // nonzero: row whose step from bad_row - 1 is not a multiple
};

Steps analyse_steps(const std::vector<Candle>& candles) {
  Steps out;
  if (candles.size() < 2) return out;
  struct Count {
    int64_t step;
    size_t n;
  };
  std::vector<Count> table;  // few distinct steps in real files; a map only if that is untrue
  std::unordered_map<int64_t, size_t> many;
  size_t last = 0;
  for (size_t i = 1; i < candles.size(); ++i) {
    const int64_t step = candles[i].open_time_ns - candles[i - 1].open_time_ns;
    if (!table.empty() && table[last].step == step) {
      ++table[last].n;
      continue;
    }
    if (!many.empty()) {
      ++many[step];
      continue;
    }
    auto it = std::find_if(table.begin(), table.end(), [&](const Count& c) { return c.step == step; });
    if (it != table.end()) {
      ++it->n;
      last = static_cast<size_t>(it - table.begin());
    } else if (table.size() < 256) {
      table.push_back({step, 1});
      last = table.size() - 1;
    } else {
      for (const Count& c : table) many[c.step] += c.n;
      ++many[step];
    }
  }
  for (const auto& [step, n] : many) table.push_back({step, n});
  const Count* best = &table.front();
  for (const Count& c : table) {
    if (c.n > best->n || (c.n == best->n && c.step < best->step)) best = &c;
  }
  out.interval = best->step;
  for (size_t i = 1; i < candles.size(); ++i) {
    const int64_t step = candles[i].open_time_ns - candles[i - 1].open_time_ns;
    if (step % out.interval != 0) {
      out.bad_row = i;
      return out;
    }
    out.gaps += static_cast<size_t>(step / out.interval - 1);
  }
  return out;
}

std::string step_problem(const Candle& prev, const Candle& cur, int64_t interval, std::string_view prev_where) {
  return "open time " + format_time(cur.open_time_ns) + " is " +
         format_duration(cur.open_time_ns - prev.open_time_ns) + " after " + std::string(prev_where) + " (" +
         format_time(prev.open_time_ns) + "), not a whole multiple of the file's interval " +
         format_duration(interval) + " (its most common step); the file mixes intervals or has a misaligned row";
}

std::string order_problem(const Candle& prev, const Candle& cur, std::string_view prev_where) {
  if (cur.open_time_ns == prev.open_time_ns) {
    return "open time " + format_time(cur.open_time_ns) + " repeats " + std::string(prev_where) +
           ": duplicate candle; keep one row per open time";
  }
  return "open time " + format_time(cur.open_time_ns) + " is before " + std::string(prev_where) + " (" +
         format_time(prev.open_time_ns) + "); sort the file by open time, ascending";
}

// Unit of integer open times, decided by the first row (see kMicrosThreshold).
struct TimeUnit {
  bool micros = false;
  int64_t to_ns = 1000000;
};

// Empty when `t` is a valid open time in `unit`, else the problem.
std::string time_problem(int64_t t, const TimeUnit& unit, std::string_view first_where) {
  const bool is_micros = t >= kMicrosThreshold;
  if (is_micros != unit.micros) {
    return "open time " + std::to_string(t) + " is in " + (is_micros ? "microseconds" : "milliseconds") +
           " but " + std::string(first_where) + " is in " + (unit.micros ? "microseconds" : "milliseconds") +
           " (data.binance.vision spot files use microseconds from 2025-01-01 on); keep one unit per file";
  }
  if (!unit.micros && t < kMinMillis) {
    return "open time " + std::to_string(t) +
           " is before 1973 in milliseconds; looks like seconds: write Unix milliseconds";
  }
  if ((!unit.micros && t > kMaxMillis) || (unit.micros && t > kMaxMicros)) {
    return "open time " + std::to_string(t) + " is after the year 2262 (int64 ns); write Unix ms or µs";
  }
  return {};
}

// ---- CSV -----------------------------------------------------------------------------------------

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return out;
}

// Binance kline CSV: the column table of the binance/binance-public-data README ("Klines"):
// Open time | Open | High | Low | Close | Volume | Close time | Quote asset volume | Number of
// trades | Taker buy base asset volume | Taker buy quote asset volume | Ignore. Spot files have no
// header; USD-M futures files start with "open_time,open,high,low,close,volume,close_time,...".
// Plain OHLCV CSV: open_time_ms,open,high,low,close,volume, header optional.
// Both are told apart by their width (12 or 6 columns) and parsed with pointer loops over a
// NUL-terminated buffer; only the 6 candle columns are converted, the other 6 are counted.
class CsvReader {
 public:
  CsvReader(const std::string& path, InputFile& in, size_t bom, const ReadOptions& o)
      : path_(path), in_(in), bom_(bom), opt_(o) {}

  ReadResult read(CandleFormat wanted) {
    // Header and first row must both be in the buffer for detection.
    while (!in_.eof() && std::count(in_.data(), in_.data() + in_.size(), '\n') < 2) in_.refill(0);
    end_ = in_.data() + in_.size();
    const char* p = in_.data() + bom_;
    size_t line = 1;
    if (*p == '\n' || *p == '\r') fail(1, "line 1 is blank; the file must start with a header or a candle row");
    bool header = false;
    std::vector<std::string_view> header_names;
    if (!is_digit(*p) && *p != '-') {
      header = true;
      const char* eol = line_end(p);
      header_names = split(p, eol);
      p = next_line(eol);
      ++line;
      if (in_.eof() && only_whitespace(p, end_)) {
        fail(line, "no candle rows after the header; the file holds no data");
      }
    }
    if (*p == '\n' || *p == '\r') fail(line, "blank line before the first candle row; delete it");
    const char* first_eol = line_end(p);
    const size_t columns = split(p, first_eol).size();
    CandleFormat format = wanted;
    // A header's width decides the layout when there is one, so a bad first row is reported as such.
    const size_t layout_columns = header && (header_names.size() == 6 || header_names.size() == 12)
                                      ? header_names.size() : columns;
    if (format == CandleFormat::Auto) {
      if (layout_columns == 12) {
        format = CandleFormat::BinanceKlineCsv;
      } else if (layout_columns == 6) {
        format = CandleFormat::OhlcvCsv;
      } else {
        fail(line, "found " + std::to_string(columns) +
                       " columns; expected 6 (open_time_ms,open,high,low,close,volume) or 12 (Binance "
                       "kline layout from data.binance.vision)");
      }
    }
    const bool binance = format == CandleFormat::BinanceKlineCsv;
    if (columns != (binance ? 12u : 6u)) column_count_error(line, p, binance);
    if (header) check_header(header_names, binance);

    // The first column is either integer ms/µs or a 'YYYY-MM-DD HH:MM:SS' timestamp.
    const bool datetime = !binance && first_eol - p > 4 && p[4] == '-';
    if (!datetime && is_digit(*p)) {
      int64_t t = 0;
      for (const char* q = p; is_digit(*q) && q - p < 17; ++q) t = t * 10 + (*q - '0');
      unit_.micros = t >= kMicrosThreshold;
      unit_.to_ns = unit_.micros ? 1000 : 1000000;
    }
    first_line_ = line;

    ReadResult result;
    result.format = format;
    reserve(result.candles, p);
    for (;;) {
      // Parse the complete lines in the buffer, then refill; the unfinished last line is kept.
      const char* stop = end_;
      if (!in_.eof()) {
        while (stop > p && stop[-1] != '\n') --stop;
      }
      end_ = stop;
      if (binance) {
        p = parse_rows<true, false>(p, line, result.candles);
      } else if (datetime) {
        p = parse_rows<false, true>(p, line, result.candles);
      } else {
        p = parse_rows<false, false>(p, line, result.candles);
      }
      if (in_.eof()) break;
      in_.refill(static_cast<size_t>(p - in_.data()));
      p = in_.data();
      end_ = p + in_.size();
    }
    if (result.candles.empty()) fail(first_line_, "no candle rows; the file holds no data");
    const Steps steps = analyse_steps(result.candles);
    if (steps.bad_row != 0) {
      const size_t l = first_line_ + steps.bad_row;
      fail(l, step_problem(result.candles[steps.bad_row - 1], result.candles[steps.bad_row], steps.interval,
                           "line " + std::to_string(l - 1)));
    }
    result.interval_ns = steps.interval;
    result.gaps = steps.gaps;
    return result;
  }

 private:
  [[noreturn]] void fail(size_t line, const std::string& what) const { throw CandleError(path_, line, 0, what); }

  // End of the line at `p` without its '\r'; within the parsed part of the buffer.
  const char* line_end(const char* p) const {
    const void* nl = std::memchr(p, '\n', static_cast<size_t>(end_ - p));
    const char* eol = nl ? static_cast<const char*>(nl) : end_;
    return eol > p && eol[-1] == '\r' ? eol - 1 : eol;
  }
  const char* next_line(const char* eol) const {
    if (eol < end_ && *eol == '\r') ++eol;
    return eol < end_ ? eol + 1 : end_;
  }
  static std::vector<std::string_view> split(const char* p, const char* eol) {
    std::vector<std::string_view> out;
    for (const char* f = p;; ++p) {
      if (p == eol || *p == ',') {
        out.emplace_back(f, static_cast<size_t>(p - f));
        if (p == eol) return out;
        f = p + 1;
      }
    }
  }

  void check_header(const std::vector<std::string_view>& names, bool binance) const {
    const size_t want = binance ? 12 : 6;
    if (names.size() != want) {
      fail(1, "header has " + std::to_string(names.size()) + " columns but the rows have " + std::to_string(want) +
                  "; fix the header or the rows");
    }
    static constexpr const char* kExpected[6] = {"", "open", "high", "low", "close", "volume"};
    for (size_t i = 1; i < 6; ++i) {
      std::string_view n = names[i];
      if (n.size() >= 2 && n.front() == '"' && n.back() == '"') n = n.substr(1, n.size() - 2);
      if (lower(n) != kExpected[i]) {
        fail(1, "header column " + std::to_string(i + 1) + " is " + quote(n) + " where \"" +
                    kExpected[i] + "\" is expected; columns must be " +
                    (binance ? "the Binance kline layout (open_time,open,high,low,close,volume,close_time,...)"
                             : "open_time_ms,open,high,low,close,volume") +
                    "; reorder them");
      }
    }
  }

  [[noreturn]] void column_count_error(size_t line, const char* line_start, bool binance) const {
    const size_t n = split(line_start, line_end(line_start)).size();
    fail(line, "found " + std::to_string(n) + " columns, expected " +
                   (binance ? "12 (Binance kline layout: open_time,open,high,low,close,volume,close_time,"
                              "quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore)"
                            : "6 (open_time_ms,open,high,low,close,volume)"));
  }

  // Field `index` starting at `field` stopped parsing at `stop` with `st`, or was not followed by
  // its delimiter. Decides between a column-count problem and a bad value.
  [[noreturn]] void field_error(size_t line, const char* line_start, const char* field, const char* stop,
                                NumStatus st, int index, bool binance) const {
    const char* eol = line_end(field);
    const char* fend = field;
    while (fend < eol && *fend != ',') ++fend;
    // The value itself is fine, so its terminator was wrong: a line ending where a ',' belongs or
    // the other way round.
    if (st == NumStatus::ok && stop == fend) column_count_error(line, line_start, binance);
    const std::string_view text(field, static_cast<size_t>(fend - field));
    if (index == 0) {
      fail(line, "open time " + quote(text) + " is not " +
                     (binance ? "an integer Unix time in ms or µs" : "Unix ms or 'YYYY-MM-DD HH:MM:SS' UTC"));
    }
    // A value that parsed but runs on ("16727.3x") is malformed as a whole.
    const NumStatus shown = st == NumStatus::ok ? NumStatus::malformed : st;
    fail(line, number_problem(kFieldNames[index], text, shown, index == 5, opt_));
  }

  void reserve(std::vector<Candle>& out, const char* p) const {
    // Average length of up to 64 sample lines: close enough to avoid regrowth, cheap to compute.
    const char* q = p;
    size_t lines = 0;
    while (lines < 64 && q < end_) {
      const void* nl = std::memchr(q, '\n', static_cast<size_t>(end_ - q));
      q = nl ? static_cast<const char*>(nl) + 1 : end_;
      ++lines;
    }
    const size_t avg = std::max<size_t>(1, static_cast<size_t>(q - p) / std::max<size_t>(1, lines));
    const size_t estimate = static_cast<size_t>(in_.file_size() / avg);
    out.reserve(estimate + estimate / 16 + 16);
  }

  // Parses the complete lines in [p, end_); returns where it stopped.
  template <bool kBinance, bool kDatetime>
  const char* parse_rows(const char* p, size_t& line, std::vector<Candle>& out) {
    const ReadOptions o = opt_;
    const char* const end = end_;
    while (p < end) {
      const char* const ls = p;
      if (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t') {
        const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
        const char* eol = nl ? static_cast<const char*>(nl) : end;
        if (only_whitespace(p, eol)) {  // fine at the end of the file, an error before a row
          if (blank_line_ == 0) blank_line_ = line;
          p = eol + 1;
          ++line;
          continue;
        }
      }
      if (blank_line_ != 0) fail(blank_line_, "blank line between candle rows; delete it");
      Candle c;
      // Open time.
      if constexpr (kDatetime) {
        const char* q = parse_datetime(p, c.open_time_ns);
        if (q == nullptr || *q != ',') {
          field_error(line, ls, p, q ? q : p, q ? NumStatus::ok : NumStatus::malformed, 0, kBinance);
        }
        p = q + 1;
      } else {
        uint64_t digits = 0;
        const char* q = p;
        for (; is_digit(*q); ++q) digits = digits * 10 + static_cast<unsigned>(*q - '0');  // may wrap; rejected below
        if (q == p || *q != ',') field_error(line, ls, p, q, q == p ? NumStatus::malformed : NumStatus::ok, 0, kBinance);
        if (q - p > 16) {
          fail(line, "open time " + quote(std::string_view(p, static_cast<size_t>(q - p))) + " has " + std::to_string(q - p) +
                         " digits; expected Unix milliseconds (13 digits) or microseconds (16)");
        }
        const auto t = static_cast<int64_t>(digits);
        if (t < kMinMillis || (t >= kMicrosThreshold) != unit_.micros || t > (unit_.micros ? kMaxMicros : kMaxMillis)) {
          fail(line, time_problem(t, unit_, "line " + std::to_string(first_line_)));
        }
        c.open_time_ns = t * unit_.to_ns;
        p = q + 1;
      }
      // open, high, low, close, volume.
      int64_t* const fields[5] = {&c.open, &c.high, &c.low, &c.close, &c.volume};
      for (int i = 0; i < 5; ++i) {
        NumStatus st;
        const char* q = parse_fixed(p, i == 4 ? o.qty_scale : o.price_scale, *fields[i], st, /*truncate=*/i == 4);
        if (i < 4 || kBinance) {
          if (st != NumStatus::ok || *q != ',') field_error(line, ls, p, q, st, i + 1, kBinance);
          p = q + 1;
        } else {
          const char* r = q + (*q == '\r');
          if (st != NumStatus::ok || (*r != '\n' && r != end)) field_error(line, ls, p, q, st, i + 1, kBinance);
          p = r + 1;
        }
      }
      if constexpr (kBinance) {
        // close_time .. ignore: 6 more fields, not needed for a candle.
        const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
        const char* eol = nl ? static_cast<const char*>(nl) : end;
        if (std::count(p, eol, ',') != 5) column_count_error(line, ls, true);
        p = eol + 1;
      }
      if (o.tick_size_raw != 1) {
        for (int i = 0; i < 4; ++i) {
          if (*fields[i] % o.tick_size_raw != 0) fail(line, tick_problem(kFieldNames[i + 1], *fields[i], o));
        }
      }
      if (!ohlc_ok(c)) fail(line, ohlc_problem(c, o.price_scale, o.qty_scale));
      if (c.open_time_ns <= prev_time_) {
        fail(line, order_problem(out.back(), c, "line " + std::to_string(line - 1)));
      }
      prev_time_ = c.open_time_ns;
      out.push_back(c);
      ++line;
    }
    return std::min(p, end);
  }

  const std::string& path_;
  InputFile& in_;
  size_t bom_;
  ReadOptions opt_;
  const char* end_ = nullptr;  // end of the complete lines being parsed
  TimeUnit unit_;
  size_t first_line_ = 1;
  size_t blank_line_ = 0;  // first blank line seen after the rows began; 0 = none
  int64_t prev_time_ = INT64_MIN;
};

// ---- freqtrade JSON --------------------------------------------------------------------------------

constexpr const char* kJsonColumns[6] = {"date", "open", "high", "low", "close", "volume"};

// SAX handler for both freqtrade layouts. Numbers arrive as their raw text
// (kParseNumbersAsStringsFlag), so 0.00162008 never passes through a double. Positions: with
// kParseInsituFlag, numbers, keys and strings arrive as pointers into the file buffer; brackets
// and literals are located from the stream, which RapidJSON's recursive parser advances before
// calling StartArray/StartObject/Null/Bool (its iterative parser calls StartArray first).
class JsonHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, JsonHandler> {
 public:
  JsonHandler(const rapidjson::InsituStringStream& stream, const char* file_begin, const ReadOptions& o)
      : stream_(stream), file_begin_(file_begin), opt_(o) {}

  // Set when a callback returns false; the reader then stops with kParseErrorTermination.
  std::string error;
  size_t error_offset = 0;  // into the file
  bool columns_layout = false;
  std::vector<Candle> candles;     // open_time_ns holds the file's integer time until checked
  std::vector<size_t> row_offset;  // file offset that locates each row: its '[' or its "date" value
  std::vector<uint64_t> keys;      // columns layout: row keys, in the order of the first column

  bool StartArray() {
    if (skip_ > 0) return ++skip_ < 64 || too_deep();
    if (depth_ == 0) return ++depth_, true;
    if (!columns_layout && depth_ == 1) {
      ++depth_;
      field_ = 0;
      candles.push_back(Candle{});
      row_offset.push_back(here() - 1);
      return true;
    }
    if (columns_layout && depth_ == 1 && field_ < 0) return ++skip_, true;
    return unexpected(here() - 1, "an array");
  }
  bool EndArray(rapidjson::SizeType count) {
    if (skip_ > 0) return --skip_, true;
    if (--depth_ == 1 && count != 6) {
      return fail_at(row_offset.back(), "row [" + std::to_string(candles.size() - 1) + "] has " +
                                            std::to_string(count) +
                                            " values, expected 6: [open_time_ms, open, high, low, close, volume]");
    }
    return true;
  }
  bool StartObject() {
    if (skip_ > 0) return ++skip_ < 64 || too_deep();
    if (depth_ == 0) {
      columns_layout = true;
      return ++depth_, true;
    }
    if (columns_layout && depth_ == 1) {
      if (field_ < 0) return ++skip_, true;  // a column this reader does not use
      if (seen_[field_]) return fail_at(here() - 1, "column \"" + name_ + "\" appears twice; keep one");
      seen_[field_] = true;
      row_ = 0;
      return ++depth_, true;
    }
    return unexpected(here() - 1, "an object");
  }
  bool EndObject(rapidjson::SizeType count) {
    if (skip_ > 0) return --skip_, true;
    if (--depth_ != 1) return true;
    if (!keys_fixed_) {
      keys_fixed_ = true;
    } else if (count != keys.size()) {
      return fail_at(here() - 1, "column \"" + name_ + "\" has " + std::to_string(count) +
                                     " rows but the first column has " + std::to_string(keys.size()) +
                                     "; every column must list the same rows");
    }
    return true;
  }
  bool Key(const char* s, rapidjson::SizeType len, bool) {
    if (skip_ > 0) return true;
    const size_t at = offset(s) - 1;  // the opening quote
    if (depth_ == 1) {
      name_.assign(s, len);
      field_ = -1;
      for (int i = 0; i < 6; ++i) {
        if (name_ == kJsonColumns[i]) field_ = i;
      }
      return true;
    }
    uint64_t key = 0;
    bool ok = len > 0 && len <= 18;
    for (rapidjson::SizeType i = 0; ok && i < len; ++i) {
      ok = is_digit(s[i]);
      key = key * 10 + static_cast<uint64_t>(s[i] - '0');
    }
    if (!ok) return fail_at(at, "row key " + quote(std::string_view(s, len)) + " is not an integer row index");
    if (!keys_fixed_) {
      keys.push_back(key);
      candles.push_back(Candle{});
      row_offset.push_back(at);
    } else if (row_ >= keys.size() || keys[row_] != key) {
      return fail_at(at, "column \"" + name_ + "\" has row key \"" + std::to_string(key) + "\" at position " +
                             std::to_string(row_) + " where the first column has " +
                             (row_ < keys.size() ? "\"" + std::to_string(keys[row_]) + "\"" : "no more rows") +
                             "; every column must list the same rows in the same order");
    }
    return true;
  }

  bool RawNumber(const char* s, rapidjson::SizeType len, bool) {
    if (skipped_scalar()) return true;
    const size_t at = offset(s);
    if (depth_ != 2) return unexpected(at, "a number");
    int field;
    size_t row;
    if (columns_layout) {
      if (field_ < 0) return true;
      field = field_;
      row = row_++;
      if (field == 0) row_offset[row] = at;
    } else {
      field = field_++;
      row = candles.size() - 1;
      if (field >= 6) return true;  // EndArray reports the count
    }
    Candle& c = candles[row];
    const std::string_view text(s, len);
    NumStatus st;
    int64_t v = 0;
    const int scale = field == 0 ? 0 : field == 5 ? opt_.qty_scale : opt_.price_scale;
    const char* stop = parse_fixed(s, scale, v, st, /*truncate=*/field == 5);
    if (stop != s + len) {
      // In situ, the number is not NUL-terminated, and parse_fixed reads on past it when digits
      // follow: for "00.5" RapidJSON's number is "0" (the rest is a syntax error it reports next),
      // but parse_fixed read "00.5", and a status for that text was worded with needed_scale("0")
      // (kPow10[-scale]: out of bounds; found by fuzz/candles). Read exactly `text` instead.
      const std::string exact(text);
      stop = s + (parse_fixed(exact.c_str(), scale, v, st, /*truncate=*/field == 5) - exact.c_str());
      if (stop != s + len && st == NumStatus::ok) st = NumStatus::malformed;
    }
    if (field == 0) {
      if (st != NumStatus::ok || v < 0) {
        return fail_at(at, "open time " + quote(text) + " is not an integer Unix time in ms or µs");
      }
      c.open_time_ns = v;
      return true;
    }
    if (st != NumStatus::ok) return fail_at(at, number_problem(kFieldNames[field], text, st, field == 5, opt_));
    int64_t* const dest[6] = {nullptr, &c.open, &c.high, &c.low, &c.close, &c.volume};
    *dest[field] = v;
    if (field < 5 && opt_.tick_size_raw != 1 && v % opt_.tick_size_raw != 0) {
      return fail_at(at, tick_problem(kFieldNames[field], v, opt_));
    }
    return true;
  }
  bool String(const char* s, rapidjson::SizeType, bool) {
    return skipped_scalar() || unexpected(offset(s) - 1, "a string");
  }
  bool Null() { return skipped_scalar() || unexpected(here() - 4, "null (a missing value)"); }
  bool Bool(bool b) { return skipped_scalar() || unexpected(here() - (b ? 4 : 5), "a boolean"); }
  // With kParseNumbersAsStringsFlag numbers only arrive through RawNumber.
  bool Default() { return unexpected(here(), "a value"); }

  // False (with `error` set) unless the columns layout had all six columns.
  bool complete() {
    if (!columns_layout) return true;
    for (int i = 0; i < 6; ++i) {
      if (!seen_[i]) {
        return fail_at(here() - 1, std::string("missing column \"") + kJsonColumns[i] +
                                  "\"; the pandas columns layout needs date, open, high, low, close, volume");
      }
    }
    return true;
  }

 private:
  size_t here() const { return static_cast<size_t>(stream_.src_ - file_begin_); }
  size_t offset(const char* p) const { return static_cast<size_t>(p - file_begin_); }
  // Inside, or the scalar value of, a column this reader does not use (`"extra": 5`).
  bool skipped_scalar() const { return skip_ > 0 || (columns_layout && depth_ == 1 && field_ < 0); }

  bool unexpected(size_t at, const char* what) {
    std::string expect;
    if (depth_ == 0) {
      expect = "a JSON array of rows [[open_time_ms, open, high, low, close, volume], ...] or a pandas "
               "columns object {\"date\": {...}, \"open\": {...}, ...}";
    } else if (!columns_layout && depth_ == 1) {
      expect = "a row [open_time_ms, open, high, low, close, volume]";
    } else if (!columns_layout) {
      expect = "a number";
    } else if (depth_ == 1) {
      expect = "an object of row key -> value for column \"" + name_ + "\"";
    } else {
      expect = "a number in column \"" + name_ + "\"";
    }
    return fail_at(at, std::string("found ") + what + " where " + expect + " belongs");
  }
  bool too_deep() { return fail_at(here() - 1, "column \"" + name_ + "\" nests deeper than 64 levels; remove it"); }
  bool fail_at(size_t at, const std::string& what) {
    error = what;
    error_offset = at;
    return false;
  }

  const rapidjson::InsituStringStream& stream_;
  const char* file_begin_;
  ReadOptions opt_;
  int depth_ = 0;
  int skip_ = 0;    // nesting inside a column this reader ignores
  int field_ = 0;   // rows layout: index within the row; columns layout: column's field or -1
  size_t row_ = 0;  // columns layout: position within the current column
  std::string name_;
  bool seen_[6] = {};
  bool keys_fixed_ = false;
};

// Parses in place (kParseInsituFlag): numbers are handed over as views into the buffer, no copies.
ReadResult read_json(const std::string& path, InputFile& in, size_t bom, const ReadOptions& o) {
  in.read_all();
  char* const base = in.data();
  auto fail_at = [&](size_t offset, const std::string& what) {
    const LineCol lc = line_col(base, offset);
    throw CandleError(path, lc.line, lc.col, what);
  };
  rapidjson::InsituStringStream stream(base + bom);
  JsonHandler h(stream, base, o);
  rapidjson::Reader reader;
  constexpr unsigned kFlags = rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseInsituFlag;
  const rapidjson::ParseResult parsed = reader.Parse<kFlags>(stream, h);
  if (parsed.IsError()) {
    if (parsed.Code() == rapidjson::kParseErrorTermination) fail_at(h.error_offset, h.error);
    fail_at(bom + parsed.Offset(), std::string("invalid JSON: ") + rapidjson::GetParseError_En(parsed.Code()));
  }
  const size_t consumed = static_cast<size_t>(stream.src_ - base);
  if (consumed < in.size()) fail_at(consumed, "unexpected NUL byte; the file is damaged");
  if (!h.complete()) fail_at(h.error_offset, h.error);
  if (h.candles.empty()) fail_at(bom, "no candles in the file");

  auto row_name = [&](size_t i) {
    return h.columns_layout ? "row \"" + std::to_string(h.keys[i]) + "\"" : "row [" + std::to_string(i) + "]";
  };
  auto where = [&](size_t i) {
    const LineCol lc = line_col(base, h.row_offset[i]);
    return row_name(i) + " at " + std::to_string(lc.line) + ":" + std::to_string(lc.col);
  };
  std::vector<Candle>& candles = h.candles;
  TimeUnit unit;
  unit.micros = candles[0].open_time_ns >= kMicrosThreshold;
  unit.to_ns = unit.micros ? 1000 : 1000000;
  for (size_t i = 0; i < candles.size(); ++i) {
    Candle& c = candles[i];
    const int64_t t = c.open_time_ns;
    if (t < kMinMillis || (t >= kMicrosThreshold) != unit.micros || t > (unit.micros ? kMaxMicros : kMaxMillis)) {
      fail_at(h.row_offset[i], row_name(i) + ": " + time_problem(t, unit, where(0)));
    }
    c.open_time_ns *= unit.to_ns;
    if (!ohlc_ok(c)) fail_at(h.row_offset[i], row_name(i) + ": " + ohlc_problem(c, o.price_scale, o.qty_scale));
    if (i > 0 && c.open_time_ns <= candles[i - 1].open_time_ns) {
      fail_at(h.row_offset[i], row_name(i) + ": " + order_problem(candles[i - 1], c, where(i - 1)));
    }
  }
  const Steps steps = analyse_steps(candles);
  if (steps.bad_row != 0) {
    const size_t i = steps.bad_row;
    fail_at(h.row_offset[i], row_name(i) + ": " + step_problem(candles[i - 1], candles[i], steps.interval, where(i - 1)));
  }
  ReadResult result;
  result.candles = std::move(candles);
  result.interval_ns = steps.interval;
  result.format = CandleFormat::FreqtradeJson;
  result.gaps = steps.gaps;
  return result;
}

bool ends_with_json(const std::string& path) {
  return path.size() >= 5 && lower(std::string_view(path).substr(path.size() - 5)) == ".json";
}

}  // namespace

CandleError::CandleError(std::string path, size_t line, size_t column, const std::string& message)
    : std::runtime_error(path + (line ? ":" + std::to_string(line) : "") + (column ? ":" + std::to_string(column) : "") +
                         ": " + message),
      path_(std::move(path)),
      line_(line),
      column_(column) {}

ReadResult read_candles(const std::string& path, const ReadOptions& options) {
  auto check_scale = [&](int scale, const char* name) {
    if (scale < 0 || scale > 18) {
      throw CandleError(path, 0, 0, std::string(name) + " " + std::to_string(scale) +
                                        " is outside 0..18; set ReadOptions::" + name + " to the instrument's decimals");
    }
  };
  check_scale(options.price_scale, "price_scale");
  check_scale(options.qty_scale, "qty_scale");
  if (options.tick_size_raw < 1) {
    throw CandleError(path, 0, 0, "tick_size_raw " + std::to_string(options.tick_size_raw) +
                                      " must be >= 1 (the tick at price_scale; 1 accepts every price)");
  }
  InputFile in(path);
  const char* begin = in.data();
  const char* const end = begin + in.size();
  size_t bom = 0;
  if (end - begin >= 3 && std::memcmp(begin, "\xEF\xBB\xBF", 3) == 0) bom = 3;  // UTF-8 BOM (Excel)
  begin += bom;
  if (in.eof() && only_whitespace(begin, end)) throw CandleError(path, 1, 0, "file is empty; expected candle rows");
  if (end - begin >= 4 && std::memcmp(begin, "PK\x03\x04", 4) == 0) {
    throw CandleError(path, 0, 0,
                      "is a zip archive (data.binance.vision ships klines zipped); unzip it and read the .csv inside");
  }
  if (end - begin >= 2 && std::memcmp(begin, "\x1f\x8b", 2) == 0) {
    throw CandleError(path, 0, 0, "is gzip-compressed; decompress it first");
  }
  const char* first = begin;
  while (first < end && (*first == ' ' || *first == '\t' || *first == '\r' || *first == '\n')) ++first;
  CandleFormat format = options.format;
  if (format == CandleFormat::Auto) {
    if (*first == '[' || *first == '{') {
      format = CandleFormat::FreqtradeJson;
    } else if (ends_with_json(path)) {
      const LineCol lc = line_col(in.data(), static_cast<size_t>(first - in.data()));
      throw CandleError(path, lc.line, lc.col, "a .json candle file must start with '[' or '{'");
    }
  }
  if (format == CandleFormat::FreqtradeJson) return read_json(path, in, bom, options);
  return CsvReader(path, in, bom, options).read(format);
}

}  // namespace tradehost::replay
