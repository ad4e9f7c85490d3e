// The fuzz targets' own read of a JSON text, to compare a parser's results with the text's
// fields. Iterative parsing: the check must not overflow the stack on deeply nested input before
// the code under test gets to.
#ifndef TRADEHOST_FUZZ_JSON_HPP
#define TRADEHOST_FUZZ_JSON_HPP

#include "fuzz_check.hpp"

#include <rapidjson/document.h>

#include <cstdint>
#include <string_view>

namespace tradehost::fuzz {

inline bool parse_json(std::string_view text, rapidjson::Document& doc) {
  doc.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
  return !doc.HasParseError();
}

/// The string member `key` of `obj` (which must be an object holding one).
inline std::string_view text_of(const rapidjson::Value& obj, const char* key) {
  auto it = obj.FindMember(key);
  FUZZ_CHECK(it != obj.MemberEnd() && it->value.IsString(), "parsed, yet '%s' is not a string member", key);
  return {it->value.GetString(), it->value.GetStringLength()};
}

/// `raw` at `scale` is exactly the decimal string member `key` of `obj`.
inline void check_exact(const rapidjson::Value& obj, const char* key, int64_t raw, int scale) {
  const std::string_view t = text_of(obj, key);
  FUZZ_CHECK(denotes(t, raw, scale), "'%s' = \"%.*s\" parsed as %lld at scale %d", key, static_cast<int>(t.size()),
             t.data(), static_cast<long long>(raw), scale);
}

/// check_exact() and not negative.
inline void check_non_negative(const rapidjson::Value& obj, const char* key, int64_t raw, int scale) {
  check_exact(obj, key, raw, scale);
  FUZZ_CHECK(raw >= 0, "'%s' parsed negative (%lld)", key, static_cast<long long>(raw));
}

/// The integer member `key` of `obj` equals `v`.
inline void check_int(const rapidjson::Value& obj, const char* key, int64_t v) {
  auto it = obj.FindMember(key);
  FUZZ_CHECK(it != obj.MemberEnd() && it->value.IsInt64() && it->value.GetInt64() == v, "'%s' is not %lld", key,
             static_cast<long long>(v));
}

}  // namespace tradehost::fuzz

#endif  // TRADEHOST_FUZZ_JSON_HPP
