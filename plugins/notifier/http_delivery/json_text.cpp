#include "http_delivery/json_text.hpp"

#include <cstdint>

namespace tradehost::notify {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";     // U+2026

/// The length of the well-formed UTF-8 sequence at text[i], or 0 when the bytes there are not
/// one (RFC 3629 section 4, the table of well-formed byte sequences). *cp gets the code point.
std::size_t sequence_at(std::string_view text, std::size_t i, uint32_t* cp) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char b0 = byte(0);
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  std::size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;  // no overlong forms
    if (b0 == 0xED) hi = 0x9F;  // no UTF-16 surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;  // no overlong forms
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  if (byte(1) < lo || byte(1) > hi) return 0;
  for (std::size_t k = 2; k < len; ++k)
    if (byte(k) < 0x80 || byte(k) > 0xBF) return 0;
  uint32_t v = b0 & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
  for (std::size_t k = 1; k < len; ++k) v = (v << 6) | (byte(k) & 0x3F);
  *cp = v;
  return len;
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.reserve(out.size() + text.size() + 2);
  out += '"';
  for (std::size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    const std::size_t len = sequence_at(text, i, &cp);
    if (len == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    switch (cp) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (cp < 0x20) {
          out += "\\u00";
          out += kHex[cp >> 4];
          out += kHex[cp & 0xF];
        } else {
          out.append(text.substr(i, len));
        }
    }
    i += len;
  }
  out += '"';
}

std::string json_string(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

std::size_t utf16_length(std::string_view text) {
  std::size_t units = 0;
  for (std::size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    const std::size_t len = sequence_at(text, i, &cp);
    units += cp > 0xFFFF && len ? 2 : 1;
    i += len ? len : 1;
  }
  return units;
}

std::string truncate_utf16(std::string_view text, std::size_t max_units) {
  if (utf16_length(text) <= max_units) return std::string(text);
  std::size_t units = 0, end = 0;
  for (std::size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    const std::size_t len = sequence_at(text, i, &cp);
    const std::size_t u = cp > 0xFFFF && len ? 2 : 1;
    if (units + u > max_units - 1) break;  // one unit stays free for the ellipsis
    units += u;
    i += len ? len : 1;
    end = i;
  }
  return std::string(text.substr(0, end)) + std::string(kEllipsis);
}

}  // namespace tradehost::notify
