// What an HTTP answer says about retrying: how long the server asked us to wait, and a one-line
// reason for the log.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tradehost::notify {

/// How long the server asked the client to wait before repeating the request, in ns, read from
/// (first match wins):
///   1. the JSON body's `parameters.retry_after`, seconds (Telegram Bot API, "Making requests":
///      a failed answer's optional `parameters` of type ResponseParameters, whose `retry_after`
///      is "the number of seconds left to wait before the request can be repeated");
///   2. the JSON body's top-level `retry_after`, seconds, possibly fractional (Discord's rate
///      limit answer: `{"message": ..., "retry_after": 0.5, "global": false}`);
///   3. the `Retry-After` header (RFC 9110 section 10.2.3): delay-seconds, or an HTTP-date, which
///      is read relative to the answer's own `Date` header so no local clock is involved.
/// `headers` are "Name: value" lines (CRLF or LF), as th_http_response gives them. nullopt when
/// none of these is present and valid; negative values read as nullopt.
std::optional<int64_t> retry_after_ns(std::string_view headers, std::string_view body);

/// The first header called `name` (case-insensitive) in "Name: value" lines, trimmed; nullopt
/// when absent.
std::optional<std::string> header_value(std::string_view headers, std::string_view name);

/// One line for the log about a failed answer: the JSON body's `description` (Telegram) or
/// `message` (Discord), else the body's first 200 bytes with line breaks as spaces; "" for an
/// empty body.
std::string failure_text(std::string_view body);

}  // namespace tradehost::notify
