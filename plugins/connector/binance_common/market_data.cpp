#include "market_data.hpp"

#include "json_fields.hpp"

#include <tradehost/fixed.hpp>
#include <tradehost/plugin.h>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <array>
#include <bit>
#include <cstring>
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

// Word-at-a-time reads need the first text byte in the lowest bits of the word.
constexpr bool kWordScan = std::endian::native == std::endian::little;

// The 8 bytes at `p` as one word, the byte at p lowest (little-endian only: see kWordScan).
inline uint64_t load_word(const char* p) noexcept {
  uint64_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

// The registered scales by symbol; every frame looks its symbol up once. A symbol of up to 16
// bytes (Binance's are mostly 6-12: "BTCUSDT", "1000SHIBUSDT", "BTCUSDT_250328") is found by its
// bytes packed into two words, in an open-addressing table: one multiply for the hash, a mask
// for the slot, two word compares -- instead of std::hash over the string, a division by the
// bucket count and a string compare (2-3% of a depth frame's instructions). Longer symbols are
// looked up in the map, which owns every entry, so the Scales pointers handed out stay valid
// until the parser is destroyed.
class ScalesBySymbol {
 public:
  void set(std::string_view symbol, Scales scales) {
    auto it = by_name_.find(symbol);
    if (it != by_name_.end()) {
      it->second = scales;  // the slot points at the same node
      return;
    }
    it = by_name_.emplace(std::string(symbol), scales).first;
    Key key;
    if (!pack(symbol, 0, key)) return;
    if ((packed_ + 1) * 2 > slots_.size()) grow();
    insert(key, &it->second);
    ++packed_;
  }

  /// The scales of `symbol`, or nullptr. `readable`: how many bytes from symbol.data() on may be
  /// read (>= symbol.size()); with 16 or more, as inside a frame, the key is read as two words
  /// rather than copied out byte by byte.
  const Scales* find(std::string_view symbol, size_t readable = 0) const noexcept {
    Key key;
    if (!pack(symbol, readable, key)) {
      auto it = by_name_.find(symbol);
      return it == by_name_.end() ? nullptr : &it->second;
    }
    if (slots_.empty()) return nullptr;
    const size_t mask = slots_.size() - 1;
    for (size_t i = slot_of(key);; i = (i + 1) & mask) {  // at most half full: ends at an empty slot
      const Slot& s = slots_[i];
      if (s.scales == nullptr) return nullptr;
      if (s.key == key) return s.scales;
    }
  }

 private:
  struct Key {
    uint64_t lo = 0, hi = 0;  // bytes 0-7 and 8-15, zero-padded
    size_t len = 0;
    bool operator==(const Key&) const = default;
  };
  struct Slot {
    Key key;
    const Scales* scales = nullptr;  // nullptr: empty
  };

  static bool pack(std::string_view s, size_t readable, Key& key) noexcept {
    if (s.size() > 16) return false;
    key.len = s.size();
    if (kWordScan && readable >= 16) {
      // Bytes past the symbol are masked off: the first n bytes are the low 8n bits.
      const auto low_bytes = [](size_t n) { return n >= 8 ? ~0ull : n == 0 ? 0ull : ~0ull >> (64 - 8 * n); };
      key.lo = load_word(s.data()) & low_bytes(s.size());
      key.hi = load_word(s.data() + 8) & low_bytes(s.size() > 8 ? s.size() - 8 : 0);
      return true;
    }
    unsigned char bytes[16] = {};
    std::memcpy(bytes, s.data(), s.size());
    std::memcpy(&key.lo, bytes, 8);
    std::memcpy(&key.hi, bytes + 8, 8);
    return true;
  }
  size_t slot_of(const Key& key) const noexcept {
    const uint64_t h = (key.lo ^ std::rotl(key.hi * 0xC2B2AE3D27D4EB4Full, 29) ^ key.len) * 0x9E3779B97F4A7C15ull;
    return static_cast<size_t>(h >> 32) & (slots_.size() - 1);
  }
  void insert(const Key& key, const Scales* scales) {
    const size_t mask = slots_.size() - 1;
    size_t i = slot_of(key);
    while (slots_[i].scales != nullptr) i = (i + 1) & mask;
    slots_[i] = Slot{key, scales};
  }
  void grow() {
    std::vector<Slot> old(slots_.empty() ? 16 : slots_.size() * 2);
    old.swap(slots_);
    for (const Slot& s : old)
      if (s.scales != nullptr) insert(s.key, s.scales);
  }

  std::unordered_map<std::string, Scales, StringHash, std::equal_to<>> by_name_;
  std::vector<Slot> slots_;  // size a power of two, at most half full
  size_t packed_ = 0;        // symbols in slots_
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
//
// Speed (bench/depth_apply.cpp; instruction counts in docs/BENCHMARKS.md section 5):
// - The frame must end in '}' (after whitespace). That byte is a sentinel: every byte loop below
//   stops at a byte it does not want, so it stops there at the latest, and the loops carry no
//   bounds check of their own. Only consuming a '}' -- next('}'), literal("}") -- can step onto
//   end_, and scan() checks for that where it can happen. Reads of a whole word check the room
//   they need. (The tests parse every prefix of recorded frames from exactly sized buffers, so
//   valgrind's memcheck reports any read past the end.)
// - Structure is expected, not discovered: next(c) first compares the byte at hand with the one
//   Binance puts there and skips whitespace only when that fails; one-letter keys ("E":) are
//   matched in one step.
// - Strings and the update ids and times (12-13 digits) are read eight bytes per 64-bit word
//   (SWAR: bit tricks on all eight bytes at once). Prices and quantities, mostly 3-8 characters,
//   are read a byte at a time: for them the word method cost more instructions than it saved.
// - Binance's own layout of the event (its field order, no whitespace) is matched literal by
//   literal (usual_event); any other layout is read field by field (any_event).

// 10^0 .. 10^18: every scale a value can have (0..18).
constexpr auto kPow10 = [] {
  std::array<uint64_t, 19> p{};
  uint64_t v = 1;
  for (uint64_t& x : p) {
    x = v;
    v *= 10;
  }
  return p;
}();
constexpr uint64_t kOnes = 0x0101010101010101ull;      // one in every byte
constexpr uint64_t kHighBits = 0x8080808080808080ull;  // the top bit of every byte

inline unsigned digit(char c) noexcept { return static_cast<unsigned>(static_cast<unsigned char>(c)) - '0'; }

// How many of the bytes of `w`, from the lowest, are ASCII digits before the first that is not:
// 0..8. A byte is a digit when its high nibble is 3 and stays 3 after adding 6 ('0'..'9' are
// 0x30..0x39). Adding 6 can carry out of a byte >= 0xFA, which is not a digit, so the carry can
// only spoil bytes after the first non-digit, which do not count.
inline unsigned leading_digits(uint64_t w) noexcept {
  const uint64_t nibbles =
      (w & 0xF0F0F0F0F0F0F0F0ull) | (((w + 0x0606060606060606ull) & 0xF0F0F0F0F0F0F0F0ull) >> 4);
  const uint64_t not_digit = nibbles ^ 0x3333333333333333ull;
  return not_digit == 0 ? 8u : static_cast<unsigned>(std::countr_zero(not_digit)) / 8u;
}

// The number written by the 8 digit bytes of `w` (lowest byte most significant), combined
// pairwise -- 2, 4, 8 digits -- in three multiplications (simdjson's
// parse_eight_digits_unrolled). Bytes of value 0 (not '0') count as leading zeros.
inline uint64_t eight_digits(uint64_t digit_values) noexcept {
  uint64_t v = digit_values * 10 + (digit_values >> 8);
  return (((v & 0x000000FF000000FFull) * (100 + (1000000ull << 32))) +
          (((v >> 16) & 0x000000FF000000FFull) * (1 + (10000ull << 32)))) >>
         32;
}

// The number written by the lowest `n` bytes of `w` (1..8, all ASCII digits): moved to the top
// of the word, so the bytes below become leading zeros. The digit bytes are >= '0', so
// subtracting '0' from every byte borrows only into the bytes above them, which the shift drops.
inline uint64_t digits_value(uint64_t w, unsigned n) noexcept {
  return eight_digits((w - kOnes * '0') << (8 * (8 - n)));
}

// A mask of the bytes of `w` (from the lowest) that are '"', '\\' or a control character. Only
// the lowest flagged byte is exact (a matching byte can spoil the flags above it through the
// subtraction's borrow), and it is the one the caller wants.
inline uint64_t string_stops(uint64_t w) noexcept {
  const uint64_t quote = w ^ (kOnes * '"');
  const uint64_t backslash = w ^ (kOnes * '\\');
  return (((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash) | ((w - kOnes * 0x20) & ~w)) & kHighBits;
}

// dst = src (`src` outside `dst`). When the length is unchanged (symbols and stream names of one
// venue have a few lengths), up to 32 bytes are copied as overlapping words instead of through
// std::string::assign and memcpy calls.
inline void set_text(std::string& dst, std::string_view src) {
  const size_t n = src.size();
  if (dst.size() != n || n > 32 || n < 8) {
    dst.assign(src);
    return;
  }
  char* const to = dst.data();
  const char* const from = src.data();
  uint64_t a, b, c, d;  // [0, 8), [n-8, n), and for n > 16 also [8, 16), [n-16, n-8)
  std::memcpy(&a, from, 8);
  std::memcpy(&b, from + n - 8, 8);
  if (n > 16) {
    std::memcpy(&c, from + 8, 8);
    std::memcpy(&d, from + n - 16, 8);
    std::memcpy(to + 8, &c, 8);
    std::memcpy(to + n - 16, &d, 8);
  }
  std::memcpy(to, &a, 8);
  std::memcpy(to + n - 8, &b, 8);
}

class DepthScanner {
 public:
  DepthScanner(std::string_view text, Venue venue) : p_(text.data()), end_(p_ + text.size()), venue_(venue) {
    while (end_ > p_ && is_ws(end_[-1])) --end_;
  }

  template <class Lookup>
  bool scan(const Lookup& lookup, std::string& stream, DepthDiff& out) {
    if (p_ == end_ || end_[-1] != '}') return false;  // the sentinel (see above)
    const char* const begin = p_;
    std::string_view name;
    bool enveloped = false;
    if (literal("{\"stream\":") && read_string(name) && literal(",\"data\":{")) {
      enveloped = true;  // the combined-stream envelope as Binance writes it
    } else {
      p_ = begin;
      if (!next('{')) return false;
      const char* const first_key = p_;
      std::string_view key;
      if (!read_key(key)) return false;
      if (key == "stream") {
        if (!read_string(name) || !next(',') || !read_key(key) || key != "data" || !next('{')) return false;
        enveloped = true;
      } else {
        p_ = first_key;
      }
    }
    if (!event(lookup, out, /*raw=*/!enveloped)) return false;
    if (enveloped) {
      if (p_ == end_) return false;  // the event's '}' was the last byte: no closing brace left
      if (!next('}')) return false;
      set_text(stream, name);
    } else {
      stream.clear();
    }
    return p_ == end_;  // trailing whitespace is already trimmed
  }

 private:
  // Bits of the fields seen, to refuse duplicates and require the mandatory ones.
  enum : unsigned { kE = 1, kEvtTime = 2, kTxTime = 4, kSym = 8, kFirst = 16, kFinal = 32,
                    kPrev = 64, kBids = 128, kAsks = 256 };

  static bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

  // The members of the event object from its first key on; consumes the closing '}'. `raw`: the
  // event is the whole frame, no envelope around it (see any_event() for what that changes).
  template <class Lookup>
  bool event(const Lookup& lookup, DepthDiff& out, bool raw) {
    const char* const first_key = p_;
    if (usual_event(lookup, out)) return true;
    p_ = first_key;
    return any_event(lookup, out, raw);
  }

  // The event exactly as Binance writes it -- its fields in its order, no whitespace:
  //   "e":"depthUpdate","E":..,"T":..,"s":"..","U":..,"u":..,"pu":..,"b":[..],"a":[..]}
  // (spot without "T" and "pu"), each key and separator matched as one literal. False at the
  // first difference; any_event() then reads the same text field by field. What this accepts
  // any_event() accepts too, with the same result.
  template <class Lookup>
  bool usual_event(const Lookup& lookup, DepthDiff& out) {
    const bool usdm = venue_ == Venue::UsdM;
    if (!literal("\"e\":\"depthUpdate\",\"E\":") || !read_uint(out.event_time_ms)) return false;
    if (usdm && (!literal(",\"T\":") || !read_uint(out.transaction_time_ms))) return false;
    std::string_view symbol;
    const Scales* sc = nullptr;
    if (!literal(",\"s\":") || !read_string(symbol) || (sc = lookup(symbol, end_ - symbol.data())) == nullptr) return false;
    if (!literal(",\"U\":") || !read_uint(out.first_update_id) || !literal(",\"u\":") ||
        !read_uint(out.final_update_id) || out.first_update_id > out.final_update_id)
      return false;
    if (usdm && (!literal(",\"pu\":") || !read_uint(out.prev_final_update_id))) return false;
    if (!literal(",\"b\":") || !levels(*sc, out.bids) || !literal(",\"a\":") || !levels(*sc, out.asks) ||
        !literal("}"))
      return false;
    if (!usdm) {
      out.transaction_time_ms = 0;
      out.prev_final_update_id = -1;
    }
    set_text(out.symbol, symbol);
    out.off_grid = {};
    return true;
  }

  // The members of the event object in any order, with whitespace and unknown scalar fields,
  // from the first key on; consumes the closing '}'. `raw`: the event is the whole frame; then a
  // "data" member makes the DOM path read the frame as a combined-stream envelope (parse_stream
  // looks for "data" first), so the scanner gives such a frame up rather than read it as an event
  // (found by fuzz/binance_stream). usual_event() needs no such check: its keys are fixed.
  template <class Lookup>
  bool any_event(const Lookup& lookup, DepthDiff& out, bool raw) {
    std::string_view key;
    if (!read_key(key)) return false;
    unsigned seen = 0;
    const Scales* sc = nullptr;
    out.off_grid = {};
    for (;;) {
      unsigned bit = 0;
      bool ok = true;
      if (key.size() == 1) {
        switch (key[0]) {
          case 'e': ok = read_event_type(); bit = kE; break;
          case 'E': ok = read_uint(out.event_time_ms); bit = kEvtTime; break;
          case 'T': ok = read_uint(out.transaction_time_ms); bit = kTxTime; break;
          case 'U': ok = read_uint(out.first_update_id); bit = kFirst; break;
          case 'u': ok = read_uint(out.final_update_id); bit = kFinal; break;
          case 's': {
            std::string_view sym;
            ok = read_string(sym) && (sc = lookup(sym, end_ - sym.data())) != nullptr;
            if (ok) set_text(out.symbol, sym);
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
      if (next(',')) {
        if (!read_key(key)) return false;
      } else if (next('}')) {
        break;
      } else {
        return false;
      }
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

  // [["p","q"],...] into `out`, every value plain and on the grid. Binance writes a level as
  // ["price","qty"] with nothing between the tokens, so each separator is first matched as a
  // whole ("[\"", "\",\"", "\"]"), with next() -- whitespace allowed -- only when that fails. The
  // loop keeps its position in a local, which the compiler holds in a register.
  bool levels(const Scales& sc, std::vector<BookLevel>& out) {
    out.clear();
    if (!next('[')) return false;
    if (next(']')) return true;
    const unsigned price_scale = static_cast<unsigned>(sc.price_scale);
    const unsigned qty_scale = static_cast<unsigned>(sc.qty_scale);
    if (price_scale > 18 || qty_scale > 18) return false;  // no such scale; left to the DOM
    const char* p = p_;
    // Every p[1] / p[2] read below follows a byte that is not the sentinel '}', so it is inside
    // the frame.
    for (;;) {
      BookLevel l;
      if (p[0] == '[' && p[1] == '"') {
        p += 2;
      } else {
        p_ = p;
        if (!next('[') || !next('"')) return false;
        p = p_;
      }
      if (!decimal(p, price_scale, l.price)) return false;  // stops at its closing '"'
      if (p[1] == ',' && p[2] == '"') {
        p += 3;
      } else {
        p_ = p + 1;
        if (!next(',') || !next('"')) return false;
        p = p_;
      }
      if (!decimal(p, qty_scale, l.qty)) return false;
      if (p[1] == ']') {
        p += 2;
      } else {
        p_ = p + 1;
        if (!next(']')) return false;
        p = p_;
      }
      out.push_back(l);
      if (*p == ',') {
        ++p;
        continue;
      }
      p_ = p;
      if (next(',')) {
        p = p_;
        continue;
      }
      return next(']');
    }
  }

  // Consumes `text` (a string literal) when the frame continues with exactly it.
  template <size_t N>
  bool literal(const char (&text)[N]) {
    constexpr size_t n = N - 1;
    if (static_cast<size_t>(end_ - p_) < n || std::memcmp(p_, text, n) != 0) return false;
    p_ += n;
    return true;
  }
  // Consumes `c` after optional whitespace; false, consuming only the whitespace, when the next
  // byte is another. *p_ is readable here: only consuming a '}' steps past the sentinel.
  bool next(char c) {
    if (*p_ == c) {  // the usual case: no whitespace in Binance's frames
      ++p_;
      return true;
    }
    skip_ws();
    if (*p_ != c) return false;
    ++p_;
    return true;
  }
  void skip_ws() {
    while (is_ws(*p_)) ++p_;
  }
  // A string without escapes or control characters; the view points into the frame.
  bool read_string(std::string_view& out) {
    if (!next('"')) return false;
    const char* const p = string_stop(p_);
    if (p == end_ || *p != '"') return false;
    out = std::string_view(p_, static_cast<size_t>(p - p_));
    p_ = p + 1;
    return true;
  }
  // The first byte from `p` on that is '"', '\\' or a control character, or end_ (strings may
  // hold '}', so this loop cannot lean on the sentinel).
  const char* string_stop(const char* p) const noexcept {
    if constexpr (kWordScan)
      for (; end_ - p >= 8; p += 8)
        if (const uint64_t stops = string_stops(load_word(p)); stops != 0) return p + std::countr_zero(stops) / 8;
    while (p < end_ && *p != '"' && *p != '\\' && static_cast<unsigned char>(*p) >= 0x20) ++p;
    return p;
  }
  // The value of "e", which must be "depthUpdate": one compare when it is, as it always is.
  bool read_event_type() {
    static constexpr std::string_view kQuoted = "\"depthUpdate\"";
    if (static_cast<size_t>(end_ - p_) >= kQuoted.size() && std::memcmp(p_, kQuoted.data(), kQuoted.size()) == 0) {
      p_ += kQuoted.size();
      return true;
    }
    std::string_view e;
    return read_string(e) && e == "depthUpdate";
  }
  // The text of a quoted plain decimal ("16704.50"), from `p` just after its opening quote, to
  // raw at `scale` (0..18): exactly detail::plain_decimal's grammar (digits, an optional
  // fraction, at most 18 digits up to the scale, only zeros beyond it), read while looking for
  // the closing quote instead of after it. On success `p` is left AT the closing quote. False on
  // anything else; the frame then goes to the DOM parser, which words the error.
  static bool decimal(const char*& p, unsigned scale, int64_t& out) {
    const char* const b = p;
    // Integer digits: the loop stops at the sentinel at the latest. Beyond 19 digits v wraps
    // (unsigned), and such a text is refused just below.
    uint64_t v = 0;
    for (unsigned d; (d = digit(*p)) < 10u; ++p) v = v * 10 + d;
    const size_t int_digits = static_cast<size_t>(p - b);
    if (int_digits == 0 || int_digits + scale > 18) return false;
    unsigned frac = 0;  // fraction digits read, at most scale
    if (*p == '.') {
      ++p;
      for (unsigned d; frac < scale && (d = digit(*p)) < 10u; ++p, ++frac) v = v * 10 + d;
      if (frac == 0 && *p != '0') return false;  // "5." and ".5" forms: left to the DOM
      while (*p == '0') ++p;                     // beyond the scale only zeros
    }
    if (*p != '"') return false;
    out = static_cast<int64_t>(v * kPow10[scale - frac]);
    return true;
  }
  // A key and its ':'. One-letter keys ("E":), nearly all of a frame's, are matched in one step.
  bool read_key(std::string_view& key) {
    if (end_ - p_ >= 4 && p_[0] == '"' && p_[2] == '"' && p_[3] == ':' && p_[1] != '"' && p_[1] != '\\' &&
        static_cast<unsigned char>(p_[1]) >= 0x20) {
      key = std::string_view(p_ + 1, 1);
      p_ += 4;
      return true;
    }
    return read_string(key) && next(':');
  }
  // A non-negative JSON integer of at most 18 digits (no leading zeros but "0"). Accumulated in
  // uint64_t, which wraps (defined) on a longer number before that is refused: an int64_t
  // accumulator overflowed -- undefined behaviour -- from the 19th digit (found by
  // fuzz/binance_stream; fuzz/corpus/binance_stream/crash-depth-scanner-long-integer).
  bool read_uint(int64_t& out) {
    // 8 to 15 digits without a leading zero (Binance's update ids and millisecond times have
    // 12-13) in two words; anything else, whitespace before it included, in the byte loop.
    if (kWordScan && end_ - p_ >= 16) {
      const uint64_t w1 = load_word(p_);
      if (leading_digits(w1) == 8 && *p_ != '0') {
        const uint64_t w2 = load_word(p_ + 8);
        const unsigned n2 = leading_digits(w2);
        if (n2 != 8) {
          const char after = p_[8 + n2];
          if (after == '.' || after == 'e' || after == 'E') return false;
          const uint64_t high = eight_digits(w1 - kOnes * '0');
          out = static_cast<int64_t>(n2 == 0 ? high : high * kPow10[n2] + digits_value(w2, n2));
          p_ += 8 + n2;
          return true;
        }
      }
    }
    return read_uint_bytes(out);
  }
  bool read_uint_bytes(int64_t& out) {
    skip_ws();
    const char* const b = p_;
    uint64_t v = 0;  // beyond 19 digits v wraps (unsigned); such a number is refused below
    for (unsigned d; (d = digit(*p_)) < 10u; ++p_) v = v * 10 + d;  // stops at the sentinel
    const ptrdiff_t n = p_ - b;
    if (n == 0 || n > 18 || (n > 1 && *b == '0')) return false;
    if (*p_ == '.' || *p_ == 'e' || *p_ == 'E') return false;
    out = static_cast<int64_t>(v);
    return true;
  }
  // The value of a field we do not use: a string, an integer or a literal; anything else
  // (floats included) is left to the DOM.
  bool skip_scalar() {
    skip_ws();
    if (*p_ == '"') {
      std::string_view ignored;
      return read_string(ignored);
    }
    for (std::string_view lit : {"true", "false", "null"})
      if (static_cast<size_t>(end_ - p_) >= lit.size() && std::string_view(p_, lit.size()) == lit) {
        p_ += lit.size();
        return true;
      }
    int64_t ignored;
    return read_uint(ignored);
  }

  const char* p_;
  const char* end_;
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
  ScalesBySymbol scales;
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
  uint64_t scanner_misses = 0;
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
    const Scales* sc = scales.find(symbol);
    if (sc == nullptr) f.fail("s", "names symbol '" + std::string(symbol) + "', which has no registered scales");
    return sc;
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

uint64_t MarketDataParser::scanner_misses() const noexcept { return impl_->scanner_misses; }

void MarketDataParser::set_scales(std::string_view symbol, Scales scales) { impl_->scales.set(symbol, scales); }

const Scales* MarketDataParser::scales(std::string_view symbol) const { return impl_->scales.find(symbol); }

bool MarketDataParser::parse_stream(std::string_view frame, StreamMessage& out,
                                    std::string& error) {
  Impl& m = *impl_;
  if (m.fast_path) {
    DepthScanner scanner(frame, m.venue);
    auto lookup = [&m](std::string_view sym, size_t readable) { return m.scales.find(sym, readable); };
    if (scanner.scan(lookup, out.stream, out.depth)) {
      out.kind = StreamKind::DepthDiff;
      return true;
    }
    ++m.scanner_misses;
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
