// tradehost/ta.hpp -- streaming technical indicators for strategy plugins. Header-only, C++17,
// standard library only.
//
// Every indicator takes one input per update() in O(1) time (Sma and Bollinger: amortised O(1),
// see there) and never allocates after its constructor. Values are doubles in the input's own
// units (feed Fixed::to_double() of prices; indicators are signals, not money).
//
// Common shape:
//   explicit Xxx(int period)      throws std::invalid_argument when a period is < 1
//   bool update(x)                feeds one input; returns true when value() is valid afterwards
//   bool ready() const            value() is valid
//   double value() const          the current output; 0.0 while not ready
//   void reset()                  back to the freshly constructed state (period kept)
//   size_t count() const          inputs fed since construction or reset()
//   void save(std::string&) const appends a compact binary image of the state (hot reload)
//   bool load(std::string_view&)  consumes one image from the front of the view; returns false and
//                                 changes neither the indicator nor the view when the image is
//                                 truncated, corrupt, of another indicator or another period
//
// Inputs must be finite: a NaN or infinity is not rejected and poisons the output until reset().
// Warm-up and seeding follow TA-Lib's defaults (unstable period 0) so values can be checked
// against TA-Lib, StockCharts and most charting sites; differences are documented per class.
//
// The saved image is little-endian with IEEE-754 doubles copied bit for bit, so a reloaded
// indicator continues exactly where the saved one stopped. It is an in-process hot-reload format,
// versioned by a tag per class, not an archival format.
#ifndef TRADEHOST_TA_HPP
#define TRADEHOST_TA_HPP

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tradehost {
namespace ta {

namespace detail {
inline int check_period(int period, const char* what) {
  if (period < 1) throw std::invalid_argument(std::string(what) + ": period must be >= 1");
  return period;
}

inline void put_u64(std::string& out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  out.append(b, 8);
}
inline void put_u32(std::string& out, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  out.append(b, 4);
}
inline void put_f64(std::string& out, double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  put_u64(out, bits);
}
inline void put_tag(std::string& out, const char (&tag)[5]) { out.append(tag, 4); }

// Reads from a private copy of the view; the caller commits `rest` only when everything parsed.
struct Reader {
  std::string_view rest;
  bool ok = true;

  bool take(size_t n, const char*& p) {
    if (!ok || rest.size() < n) return ok = false;
    p = rest.data();
    rest.remove_prefix(n);
    return true;
  }
  uint64_t u64() {
    const char* p;
    if (!take(8, p)) return 0;
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
      v |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
    return v;
  }
  uint32_t u32() {
    const char* p;
    if (!take(4, p)) return 0;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
      v |= static_cast<uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
    return v;
  }
  double f64() {
    const uint64_t bits = u64();
    double v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  }
  bool tag(const char (&expected)[5]) {
    const char* p;
    if (!take(4, p)) return false;
    if (std::memcmp(p, expected, 4) != 0) ok = false;
    return ok;
  }
  bool expect_u32(uint32_t expected) {
    if (u32() != expected) ok = false;
    return ok;
  }
};

// A fixed-size window of the last n doubles, allocated once. Plus the helper both Sma and
// Bollinger use to bound floating-point drift of a running sum.
class Window {
 public:
  explicit Window(int n) : buf_(static_cast<size_t>(n), 0.0) {}
  size_t capacity() const noexcept { return buf_.size(); }
  size_t size() const noexcept { return size_; }
  bool full() const noexcept { return size_ == buf_.size(); }
  // Stores x; returns the value it evicted (0.0 while the window is filling).
  double push(double x) noexcept {
    const double old = buf_[head_];
    buf_[head_] = x;
    head_ = head_ + 1 == buf_.size() ? 0 : head_ + 1;
    if (size_ < buf_.size()) {
      ++size_;
      return 0.0;
    }
    return old;
  }
  double sum() const noexcept {  // over the stored values, oldest first
    double s = 0.0;
    for (size_t i = 0; i < size_; ++i) s += at(i);
    return s;
  }
  double at(size_t i) const noexcept {  // i-th oldest stored value
    const size_t start = full() ? head_ : 0;
    const size_t j = start + i;
    return buf_[j >= buf_.size() ? j - buf_.size() : j];
  }
  void clear() noexcept {
    for (double& v : buf_) v = 0.0;
    head_ = size_ = 0;
  }
  void save(std::string& out) const {
    put_u32(out, static_cast<uint32_t>(head_));
    put_u32(out, static_cast<uint32_t>(size_));
    for (double v : buf_) put_f64(out, v);
  }
  // Reads into this window only when the whole image is valid.
  bool load(Reader& in) {
    const uint32_t head = in.u32();
    const uint32_t size = in.u32();
    if (!in.ok || head >= buf_.size() || size > buf_.size() ||
        (size < buf_.size() && head != size)) {
      in.ok = false;
      return false;
    }
    const char* p;
    if (!in.take(buf_.size() * 8, p)) return false;
    Reader values{std::string_view(p, buf_.size() * 8)};
    for (double& v : buf_) v = values.f64();
    head_ = head;
    size_ = size;
    return true;
  }

 private:
  std::vector<double> buf_;
  size_t head_ = 0;  // next slot to write
  size_t size_ = 0;
};
}  // namespace detail

/// Simple moving average: the arithmetic mean of the last n inputs. First valid at the n-th
/// input (TA-Lib SMA). Output in the input's units.
///
/// Drift control: a running sum (add the new input, subtract the evicted one) is recomputed from
/// the ring buffer every n updates, so rounding error never accumulates beyond one window's worth
/// of additions. That costs O(n) once per n updates: amortised O(1), worst case O(n) on one
/// update in n; no allocation ever.
class Sma {
 public:
  /// period n >= 1, else std::invalid_argument.
  explicit Sma(int period) : n_(detail::check_period(period, "Sma")), window_(n_) {}

  /// Feeds one input; true once n inputs have been seen.
  bool update(double x) {
    const double evicted = window_.push(x);
    ++count_;
    if (++since_resum_ >= static_cast<uint64_t>(n_)) {
      sum_ = window_.sum();
      since_resum_ = 0;
    } else {
      sum_ += x - evicted;
    }
    if (!window_.full()) return false;
    value_ = sum_ / n_;
    return true;
  }
  bool ready() const noexcept { return window_.full(); }
  /// The mean of the last n inputs; 0.0 until ready().
  double value() const noexcept { return ready() ? value_ : 0.0; }
  size_t count() const noexcept { return static_cast<size_t>(count_); }
  int period() const noexcept { return n_; }
  void reset() noexcept {
    window_.clear();
    sum_ = value_ = 0.0;
    count_ = since_resum_ = 0;
  }
  /// Appends the binary image (tag "SMA1", period, counters, sum, window).
  void save(std::string& out) const {
    detail::put_tag(out, kTag);
    detail::put_u32(out, static_cast<uint32_t>(n_));
    detail::put_u64(out, count_);
    detail::put_u64(out, since_resum_);
    detail::put_f64(out, sum_);
    detail::put_f64(out, value_);
    window_.save(out);
  }
  /// Consumes one image from the front of `in`; false (nothing changed) when it is truncated,
  /// not an Sma image, or of another period.
  bool load(std::string_view& in) {
    detail::Reader r{in};
    Sma tmp(n_);
    if (!tmp.read(r)) return false;
    *this = std::move(tmp);
    in = r.rest;
    return true;
  }

 private:
  static constexpr char kTag[5] = "SMA1";
  bool read(detail::Reader& r) {
    if (!r.tag(kTag) || !r.expect_u32(static_cast<uint32_t>(n_))) return false;
    count_ = r.u64();
    since_resum_ = r.u64();
    sum_ = r.f64();
    value_ = r.f64();
    return r.ok && window_.load(r) && since_resum_ < static_cast<uint64_t>(n_) &&
           window_.size() == (count_ < window_.capacity() ? count_ : window_.capacity());
  }

  int n_;
  detail::Window window_;
  double sum_ = 0.0;
  double value_ = 0.0;
  uint64_t count_ = 0;
  uint64_t since_resum_ = 0;
};

/// Exponential moving average with alpha = 2 / (n + 1), seeded as TA-Lib's default (and
/// StockCharts) do: the first output, at the n-th input, is the simple mean of the first n
/// inputs; afterwards ema += alpha * (x - ema). Output in the input's units.
class Ema {
 public:
  /// period n >= 1, else std::invalid_argument. n = 1 makes the EMA equal to the last input.
  explicit Ema(int period)
      : n_(detail::check_period(period, "Ema")), alpha_(2.0 / (period + 1.0)) {}

  /// Feeds one input; true from the n-th input on.
  bool update(double x) noexcept {
    ++count_;
    if (count_ < static_cast<uint64_t>(n_)) {
      value_ += x;  // accumulates the seed sum while warming up
      return false;
    }
    if (count_ == static_cast<uint64_t>(n_)) {
      value_ = (value_ + x) / n_;
      return true;
    }
    value_ += alpha_ * (x - value_);
    return true;
  }
  bool ready() const noexcept { return count_ >= static_cast<uint64_t>(n_); }
  /// The current EMA; 0.0 until ready().
  double value() const noexcept { return ready() ? value_ : 0.0; }
  size_t count() const noexcept { return static_cast<size_t>(count_); }
  int period() const noexcept { return n_; }
  /// 2 / (n + 1).
  double alpha() const noexcept { return alpha_; }
  void reset() noexcept {
    value_ = 0.0;
    count_ = 0;
  }
  /// Appends the binary image (tag "EMA1", period, count, state).
  void save(std::string& out) const {
    detail::put_tag(out, kTag);
    detail::put_u32(out, static_cast<uint32_t>(n_));
    detail::put_u64(out, count_);
    detail::put_f64(out, value_);
  }
  /// Consumes one image; false (nothing changed) when truncated, not an Ema image, or of another
  /// period.
  bool load(std::string_view& in) {
    detail::Reader r{in};
    if (!r.tag(kTag) || !r.expect_u32(static_cast<uint32_t>(n_))) return false;
    const uint64_t count = r.u64();
    const double value = r.f64();
    if (!r.ok) return false;
    count_ = count;
    value_ = value;
    in = r.rest;
    return true;
  }

 private:
  static constexpr char kTag[5] = "EMA1";
  int n_;
  double alpha_;
  double value_ = 0.0;  // the seed sum before ready(), the EMA after
  uint64_t count_ = 0;
};

/// Wilder's Relative Strength Index, 0..100, computed as TA-Lib's RSI (unstable period 0) and
/// Wilder's book: the first value needs n + 1 inputs (n changes); the first average gain/loss is
/// the simple mean of the first n gains/losses; afterwards avg = (avg * (n - 1) + current) / n.
/// RSI = 100 * avgGain / (avgGain + avgLoss), which is 100 - 100 / (1 + avgGain / avgLoss) with
/// avgLoss = 0 giving 100. When both averages are 0 (a flat series) the RSI is 0, as TA-Lib
/// returns. Difference from TA-Lib: TA-Lib treats |avgGain + avgLoss| < 1e-8 as zero, which turns
/// every RSI of an asset priced around 1e-6 into 0; this class tests for exactly 0.
class Rsi {
 public:
  /// period n >= 1, else std::invalid_argument (TA-Lib requires n >= 2; n = 1 is allowed here).
  explicit Rsi(int period) : n_(detail::check_period(period, "Rsi")) {}

  /// Feeds one close; true from the (n + 1)-th input on.
  bool update(double x) noexcept {
    ++count_;
    if (count_ == 1) {
      prev_ = x;
      return false;
    }
    const double change = x - prev_;
    prev_ = x;
    const double gain = change > 0 ? change : 0.0;
    const double loss = change < 0 ? -change : 0.0;
    const uint64_t changes = count_ - 1;
    if (changes < static_cast<uint64_t>(n_)) {  // warming up: sums, averaged at the n-th change
      avg_gain_ += gain;
      avg_loss_ += loss;
      return false;
    }
    if (changes == static_cast<uint64_t>(n_)) {
      avg_gain_ = (avg_gain_ + gain) / n_;
      avg_loss_ = (avg_loss_ + loss) / n_;
    } else {
      avg_gain_ = (avg_gain_ * (n_ - 1) + gain) / n_;
      avg_loss_ = (avg_loss_ * (n_ - 1) + loss) / n_;
    }
    const double total = avg_gain_ + avg_loss_;
    value_ = total != 0.0 ? 100.0 * (avg_gain_ / total) : 0.0;
    return true;
  }
  bool ready() const noexcept { return count_ > static_cast<uint64_t>(n_); }
  /// RSI in 0..100; 0.0 until ready().
  double value() const noexcept { return ready() ? value_ : 0.0; }
  /// Wilder-smoothed average gain (input units per bar); valid when ready().
  double avg_gain() const noexcept { return ready() ? avg_gain_ : 0.0; }
  /// Wilder-smoothed average loss as a positive number; valid when ready().
  double avg_loss() const noexcept { return ready() ? avg_loss_ : 0.0; }
  size_t count() const noexcept { return static_cast<size_t>(count_); }
  int period() const noexcept { return n_; }
  void reset() noexcept {
    prev_ = avg_gain_ = avg_loss_ = value_ = 0.0;
    count_ = 0;
  }
  /// Appends the binary image (tag "RSI1", period, count, state).
  void save(std::string& out) const {
    detail::put_tag(out, kTag);
    detail::put_u32(out, static_cast<uint32_t>(n_));
    detail::put_u64(out, count_);
    detail::put_f64(out, prev_);
    detail::put_f64(out, avg_gain_);
    detail::put_f64(out, avg_loss_);
    detail::put_f64(out, value_);
  }
  /// Consumes one image; false (nothing changed) when truncated, not an Rsi image, or of another
  /// period.
  bool load(std::string_view& in) {
    detail::Reader r{in};
    if (!r.tag(kTag) || !r.expect_u32(static_cast<uint32_t>(n_))) return false;
    const uint64_t count = r.u64();
    const double prev = r.f64(), gain = r.f64(), loss = r.f64(), value = r.f64();
    if (!r.ok) return false;
    count_ = count;
    prev_ = prev;
    avg_gain_ = gain;
    avg_loss_ = loss;
    value_ = value;
    in = r.rest;
    return true;
  }

 private:
  static constexpr char kTag[5] = "RSI1";
  int n_;
  double prev_ = 0.0;
  double avg_gain_ = 0.0;  // the sum of gains before ready()
  double avg_loss_ = 0.0;  // the sum of losses before ready()
  double value_ = 0.0;
  uint64_t count_ = 0;
};

/// Wilder's Average True Range, in price units, as TA-Lib's ATR (unstable period 0): the first
/// bar has no previous close and yields no true range; the first ATR, at input index n (the
/// (n + 1)-th bar), is the mean of the n true ranges of bars 1..n; afterwards
/// atr = (atr * (n - 1) + tr) / n.
/// StockCharts' worked example instead counts the first bar's high - low as a true range and so
/// outputs one bar earlier; the two converge as (n - 1) / n per bar.
class Atr {
 public:
  /// period n >= 1, else std::invalid_argument.
  explicit Atr(int period) : n_(detail::check_period(period, "Atr")) {}

  /// True range of a bar: max(high - low, |high - prev_close|, |low - prev_close|).
  static double true_range(double high, double low, double prev_close) noexcept {
    double tr = high - low;
    const double up = std::fabs(high - prev_close);
    const double down = std::fabs(low - prev_close);
    if (up > tr) tr = up;
    if (down > tr) tr = down;
    return tr;
  }

  /// Feeds one bar (high >= low expected, not checked); true from the (n + 1)-th bar on.
  bool update(double high, double low, double close) noexcept {
    ++count_;
    if (count_ == 1) {
      prev_close_ = close;
      return false;
    }
    const double tr = true_range(high, low, prev_close_);
    prev_close_ = close;
    const uint64_t ranges = count_ - 1;
    if (ranges < static_cast<uint64_t>(n_)) {
      value_ += tr;  // seed sum
      return false;
    }
    if (ranges == static_cast<uint64_t>(n_))
      value_ = (value_ + tr) / n_;
    else
      value_ = (value_ * (n_ - 1) + tr) / n_;
    return true;
  }
  bool ready() const noexcept { return count_ > static_cast<uint64_t>(n_); }
  /// The current ATR; 0.0 until ready().
  double value() const noexcept { return ready() ? value_ : 0.0; }
  size_t count() const noexcept { return static_cast<size_t>(count_); }
  int period() const noexcept { return n_; }
  void reset() noexcept {
    prev_close_ = value_ = 0.0;
    count_ = 0;
  }
  /// Appends the binary image (tag "ATR1", period, count, state).
  void save(std::string& out) const {
    detail::put_tag(out, kTag);
    detail::put_u32(out, static_cast<uint32_t>(n_));
    detail::put_u64(out, count_);
    detail::put_f64(out, prev_close_);
    detail::put_f64(out, value_);
  }
  /// Consumes one image; false (nothing changed) when truncated, not an Atr image, or of another
  /// period.
  bool load(std::string_view& in) {
    detail::Reader r{in};
    if (!r.tag(kTag) || !r.expect_u32(static_cast<uint32_t>(n_))) return false;
    const uint64_t count = r.u64();
    const double prev_close = r.f64(), value = r.f64();
    if (!r.ok) return false;
    count_ = count;
    prev_close_ = prev_close;
    value_ = value;
    in = r.rest;
    return true;
  }

 private:
  static constexpr char kTag[5] = "ATR1";
  int n_;
  double prev_close_ = 0.0;
  double value_ = 0.0;  // the sum of true ranges before ready()
  uint64_t count_ = 0;
};

/// Bollinger Bands over the last n inputs: middle = SMA(n); upper/lower = middle +- k * sigma,
/// where sigma is the POPULATION standard deviation (divide by n), as Bollinger, StockCharts and
/// TA-Lib's BBANDS define it. First valid at the n-th input. value() is the middle band.
///
/// The window's mean and sum of squared deviations are updated per input (sliding Welford update,
/// which avoids the cancellation of sum(x^2) - n * mean^2 at large prices) and recomputed with two
/// passes over the ring buffer every n updates to bound drift: amortised O(1), no allocation.
class Bollinger {
 public:
  /// period n >= 1 and a finite k >= 0 (band width in standard deviations, usually 2), else
  /// std::invalid_argument.
  Bollinger(int period, double k)
      : n_(detail::check_period(period, "Bollinger")), k_(k), window_(n_) {
    if (!(k >= 0.0) || !std::isfinite(k))
      throw std::invalid_argument("Bollinger: k must be finite and >= 0");
  }

  /// Feeds one input; true once n inputs have been seen.
  bool update(double x) {
    const bool was_full = window_.full();
    const double old = window_.push(x);
    ++count_;
    if (++since_resum_ >= static_cast<uint64_t>(n_)) {
      recompute();
      since_resum_ = 0;
    } else if (was_full) {  // replace `old` by x in a window of constant size n
      const double old_mean = mean_;
      mean_ += (x - old) / n_;
      m2_ += (x - old) * (x - mean_ + old - old_mean);
    } else {  // plain Welford insertion while filling
      const double size = static_cast<double>(window_.size());
      const double delta = x - mean_;
      mean_ += delta / size;
      m2_ += delta * (x - mean_);
    }
    if (m2_ < 0.0) m2_ = 0.0;  // rounding can push a flat window a hair below zero
    return window_.full();
  }
  bool ready() const noexcept { return window_.full(); }
  /// The middle band (same as middle()).
  double value() const noexcept { return middle(); }
  /// SMA of the last n inputs; 0.0 until ready().
  double middle() const noexcept { return ready() ? mean_ : 0.0; }
  /// Population standard deviation of the last n inputs; 0.0 until ready().
  double stddev() const noexcept { return ready() ? std::sqrt(m2_ / n_) : 0.0; }
  /// middle + k * stddev; 0.0 until ready().
  double upper() const noexcept { return ready() ? mean_ + k_ * stddev() : 0.0; }
  /// middle - k * stddev; 0.0 until ready().
  double lower() const noexcept { return ready() ? mean_ - k_ * stddev() : 0.0; }
  size_t count() const noexcept { return static_cast<size_t>(count_); }
  int period() const noexcept { return n_; }
  double k() const noexcept { return k_; }
  void reset() noexcept {
    window_.clear();
    mean_ = m2_ = 0.0;
    count_ = since_resum_ = 0;
  }
  /// Appends the binary image (tag "BOL1", period, k, counters, state, window).
  void save(std::string& out) const {
    detail::put_tag(out, kTag);
    detail::put_u32(out, static_cast<uint32_t>(n_));
    detail::put_f64(out, k_);
    detail::put_u64(out, count_);
    detail::put_u64(out, since_resum_);
    detail::put_f64(out, mean_);
    detail::put_f64(out, m2_);
    window_.save(out);
  }
  /// Consumes one image; false (nothing changed) when truncated, not a Bollinger image, or of
  /// another period or k.
  bool load(std::string_view& in) {
    detail::Reader r{in};
    Bollinger tmp(n_, k_);
    if (!tmp.read(r)) return false;
    *this = std::move(tmp);
    in = r.rest;
    return true;
  }

 private:
  static constexpr char kTag[5] = "BOL1";
  void recompute() noexcept {
    const size_t size = window_.size();
    mean_ = window_.sum() / static_cast<double>(size);
    double m2 = 0.0;
    for (size_t i = 0; i < size; ++i) {
      const double d = window_.at(i) - mean_;
      m2 += d * d;
    }
    m2_ = m2;
  }
  bool read(detail::Reader& r) {
    if (!r.tag(kTag) || !r.expect_u32(static_cast<uint32_t>(n_))) return false;
    const double k = r.f64();
    if (!r.ok || std::memcmp(&k, &k_, sizeof k) != 0) return false;
    count_ = r.u64();
    since_resum_ = r.u64();
    mean_ = r.f64();
    m2_ = r.f64();
    return r.ok && window_.load(r) && since_resum_ < static_cast<uint64_t>(n_) &&
           window_.size() == (count_ < window_.capacity() ? count_ : window_.capacity());
  }

  int n_;
  double k_;
  detail::Window window_;
  double mean_ = 0.0;
  double m2_ = 0.0;  // sum of squared deviations from mean_ over the window
  uint64_t count_ = 0;
  uint64_t since_resum_ = 0;
};

/// MACD: macd = EMA(fast) - EMA(slow), both SMA-seeded like Ema; signal = EMA(signal) of the
/// macd line, fed from the first bar where both EMAs are ready (input index slow - 1), so the
/// signal and histogram = macd - signal are first valid at input index slow + signal - 2
/// (33 for 12/26/9, as TA-Lib). ready() means the signal is ready; value() is the macd line.
///
/// Difference from TA-Lib's MACD: TA-Lib seeds its fast EMA late, with the SMA of the `fast`
/// inputs ending at index slow - 1, so both lines start together; here the fast EMA runs from
/// its own n-th input, as a chart's two EMAs would. The macd values therefore differ from
/// TA-Lib's by a transient that decays by (fast - 1) / (fast + 1) per bar (about 1e-3 of the
/// initial gap after 40 bars for fast = 12); the signal seeding is the same as TA-Lib's.
class Macd {
 public:
  /// 1 <= fast < slow and signal >= 1, else std::invalid_argument.
  explicit Macd(int fast = 12, int slow = 26, int signal = 9)
      : fast_(detail::check_period(fast, "Macd fast")),
        slow_(detail::check_period(slow, "Macd slow")),
        signal_(detail::check_period(signal, "Macd signal")) {
    if (fast >= slow) throw std::invalid_argument("Macd: fast period must be < slow period");
  }

  /// Feeds one close; true once the signal line is valid.
  bool update(double x) noexcept {
    ++count_;
    fast_.update(x);
    if (!slow_.update(x)) return false;
    macd_ = fast_.value() - slow_.value();
    return signal_.update(macd_);
  }
  /// The signal line (and histogram) is valid.
  bool ready() const noexcept { return signal_.ready(); }
  /// The macd line is valid (from input index slow - 1, before ready()).
  bool macd_ready() const noexcept { return slow_.ready(); }
  /// The macd line (same as macd()).
  double value() const noexcept { return macd(); }
  /// EMA(fast) - EMA(slow) in input units; 0.0 until macd_ready().
  double macd() const noexcept { return macd_ready() ? macd_ : 0.0; }
  /// EMA(signal) of the macd line; 0.0 until ready().
  double signal() const noexcept { return signal_.value(); }
  /// macd - signal; 0.0 until ready().
  double histogram() const noexcept { return ready() ? macd_ - signal_.value() : 0.0; }
  size_t count() const noexcept { return static_cast<size_t>(count_); }
  void reset() noexcept {
    fast_.reset();
    slow_.reset();
    signal_.reset();
    macd_ = 0.0;
    count_ = 0;
  }
  /// Appends the binary image (tag "MCD1", count, macd, then the three Ema images).
  void save(std::string& out) const {
    detail::put_tag(out, kTag);
    detail::put_u64(out, count_);
    detail::put_f64(out, macd_);
    fast_.save(out);
    slow_.save(out);
    signal_.save(out);
  }
  /// Consumes one image; false (nothing changed) when truncated, not a Macd image, or of other
  /// periods.
  bool load(std::string_view& in) {
    detail::Reader r{in};
    if (!r.tag(kTag)) return false;
    const uint64_t count = r.u64();
    const double macd = r.f64();
    if (!r.ok) return false;
    std::string_view rest = r.rest;
    Ema fast = fast_, slow = slow_, signal = signal_;
    if (!fast.load(rest) || !slow.load(rest) || !signal.load(rest)) return false;
    fast_ = fast;
    slow_ = slow;
    signal_ = signal;
    count_ = count;
    macd_ = macd;
    in = rest;
    return true;
  }

 private:
  static constexpr char kTag[5] = "MCD1";
  Ema fast_, slow_, signal_;
  double macd_ = 0.0;
  uint64_t count_ = 0;
};

}  // namespace ta
}  // namespace tradehost

#endif  // TRADEHOST_TA_HPP
