#include "credentials/credential.hpp"

namespace tradehost::credentials {

std::string_view credential_type_name(CredentialType type) {
  switch (type) {
    case CredentialType::Hmac:
      return "hmac";
    case CredentialType::Ed25519:
      return "ed25519";
    case CredentialType::Token:
      return "token";
  }
  return "hmac";
}

std::optional<CredentialType> parse_credential_type(std::string_view text) {
  if (text == "hmac") return CredentialType::Hmac;
  if (text == "ed25519") return CredentialType::Ed25519;
  if (text == "token") return CredentialType::Token;
  return std::nullopt;
}

bool is_valid_credential_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string api_key_preview(std::string_view api_key) { return std::string(api_key.substr(0, 4)) + "\u2026"; }

}  // namespace tradehost::credentials
