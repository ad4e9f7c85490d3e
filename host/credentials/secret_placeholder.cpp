#include "credentials/secret_placeholder.hpp"

namespace tradehost::credentials {
namespace {

std::string replace_all(std::string_view text, std::string_view what, std::string_view with) {
  std::string out;
  out.reserve(text.size());
  size_t at = 0;
  for (size_t hit; (hit = text.find(what, at)) != std::string_view::npos; at = hit + what.size())
    out.append(text.substr(at, hit - at)).append(with);
  out.append(text.substr(at));
  return out;
}

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
}

std::string percent_encoded(std::string_view s, const char* digits) {
  std::string out;
  for (unsigned char c : s) {
    if (unreserved(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  return out;
}

bool redact_one(std::string& text, std::string_view what) {
  if (what.empty() || text.find(what) == std::string::npos) return false;
  text = replace_all(text, what, kRedacted);
  return true;
}

}  // namespace

std::optional<std::string> expand_in_url(std::string_view url, std::string_view secret, std::string* error) {
  auto fail = [&](std::string why) -> std::optional<std::string> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  if (secret.empty()) return fail("the credential's secret is empty");
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0) return fail("not an absolute URL (no scheme://)");
  const size_t authority_end = url.find_first_of("/?#", sep + 3);
  const std::string_view head = url.substr(0, authority_end);
  if (head.find(kCredentialPlaceholder) != std::string_view::npos)
    return fail("{credential} may only stand in the URL's path or query, not in its scheme, host or port");
  if (url.find(kCredentialPlaceholder) == std::string_view::npos) return fail("the URL has no {credential} placeholder");
  return replace_all(url, kCredentialPlaceholder, secret);
}

std::string expand(std::string_view text, std::string_view secret) { return replace_all(text, kCredentialPlaceholder, secret); }

bool redact(std::string& text, std::string_view secret) {
  if (secret.empty()) return false;
  bool any = redact_one(text, secret);
  any |= redact_one(text, percent_encoded(secret, "0123456789ABCDEF"));
  any |= redact_one(text, percent_encoded(secret, "0123456789abcdef"));
  return any;
}

}  // namespace tradehost::credentials
