#pragma once
// One API key the host holds for a venue, and the rules its fields follow.

#include <optional>
#include <string>
#include <string_view>

#include "credentials/secret.hpp"

namespace tradehost::credentials {

/// How the secret is used: a shared HMAC secret (Binance "HMAC keys"), an Ed25519 private key
/// (Binance "Ed25519 keys"; the public half is registered at the venue, which returns an API key),
/// or a bearer token the host checks (the control API's; it never signs anything).
enum class CredentialType { Hmac, Ed25519, Token };

/// "hmac" | "ed25519" | "token".
std::string_view credential_type_name(CredentialType type);
/// Inverse of credential_type_name; nullopt for anything else (case-sensitive).
std::optional<CredentialType> parse_credential_type(std::string_view text);

/// True when `name` matches [A-Za-z0-9_.-]{1,64}: safe in file names, logs and config keys.
bool is_valid_credential_name(std::string_view name);

/// What `credentials list` shows of an API key: its first 4 characters (fewer when it is shorter)
/// and "…" (U+2026). Enough to tell keys apart, not to use one.
std::string api_key_preview(std::string_view api_key);

/// A stored credential.
///   name    - [A-Za-z0-9_.-]{1,64}, unique in a store; how strategies and configs refer to it.
///   api_key - the public key id sent in clear with every request (Binance: the X-MBX-APIKEY
///             header); printable ASCII, not secret, but shown only as a preview.
///   secret  - hmac: the secret key text, used as the HMAC key bytes as they are;
///             ed25519: the PKCS#8 private key in PEM ("-----BEGIN PRIVATE KEY-----");
///             token: the bearer token, at least 24 printable ASCII characters without spaces.
struct Credential {
  std::string name;
  CredentialType type = CredentialType::Hmac;
  std::string api_key;
  Secret secret;
};

/// A credential without its secret: what may be listed, logged or shown.
struct CredentialInfo {
  std::string name;
  CredentialType type = CredentialType::Hmac;
  std::string api_key;
};

}  // namespace tradehost::credentials
