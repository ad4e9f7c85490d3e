// Typed reads of the fields of one Binance JSON object (a RapidJSON value), each failure written as
// "<what>: field '<key>' <problem>" so an error names the message and the field. Internal to
// binance_common: not part of its interface.
#ifndef TRADEHOST_BINANCE_JSON_FIELDS_HPP
#define TRADEHOST_BINANCE_JSON_FIELDS_HPP

#include <tradehost/fixed.hpp>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace tradehost::binance::detail {

/// Fast path for the decimal text Binance sends ("7.6110", "0.35130000", "6195"): plain digits
/// with an optional fraction, at most 18 digits up to `scale` (so the value fits int64), and only
/// zeros beyond `scale`. Writes raw at `scale` and returns true, exactly as parse_fixed() with
/// Rounding::Exact would; returns false for ANY other text (signs, exponents, off-grid digits,
/// garbage, too many digits), and the caller then calls parse_fixed(), which decides and words
/// the error. Why: parse_fixed's general two-pass grammar was a fifth of the depth-frame cost.
inline bool plain_decimal(std::string_view text, int scale, int64_t& out) noexcept {
  const char* p = text.data();
  const char* const end = p + text.size();
  uint64_t v = 0;
  int digits = 0;
  while (p < end && static_cast<unsigned>(*p - '0') < 10u) {
    if (++digits > 18) return false;
    v = v * 10 + static_cast<unsigned>(*p - '0');
    ++p;
  }
  if (digits == 0) return false;
  int frac = 0;
  if (p < end) {
    if (*p != '.') return false;
    ++p;
    if (p == end) return false;  // "5." is valid for parse_fixed; rare enough to leave to it
    for (; p < end && frac < scale; ++p, ++frac) {
      const unsigned d = static_cast<unsigned>(*p - '0');
      if (d > 9u || ++digits > 18) return false;
      v = v * 10 + d;
    }
    for (; p < end; ++p)
      if (*p != '0') return false;
  }
  for (; frac < scale; ++frac) {
    if (++digits > 18) return false;
    v *= 10;
  }
  out = static_cast<int64_t>(v);
  return true;
}

/// Parses `text` into `doc`, which must come out a JSON object (`array` false) or array (`array`
/// true). False with "<what>: invalid JSON at offset <n>: <why>" or "<what>: not a JSON object"
/// in `error` otherwise. Iterative parsing: any nesting depth costs heap, never stack (the default
/// recursive descent overflows the stack on deeply nested input; found by fuzz/).
inline bool parse_document(std::string_view text, std::string_view what, rapidjson::Document& doc,
                           std::string& error, bool array = false) {
  doc.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
  if (doc.HasParseError()) {
    error.assign(what);
    error += ": invalid JSON at offset " + std::to_string(doc.GetErrorOffset()) + ": " +
             rapidjson::GetParseError_En(doc.GetParseError());
    return false;
  }
  if (array ? !doc.IsArray() : !doc.IsObject()) {
    error.assign(what);
    error += array ? ": not a JSON array" : ": not a JSON object";
    return false;
  }
  return true;
}

/// Reads fields of `obj`, which must be a JSON object. `what` names the message in errors (e.g.
/// "depthUpdate", "exchangeInfo symbol ETHBTC") and must outlive the reader; `error` receives the
/// first failure. Every method returns false on failure and then leaves its output unchanged.
class JsonFields {
 public:
  JsonFields(const rapidjson::Value& obj, std::string_view what, std::string& error)
      : obj_(obj), what_(what), error_(error) {}

  bool has(const char* key) const { return obj_.FindMember(key) != obj_.MemberEnd(); }

  /// The member `key`, or nullptr (and an error) when it is missing.
  const rapidjson::Value* get(const char* key) const {
    auto it = obj_.FindMember(key);
    if (it == obj_.MemberEnd()) {
      fail(key, "is missing");
      return nullptr;
    }
    return &it->value;
  }

  bool str(const char* key, std::string_view& out) const {
    const rapidjson::Value* v = get(key);
    if (v == nullptr) return false;
    if (!v->IsString()) return fail(key, "is not a string");
    out = std::string_view(v->GetString(), v->GetStringLength());
    return true;
  }

  bool str(const char* key, std::string& out) const {
    std::string_view sv;
    if (!str(key, sv)) return false;
    out.assign(sv.data(), sv.size());
    return true;
  }

  /// An integer member (Binance ids and millisecond times) that fits int64.
  bool i64(const char* key, int64_t& out) const {
    const rapidjson::Value* v = get(key);
    if (v == nullptr) return false;
    if (!v->IsInt64()) return fail(key, "is not an integer that fits int64");
    out = v->GetInt64();
    return true;
  }

  bool boolean(const char* key, bool& out) const {
    const rapidjson::Value* v = get(key);
    if (v == nullptr) return false;
    if (!v->IsBool()) return fail(key, "is not true or false");
    out = v->GetBool();
    return true;
  }

  /// A decimal string member (Binance sends every price and quantity as a string) as raw at
  /// `scale`, rounded as `r`; with Rounding::Exact (the default) more decimals than the scale
  /// allows is an error.
  bool fixed(const char* key, int scale, int64_t& out, Rounding r = Rounding::Exact) const {
    std::string_view text;
    if (!str(key, text)) return false;
    if (plain_decimal(text, scale, out)) return true;
    std::string why;
    if (!parse_fixed(text, scale, out, &why, r)) return fail(key, why);
    return true;
  }

  /// fixed() for what Binance never sends negative (prices, quantities, balances).
  bool non_negative(const char* key, int scale, int64_t& out) const {
    int64_t v = 0;
    if (!fixed(key, scale, v)) return false;
    if (v < 0) return fail(key, "is negative");
    out = v;
    return true;
  }

  bool fail(std::string_view key, std::string_view problem) const {
    error_.assign(what_);
    error_ += ": field '";
    error_ += key;
    error_ += "' ";
    error_ += problem;
    return false;
  }

 private:
  const rapidjson::Value& obj_;
  std::string_view what_;
  std::string& error_;
};

}  // namespace tradehost::binance::detail

#endif  // TRADEHOST_BINANCE_JSON_FIELDS_HPP
