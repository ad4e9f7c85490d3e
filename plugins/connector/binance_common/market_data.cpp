#include "market_data.hpp"

#include "json_fields.hpp"

#include <tradehost/fixed.hpp>
#include <tradehost/plugin.h>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <functional>
#include <string>
#include <unordered_map>
#include <utility>

namespace tradehost::binance {

namespace {

using detail::JsonFields;

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

// Parse flags: in situ, so strings point into our own copy of the frame instead of being copied
// into the DOM (the frame is copied once, which is cheaper than allocating per string); iterative,
// so nesting depth costs heap, not stack: RapidJSON's default recursive descent overflows the
// stack on a frame of some ten thousand '[' (found by fuzz/binance_stream).
constexpr unsigned kParseFlags = rapidjson::kParseInsituFlag | rapidjson::kParseIterativeFlag;

// A DOM whose nodes and parse stack both come from pool allocators (see MarketDataParser::Impl).
using PooledDocument = rapidjson::GenericDocument<rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>,
                                                  rapidjson::MemoryPoolAllocator<>>;

// One [price, qty] array of a depth message at `scales`, appended to `out` unless the policy of
// OffGridCount drops it. `key` and `index` name the level in errors ("b[3]").
bool parse_level(const rapidjson::Value& level, const Scales& scales, const JsonFields& fields,
                 const char* key, size_t index, std::vector<BookLevel>& out, OffGridCount& off) {
  auto fail = [&](std::string_view problem) {
    std::string where = std::string(key) + "[" + std::to_string(index) + "]";
    return fields.fail(where, problem);
  };
  if (!level.IsArray() || level.Size() < 2 || !level[0].IsString() || !level[1].IsString())
    return fail("is not a [price, qty] pair of strings");
  const std::string_view ptext(level[0].GetString(), level[0].GetStringLength());
  const std::string_view qtext(level[1].GetString(), level[1].GetStringLength());
  BookLevel l;
  if (detail::plain_decimal(ptext, scales.price_scale, l.price) &&
      detail::plain_decimal(qtext, scales.qty_scale, l.qty)) {
    out.push_back(l);  // the common case: both plain and on the grid (never negative)
    return true;
  }
  std::string why;
  if (!parse_fixed(ptext, scales.price_scale, l.price)) {
    // A valid number with digits below the tick is an off-grid level (see OffGridCount);
    // anything else is malformed.
    int64_t truncated;
    if (!parse_fixed(ptext, scales.price_scale, truncated, &why, Rounding::Down))
      return fail("price: " + why);
    if (truncated < 0) return fail("price is negative");
    ++off.dropped_levels;
    return true;
  }
  if (l.price < 0) return fail("price is negative");
  if (!parse_fixed(qtext, scales.qty_scale, l.qty)) {
    if (!parse_fixed(qtext, scales.qty_scale, l.qty, &why, Rounding::Down))
      return fail("qty: " + why);
    ++off.floored_qtys;
  }
  if (l.qty < 0) return fail("qty is negative");
  out.push_back(l);
  return true;
}

bool parse_levels(const JsonFields& fields, const char* key, const Scales& scales,
                  std::vector<BookLevel>& out, OffGridCount& off) {
  out.clear();
  const rapidjson::Value* arr = fields.get(key);
  if (arr == nullptr) return false;
  if (!arr->IsArray()) return fields.fail(key, "is not an array");
  out.reserve(arr->Size());
  for (rapidjson::SizeType i = 0; i < arr->Size(); ++i)
    if (!parse_level((*arr)[i], scales, fields, key, i, out, off)) return false;
  return true;
}

// ---- the depth-frame fast path ----
//
// Diff depth frames are most of a connector's traffic, and building a RapidJSON DOM for each was
// most of their cost (bench/depth_apply.cpp). DepthScanner reads the one shape Binance sends --
// an optional {"stream":"..","data":{..}} envelope around a flat event object whose values are
// escape-free strings, non-negative integers, literals and, for "b"/"a", arrays of [price, qty]
// string pairs -- straight into a DepthDiff. It gives up (returns false) at the first thing
// outside that shape or outside plain_decimal's forms: escapes, floats, nested objects, duplicate
// or missing fields, off-grid levels, an event other than depthUpdate, trailing bytes. The caller
// then parses the frame again with the DOM, which handles every case and words every error, so
// the fast path never decides that a frame is wrong, only that it is plainly right.
class DepthScanner {
 public:
  DepthScanner(std::string_view text, Venue venue) : p_(text.data()), end_(p_ + text.size()),
                                                     venue_(venue) {}

  template <class Lookup>
  bool scan(const Lookup& lookup, std::string& stream, DepthDiff& out) {
    ws();
    if (!eat('{')) return false;
    std::string_view key;
    if (!read_key(key)) return false;
    if (key == "stream") {
      std::string_view name;
      if (!read_string(name) || !comma() || !read_key(key) || key != "data") return false;
      ws();
      if (!eat('{') || !read_key(key) || !event(key, lookup, out)) return false;
      ws();
      if (!eat('}')) return false;
      stream.assign(name);
    } else {
      if (!event(key, lookup, out, /*raw=*/true)) return false;
      stream.clear();
    }
    ws();
    return p_ == end_;
  }

 private:
  // Bits of the fields seen, to refuse duplicates and require the mandatory ones.
  enum : unsigned { kE = 1, kEvtTime = 2, kTxTime = 4, kSym = 8, kFirst = 16, kFinal = 32,
                    kPrev = 64, kBids = 128, kAsks = 256 };

  // The members of the event object, `key` being the first one's key (already read, with its
  // ':'); consumes the closing '}'. `raw`: the event is the whole frame, no envelope around it;
  // then a "data" member makes the DOM path read the frame as an envelope (parse_stream looks
  // for "data" first), so the scanner must give such a frame up rather than read it as an event.
  template <class Lookup>
  bool event(std::string_view key, const Lookup& lookup, DepthDiff& out, bool raw = false) {
    unsigned seen = 0;
    const Scales* sc = nullptr;
    out.off_grid = {};
    for (;;) {
      unsigned bit = 0;
      bool ok = true;
      if (key.size() == 1) {
        switch (key[0]) {
          case 'e': {
            std::string_view e;
            ok = read_string(e) && e == "depthUpdate";
            bit = kE;
            break;
          }
          case 'E': ok = read_uint(out.event_time_ms); bit = kEvtTime; break;
          case 'T': ok = read_uint(out.transaction_time_ms); bit = kTxTime; break;
          case 'U': ok = read_uint(out.first_update_id); bit = kFirst; break;
          case 'u': ok = read_uint(out.final_update_id); bit = kFinal; break;
          case 's': {
            std::string_view sym;
            ok = read_string(sym) && (sc = lookup(sym)) != nullptr;
            if (ok) out.symbol.assign(sym);
            bit = kSym;
            break;
          }
          case 'b': ok = sc != nullptr && levels(*sc, out.bids); bit = kBids; break;
          case 'a': ok = sc != nullptr && levels(*sc, out.asks); bit = kAsks; break;
          default: ok = skip_scalar();
        }
      } else if (key == "pu") {
        ok = read_uint(out.prev_final_update_id);
        bit = kPrev;
      } else if (raw && key == "data") {
        return false;
      } else {
        ok = skip_scalar();
      }
      if (!ok || (seen & bit) != 0) return false;
      seen |= bit;
      ws();
      if (eat('}')) break;
      if (!eat(',') || !read_key(key)) return false;
    }
    unsigned need = kE | kEvtTime | kSym | kFirst | kFinal | kBids | kAsks;
    if (venue_ == Venue::UsdM) need |= kTxTime | kPrev;
    if ((seen & need) != need || out.first_update_id > out.final_update_id) return false;
    if (venue_ == Venue::Spot) {
      out.transaction_time_ms = 0;
      out.prev_final_update_id = -1;
    }
    return true;
  }

  // [["p","q"],...] into `out`, every value plain and on the grid.
  bool levels(const Scales& sc, std::vector<BookLevel>& out) {
    out.clear();
    ws();
    if (!eat('[')) return false;
    ws();
    if (eat(']')) return true;
    for (;;) {
      BookLevel l;
      ws();
      if (!eat('[') || !read_decimal(sc.price_scale, l.price) || !comma() || !read_decimal(sc.qty_scale, l.qty)) return false;
      ws();
      if (!eat(']')) return false;
      out.push_back(l);
      ws();
      if (eat(']')) return true;
      if (!eat(',')) return false;
    }
  }

  void ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }
  bool eat(char c) {
    if (p_ < end_ && *p_ == c) {
      ++p_;
      return true;
    }
    return false;
  }
  bool comma() {
    ws();
    return eat(',');
  }
  // A string without escapes or control characters; the view points into the frame.
  bool read_string(std::string_view& out) {
    ws();
    if (!eat('"')) return false;
    const char* b = p_;
    while (p_ < end_ && *p_ != '"') {
      if (*p_ == '\\' || static_cast<unsigned char>(*p_) < 0x20) return false;
      ++p_;
    }
    if (p_ == end_) return false;
    out = std::string_view(b, static_cast<size_t>(p_ - b));
    ++p_;
    return true;
  }
  // A quoted plain decimal ("16704.50") straight to raw at `scale`, in one pass: exactly
  // detail::plain_decimal's grammar (digits, an optional fraction, at most 18 digits up to the
  // scale, only zeros beyond it), read while looking for the closing quote instead of after it.
  // False on anything else; the frame then goes to the DOM parser, which words the error.
  bool read_decimal(int scale, int64_t& out) {
    ws();
    if (!eat('"')) return false;
    const char* p = p_;
    uint64_t v = 0;
    int digits = 0;
    while (p < end_ && static_cast<unsigned>(*p - '0') < 10u) {
      if (++digits > 18) return false;
      v = v * 10 + static_cast<unsigned>(*p - '0');
      ++p;
    }
    if (digits == 0) return false;
    int frac = 0;
    if (p < end_ && *p == '.') {
      ++p;
      if (p == end_ || *p == '"') return false;  // "5." : left to the general parser
      for (; p < end_ && frac < scale && static_cast<unsigned>(*p - '0') < 10u; ++p, ++frac) {
        if (++digits > 18) return false;
        v = v * 10 + static_cast<unsigned>(*p - '0');
      }
      while (p < end_ && *p == '0') ++p;
    }
    if (p == end_ || *p != '"') return false;
    for (; frac < scale; ++frac) {
      if (++digits > 18) return false;
      v *= 10;
    }
    p_ = p + 1;
    out = static_cast<int64_t>(v);
    return true;
  }
  bool read_key(std::string_view& key) {
    if (!read_string(key)) return false;
    ws();
    return eat(':');
  }
  // A non-negative JSON integer of at most 18 digits (no leading zeros but "0"). Digits past the
  // 18th are skipped, not accumulated: a longer number is refused anyway, and multiplying on
  // would overflow int64 (undefined behaviour) from the 19th digit.
  bool read_uint(int64_t& out) {
    ws();
    const char* b = p_;
    int64_t v = 0;
    while (p_ < end_ && static_cast<unsigned>(*p_ - '0') < 10u) {
      if (p_ - b < 18) v = v * 10 + (*p_ - '0');
      ++p_;
    }
    const ptrdiff_t n = p_ - b;
    if (n == 0 || n > 18 || (n > 1 && *b == '0')) return false;
    if (p_ < end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) return false;
    out = v;
    return true;
  }
  // The value of a field we do not use: a string, an integer or a literal; anything else
  // (floats included) is left to the DOM.
  bool skip_scalar() {
    ws();
    if (p_ < end_ && *p_ == '"') {
      std::string_view ignored;
      return read_string(ignored);
    }
    for (std::string_view lit : {"true", "false", "null"})
      if (static_cast<size_t>(end_ - p_) >= lit.size() &&
          std::string_view(p_, lit.size()) == lit) {
        p_ += lit.size();
        return true;
      }
    int64_t ignored;
    return read_uint(ignored);
  }

  const char* p_;
  const char* const end_;
  Venue venue_;
};

}  // namespace

struct MarketDataParser::Impl {
  explicit Impl(Venue v)
      : venue(v),
        pool(pool_buffer, sizeof pool_buffer),
        stack_pool(stack_buffer, sizeof stack_buffer),
        doc(&pool, kStackBytes / 4, &stack_pool) {}

  static constexpr size_t kPoolBytes = 64 * 1024;
  static constexpr size_t kStackBytes = 32 * 1024;

  Venue venue;
  std::unordered_map<std::string, Scales, StringHash, std::equal_to<>> scales;
  std::string buffer;  // the frame copied for in-situ parsing, NUL-terminated
  // The DOM's nodes come from a pool whose first chunk is our own buffer, which Clear() keeps:
  // a stream of usual frames parses without touching malloc (a 1000-level snapshot spills into
  // heap chunks that the next Clear() returns). The parse stack gets the same treatment, because
  // RapidJSON frees the stack after every parse and allocates it again on the next.
  char pool_buffer[kPoolBytes];
  char stack_buffer[kStackBytes];
  rapidjson::MemoryPoolAllocator<> pool;
  rapidjson::MemoryPoolAllocator<> stack_pool;
  PooledDocument doc;
  bool fast_path = true;
  std::string what;  // "depthUpdate BTCUSDT" etc., the name errors give the message

  // Parses `text` into `doc`; false with an error naming `kind` and the byte offset.
  bool parse_json(std::string_view text, std::string_view kind, std::string& error) {
    buffer.assign(text.data(), text.size());
    pool.Clear();
    stack_pool.Clear();
    doc.ParseInsitu<kParseFlags>(buffer.data());
    if (doc.HasParseError()) {
      error = std::string(kind) + ": invalid JSON at offset " +
              std::to_string(doc.GetErrorOffset()) + ": " +
              rapidjson::GetParseError_En(doc.GetParseError());
      return false;
    }
    if (!doc.IsObject()) {
      error = std::string(kind) + ": not a JSON object";
      return false;
    }
    return true;
  }

  const Scales* lookup(const JsonFields& f, std::string_view symbol) const {
    auto it = scales.find(symbol);
    if (it == scales.end()) {
      f.fail("s", "names symbol '" + std::string(symbol) + "', which has no registered scales");
      return nullptr;
    }
    return &it->second;
  }

  // Sets `what` to "<event> <symbol>" for error messages.
  void name(std::string_view event, std::string_view symbol) {
    what.assign(event);
    what += ' ';
    what.append(symbol);
  }

  bool depth_update(const rapidjson::Value& data, DepthDiff& out, std::string& error) {
    JsonFields head(data, "depthUpdate", error);
    std::string_view symbol;
    if (!head.str("s", symbol)) return false;
    name("depthUpdate", symbol);
    JsonFields f(data, what, error);
    const Scales* sc = lookup(f, symbol);
    if (sc == nullptr) return false;
    out.symbol.assign(symbol);
    out.off_grid = {};
    if (!f.i64("E", out.event_time_ms) || !f.i64("U", out.first_update_id) ||
        !f.i64("u", out.final_update_id))
      return false;
    if (venue == Venue::UsdM) {
      if (!f.i64("T", out.transaction_time_ms) || !f.i64("pu", out.prev_final_update_id))
        return false;
    } else {
      out.transaction_time_ms = 0;
      out.prev_final_update_id = -1;
    }
    if (out.first_update_id > out.final_update_id)
      return f.fail("U", "is greater than 'u'");
    return parse_levels(f, "b", *sc, out.bids, out.off_grid) &&
           parse_levels(f, "a", *sc, out.asks, out.off_grid);
  }

  bool book_ticker(const rapidjson::Value& data, BookTicker& out, std::string& error) {
    JsonFields head(data, "bookTicker", error);
    std::string_view symbol;
    if (!head.str("s", symbol)) return false;
    name("bookTicker", symbol);
    JsonFields f(data, what, error);
    const Scales* sc = lookup(f, symbol);
    if (sc == nullptr) return false;
    out.symbol.assign(symbol);
    if (!f.i64("u", out.update_id) || !f.non_negative("b", sc->price_scale, out.bid_price) ||
        !f.non_negative("B", sc->qty_scale, out.bid_qty) ||
        !f.non_negative("a", sc->price_scale, out.ask_price) ||
        !f.non_negative("A", sc->qty_scale, out.ask_qty))
      return false;
    if (venue == Venue::UsdM)
      return f.i64("E", out.event_time_ms) && f.i64("T", out.transaction_time_ms);
    out.event_time_ms = 0;
    out.transaction_time_ms = 0;
    return true;
  }

  bool agg_trade(const rapidjson::Value& data, AggTrade& out, std::string& error) {
    JsonFields head(data, "aggTrade", error);
    std::string_view symbol;
    if (!head.str("s", symbol)) return false;
    name("aggTrade", symbol);
    JsonFields f(data, what, error);
    const Scales* sc = lookup(f, symbol);
    if (sc == nullptr) return false;
    out.symbol.assign(symbol);
    return f.i64("E", out.event_time_ms) && f.i64("a", out.agg_trade_id) &&
           f.non_negative("p", sc->price_scale, out.price) &&
           f.non_negative("q", sc->qty_scale, out.qty) &&
           f.i64("f", out.first_trade_id) && f.i64("l", out.last_trade_id) &&
           f.i64("T", out.trade_time_ms) && f.boolean("m", out.buyer_is_maker);
  }

  bool kline(const rapidjson::Value& data, Kline& out, std::string& error) {
    JsonFields head(data, "kline", error);
    std::string_view symbol;
    if (!head.str("s", symbol)) return false;
    name("kline", symbol);
    JsonFields f(data, what, error);
    const Scales* sc = lookup(f, symbol);
    if (sc == nullptr) return false;
    out.symbol.assign(symbol);
    if (!f.i64("E", out.event_time_ms)) return false;
    const rapidjson::Value* k = f.get("k");
    if (k == nullptr) return false;
    if (!k->IsObject()) return f.fail("k", "is not an object");
    what += " k";  // errors name the nested field as "kline BTCUSDT k: field 'o' ..."
    JsonFields kf(*k, what, error);
    return kf.i64("t", out.open_time_ms) && kf.i64("T", out.close_time_ms) &&
           kf.str("i", out.interval) && kf.i64("f", out.first_trade_id) &&
           kf.i64("L", out.last_trade_id) &&
           kf.non_negative("o", sc->price_scale, out.open) &&
           kf.non_negative("h", sc->price_scale, out.high) &&
           kf.non_negative("l", sc->price_scale, out.low) &&
           kf.non_negative("c", sc->price_scale, out.close) &&
           kf.non_negative("v", sc->qty_scale, out.volume) &&
           kf.non_negative("q", TH_MONEY_SCALE, out.quote_volume) &&
           kf.i64("n", out.trade_count) && kf.boolean("x", out.closed) &&
           kf.non_negative("V", sc->qty_scale, out.taker_buy_volume) &&
           kf.non_negative("Q", TH_MONEY_SCALE, out.taker_buy_quote_volume);
  }
};

MarketDataParser::MarketDataParser(Venue venue) : impl_(std::make_unique<Impl>(venue)) {}
MarketDataParser::~MarketDataParser() = default;
MarketDataParser::MarketDataParser(MarketDataParser&&) noexcept = default;
MarketDataParser& MarketDataParser::operator=(MarketDataParser&&) noexcept = default;

Venue MarketDataParser::venue() const noexcept { return impl_->venue; }

void MarketDataParser::set_depth_fast_path(bool enabled) noexcept { impl_->fast_path = enabled; }

void MarketDataParser::set_scales(std::string_view symbol, Scales scales) {
  auto it = impl_->scales.find(symbol);
  if (it != impl_->scales.end())
    it->second = scales;
  else
    impl_->scales.emplace(std::string(symbol), scales);
}

const Scales* MarketDataParser::scales(std::string_view symbol) const {
  auto it = impl_->scales.find(symbol);
  return it == impl_->scales.end() ? nullptr : &it->second;
}

bool MarketDataParser::parse_stream(std::string_view frame, StreamMessage& out,
                                    std::string& error) {
  Impl& m = *impl_;
  if (m.fast_path) {
    DepthScanner scanner(frame, m.venue);
    auto lookup = [&m](std::string_view sym) -> const Scales* {
      auto it = m.scales.find(sym);
      return it == m.scales.end() ? nullptr : &it->second;
    };
    if (scanner.scan(lookup, out.stream, out.depth)) {
      out.kind = StreamKind::DepthDiff;
      return true;
    }
  }
  if (!m.parse_json(frame, "stream frame", error)) return false;
  const rapidjson::Value* data = &m.doc;
  out.stream.clear();
  // The combined-stream envelope: {"stream":"<streamName>","data":<rawPayload>} (web-socket-
  // streams.md "General WSS information"). A raw stream sends the payload alone.
  auto data_it = m.doc.FindMember("data");
  if (data_it != m.doc.MemberEnd()) {
    JsonFields env(m.doc, "stream envelope", error);
    if (!env.str("stream", out.stream)) return false;
    data = &data_it->value;
    if (!data->IsObject()) return env.fail("data", "is not an object");
  }
  auto e_it = data->FindMember("e");
  if (e_it == data->MemberEnd()) {
    // Spot bookTicker payloads carry no event type: {"u":..,"s":..,"b":..,"B":..,"a":..,"A":..}.
    if (data->HasMember("u") && data->HasMember("b") && data->HasMember("a")) {
      out.kind = StreamKind::BookTicker;
      return m.book_ticker(*data, out.book_ticker, error);
    }
    error = "stream frame: field 'e' (event type) is missing and the payload is not a bookTicker";
    return false;
  }
  if (!e_it->value.IsString()) {
    error = "stream frame: field 'e' is not a string";
    return false;
  }
  const std::string_view e(e_it->value.GetString(), e_it->value.GetStringLength());
  if (e == "depthUpdate") {
    out.kind = StreamKind::DepthDiff;
    return m.depth_update(*data, out.depth, error);
  }
  if (e == "bookTicker") {
    out.kind = StreamKind::BookTicker;
    return m.book_ticker(*data, out.book_ticker, error);
  }
  if (e == "aggTrade") {
    out.kind = StreamKind::AggTrade;
    return m.agg_trade(*data, out.agg_trade, error);
  }
  if (e == "kline") {
    out.kind = StreamKind::Kline;
    return m.kline(*data, out.kline, error);
  }
  error = "stream frame: unsupported event type 'e'=\"" + std::string(e) + "\"";
  return false;
}

bool MarketDataParser::parse_depth_snapshot(std::string_view body, Scales scales,
                                            DepthSnapshot& out, std::string& error) {
  Impl& m = *impl_;
  if (!m.parse_json(body, "depth snapshot", error)) return false;
  JsonFields f(m.doc, "depth snapshot", error);
  out.off_grid = {};
  if (!f.i64("lastUpdateId", out.last_update_id)) return false;
  if (m.venue == Venue::UsdM) {
    if (!f.i64("E", out.event_time_ms) || !f.i64("T", out.transaction_time_ms)) return false;
  } else {
    out.event_time_ms = 0;
    out.transaction_time_ms = 0;
  }
  return parse_levels(f, "bids", scales, out.bids, out.off_grid) &&
         parse_levels(f, "asks", scales, out.asks, out.off_grid);
}

}  // namespace tradehost::binance
