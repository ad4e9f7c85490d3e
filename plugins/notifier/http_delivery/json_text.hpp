// JSON string text for notification payloads, and length limits counted the way the chat
// services count them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tradehost::notify {

/// Appends `text` to `out` as a JSON string, quotes included (RFC 8259 section 7): `"` and `\`
/// are escaped, U+0000..U+001F become \b \f \n \r \t or \u00XX, every other character passes
/// through as UTF-8. Bytes that are not well-formed UTF-8 (RFC 3629: no overlong forms, no
/// surrogates, nothing above U+10FFFF) become U+FFFD, so the result is always valid JSON text.
void append_json_string(std::string& out, std::string_view text);

/// `text` as a JSON string (see append_json_string).
std::string json_string(std::string_view text);

/// Length of `text` in UTF-16 code units (a character above U+FFFF counts 2; a malformed byte,
/// which append_json_string turns into U+FFFD, counts 1). Telegram and Discord state their limits
/// in characters; UTF-16 units are never fewer than either service's count, so a text within
/// the limit in units is within it however the service counts.
std::size_t utf16_length(std::string_view text);

/// `text` itself when utf16_length(text) <= max_units; otherwise its longest prefix of whole
/// characters that leaves room for "…" (U+2026, one unit), followed by "…". max_units >= 1.
std::string truncate_utf16(std::string_view text, std::size_t max_units);

}  // namespace tradehost::notify
