#pragma once
// Request signing with the stored secrets, which never leave this object.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "credentials/credential_store.hpp"

namespace tradehost::credentials {

/// The signatures venues ask for.
///   HmacSha256 - HMAC-SHA256 keyed with an hmac credential's secret, lowercase hex (64 chars):
///                Binance SIGNED endpoints with HMAC keys (spot REST docs, "SIGNED (TRADE and
///                USER_DATA) Endpoint security", where the signed payload is the query string
///                concatenated with the request body).
///   HmacSha512 - the same with SHA-512, lowercase hex (128 chars), for venues that use it.
///   Ed25519    - a pure Ed25519 signature (RFC 8032) with an ed25519 credential's key, standard
///                base64 with padding (88 chars): Binance "Ed25519 keys". Binance asks for the
///                base64 text to be URL-encoded in a query string; that is the caller's job.
enum class SignatureAlgorithm { HmacSha256, HmacSha512, Ed25519 };

/// "hmac-sha256" | "hmac-sha512" | "ed25519".
std::string_view signature_algorithm_name(SignatureAlgorithm algorithm);
/// Inverse of signature_algorithm_name; nullopt for anything else (case-sensitive).
std::optional<SignatureAlgorithm> parse_signature_algorithm(std::string_view text);
/// The credential type an algorithm needs.
CredentialType credential_type_for(SignatureAlgorithm algorithm);

/// Signs payloads with credentials by name. Plain strings in, one string out, so a C ABI host
/// call can wrap it one-to-one; every failure is a CredentialsError whose message names the
/// credential and the algorithm, never the secret (to_th_status maps its code). Signing is
/// const and touches no shared mutable state: one Signer may be used from several threads.
class Signer {
 public:
  explicit Signer(std::shared_ptr<const CredentialStore> store);

  /// The signature of `payload` (bytes as given, no normalisation) with the credential `name`.
  /// Throws CredentialsError NotFound (no such credential), WrongAlgorithm (hmac-* with an
  /// ed25519 credential or ed25519 with an hmac one), Crypto (OpenSSL failed).
  std::string sign(std::string_view name, SignatureAlgorithm algorithm, std::string_view payload) const;
  /// As above with the algorithm by name; UnknownAlgorithm for a name parse_signature_algorithm
  /// does not know.
  std::string sign(std::string_view name, std::string_view algorithm, std::string_view payload) const;

  /// The public API key of `name` (Binance: the X-MBX-APIKEY header value). Throws NotFound.
  std::string api_key(std::string_view name) const;

 private:
  const Credential& find(std::string_view name) const;

  std::shared_ptr<const CredentialStore> store_;
};

}  // namespace tradehost::credentials
