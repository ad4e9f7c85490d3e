#pragma once
// Putting a token credential's secret into an outgoing HTTP request on a plugin's behalf (ABI 1.5,
// th_http_request flag TH_HTTP_CREDENTIAL), and keeping it out of everything that comes back.
//
// A plugin writes the placeholder "{credential}" where the secret goes: in the URL's path or query
// (a Telegram bot token in /bot{credential}/sendMessage, a Slack or Discord webhook token in the
// path) or in a header value ("Authorization: Bearer {credential}"). The host expands it just
// before the request is handed to the HTTP client, and masks the secret as "***" in the response
// and the error text the plugin gets back. The plugin never holds the secret.

#include <optional>
#include <string>
#include <string_view>

namespace tradehost::credentials {

/// The text a plugin writes where the secret goes.
inline constexpr std::string_view kCredentialPlaceholder = "{credential}";
/// What replaces the secret in text that goes back to a plugin or into a log.
inline constexpr std::string_view kRedacted = "***";

/// `url` with every "{credential}" replaced by `secret`. nullopt with `*error` set (a message that
/// never holds the secret) when `url` is not an absolute "scheme://authority..." URL, when the
/// placeholder is in its scheme or authority (host and port are logged and shown in errors, so a
/// secret may only go into the path, query or fragment), or when `url` has no placeholder at all
/// (the plugin asked for its secret and forgot where to put it). `secret` must not be empty.
std::optional<std::string> expand_in_url(std::string_view url, std::string_view secret, std::string* error);

/// `text` with every "{credential}" replaced by `secret` (header lines: the HTTP client refuses a
/// value with CR, LF or NUL, which a token credential never holds: credentials/credential.hpp).
std::string expand(std::string_view text, std::string_view secret);

/// Replaces, in place, every occurrence of `secret` in `text`, as it is and percent-encoded (RFC
/// 3986 section 2.1: every byte outside the unreserved set as %XX, upper- or lowercase hex, which
/// is how a server echoing a URL back would quote it), with kRedacted. Nothing happens when
/// `secret` is empty. Returns true when something was replaced.
bool redact(std::string& text, std::string_view secret);

}  // namespace tradehost::credentials
