#pragma once
// Parsing an Ed25519 private key from PEM, the form Binance documents for Ed25519 API keys
// (spot REST docs, "SIGNED (TRADE and USER_DATA) Endpoint security", "Ed25519 Keys").

#include <openssl/evp.h>

#include <memory>
#include <string_view>

namespace tradehost::credentials {

struct EvpPkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;

/// The Ed25519 private key in `pem` (PKCS#8 "-----BEGIN PRIVATE KEY-----", unencrypted); null when
/// `pem` is not one (another key type, an encrypted key, garbage). Never prompts for a PEM
/// passphrase and leaves no error on OpenSSL's error queue. OpenSSL wipes the key when the
/// returned pointer frees it.
EvpPkeyPtr load_ed25519_private_key(std::string_view pem);

}  // namespace tradehost::credentials
