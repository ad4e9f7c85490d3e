#include "credentials/signer.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <climits>

#include "credentials/credentials_error.hpp"
#include "credentials/ed25519_key.hpp"

namespace tradehost::credentials {

namespace {

std::string lower_hex(const unsigned char* bytes, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * n, '\0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0xf];
  }
  return out;
}

std::string hmac_hex(const EVP_MD* md, const Secret& key, std::string_view payload) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_len = 0;
  if (key.size() > INT_MAX ||
      !HMAC(md, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(payload.data()),
            payload.size(), mac.data(), &mac_len))
    throw CredentialsError(CredentialsErrc::Crypto, "OpenSSL: HMAC failed");
  return lower_hex(mac.data(), mac_len);
}

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

std::string ed25519_base64(std::string_view name, const Secret& pem, std::string_view payload) {
  EvpPkeyPtr key = load_ed25519_private_key(pem.view());
  // The store validated the PEM on add(); this only fails if OpenSSL cannot allocate.
  if (!key)
    throw CredentialsError(CredentialsErrc::Crypto,
                           fmt::format("cannot load the Ed25519 key of credential '{}'", name));
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  std::array<unsigned char, 64> sig{};
  size_t sig_len = sig.size();
  // Pure Ed25519 hashes internally: no digest is given (RFC 8032 section 5.1).
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), sig.data(), &sig_len, reinterpret_cast<const unsigned char*>(payload.data()),
                     payload.size()) != 1)
    throw CredentialsError(CredentialsErrc::Crypto,
                           fmt::format("OpenSSL: Ed25519 signing with credential '{}' failed", name));
  // 64 bytes -> 88 base64 characters with "==" padding, plus the NUL EVP_EncodeBlock writes.
  std::array<unsigned char, 4 * ((64 + 2) / 3) + 1> b64{};
  const int n = EVP_EncodeBlock(b64.data(), sig.data(), static_cast<int>(sig_len));
  return std::string(reinterpret_cast<const char*>(b64.data()), static_cast<size_t>(n));
}

}  // namespace

std::string_view signature_algorithm_name(SignatureAlgorithm algorithm) {
  switch (algorithm) {
    case SignatureAlgorithm::HmacSha256:
      return "hmac-sha256";
    case SignatureAlgorithm::HmacSha512:
      return "hmac-sha512";
    case SignatureAlgorithm::Ed25519:
      return "ed25519";
  }
  return "?";
}

std::optional<SignatureAlgorithm> parse_signature_algorithm(std::string_view text) {
  if (text == "hmac-sha256") return SignatureAlgorithm::HmacSha256;
  if (text == "hmac-sha512") return SignatureAlgorithm::HmacSha512;
  if (text == "ed25519") return SignatureAlgorithm::Ed25519;
  return std::nullopt;
}

CredentialType credential_type_for(SignatureAlgorithm algorithm) {
  return algorithm == SignatureAlgorithm::Ed25519 ? CredentialType::Ed25519 : CredentialType::Hmac;
}

Signer::Signer(std::shared_ptr<const CredentialStore> store) : store_(std::move(store)) {
  if (!store_) throw std::invalid_argument("Signer needs a credential store");
}

const Credential& Signer::find(std::string_view name) const {
  const Credential* c = store_->find(name);
  if (!c) throw CredentialsError(CredentialsErrc::NotFound, fmt::format("no credential named '{}'", name));
  return *c;
}

std::string Signer::sign(std::string_view name, SignatureAlgorithm algorithm, std::string_view payload) const {
  const Credential& c = find(name);
  if (c.type != credential_type_for(algorithm))
    throw CredentialsError(CredentialsErrc::WrongAlgorithm,
                           fmt::format("credential '{}' is of type {} and cannot sign with {}", name,
                                       credential_type_name(c.type), signature_algorithm_name(algorithm)));
  switch (algorithm) {
    case SignatureAlgorithm::HmacSha256:
      return hmac_hex(EVP_sha256(), c.secret, payload);
    case SignatureAlgorithm::HmacSha512:
      return hmac_hex(EVP_sha512(), c.secret, payload);
    case SignatureAlgorithm::Ed25519:
      return ed25519_base64(name, c.secret, payload);
  }
  throw CredentialsError(CredentialsErrc::UnknownAlgorithm, "unknown signature algorithm");
}

std::string Signer::sign(std::string_view name, std::string_view algorithm, std::string_view payload) const {
  const auto alg = parse_signature_algorithm(algorithm);
  if (!alg)
    throw CredentialsError(
        CredentialsErrc::UnknownAlgorithm,
        fmt::format("unknown signature algorithm '{}' (hmac-sha256, hmac-sha512 or ed25519)", algorithm.substr(0, 32)));
  return sign(name, *alg, payload);
}

std::string Signer::api_key(std::string_view name) const { return find(name).api_key; }

}  // namespace tradehost::credentials
