// Signatures against published vectors: Binance's documented HMAC-SHA256 examples, RFC 4231
// (HMAC-SHA-512) and RFC 8032 (Ed25519). Expected values are copied from those documents, never
// from running the code under test.
#include "credentials/signer.hpp"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <string>

#include "credentials/credentials_error.hpp"

namespace tradehost::credentials {
namespace {

std::string unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

std::string to_hex(const unsigned char* p, size_t n) {
  std::string s;
  char buf[3];
  for (size_t i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", p[i]);
    s += buf;
  }
  return s;
}

/// Base64 of raw bytes through OpenSSL's encoder (the reference for the expected text).
std::string base64(const std::string& raw) {
  std::string out(4 * ((raw.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(raw.data()), static_cast<int>(raw.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

/// PKCS#8 PEM of a raw 32-byte Ed25519 private key (the RFC 8032 "SECRET KEY"), built by OpenSSL.
/// Also checks the public key OpenSSL derives from it against the RFC's "PUBLIC KEY", so a wrong
/// key construction fails here rather than as a confusing signature mismatch.
std::string ed25519_pem(std::string_view secret_hex, std::string_view public_hex) {
  const std::string raw = unhex(secret_hex);
  EVP_PKEY* key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr,
                                               reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  EXPECT_NE(key, nullptr);
  unsigned char pub[32];
  size_t pub_len = sizeof pub;
  EXPECT_EQ(EVP_PKEY_get_raw_public_key(key, pub, &pub_len), 1);
  EXPECT_EQ(to_hex(pub, pub_len), public_hex);
  BIO* bio = BIO_new(BIO_s_mem());
  EXPECT_EQ(PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr), 1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

std::shared_ptr<CredentialStore> store_with(std::string name, CredentialType type, std::string_view secret,
                                            std::string api_key = "test-api-key") {
  auto store = std::make_shared<CredentialStore>();
  store->add(Credential{std::move(name), type, std::move(api_key), Secret(secret)});
  return store;
}

// Binance spot REST API docs (github.com/binance/binance-spot-api-docs, rest-api.md),
// "SIGNED (TRADE and USER_DATA) Endpoint security" > "SIGNED Endpoint Examples for POST
// /api/v3/order", HMAC keys:
//
//   Key       | Value
//   apiKey    | vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A
//   secretKey | NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j
//
//   Example 1: As a request body
//     requestBody:
//     symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559
//     (stdin)= c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71
//   Example 2: As a query string
//     queryString: (the same parameters)
//     (stdin)= c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71
//   Example 3: Mixed query string and request body
//     queryString: symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC
//     requestBody: quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559
//     (stdin)= 0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77
//   "Note that the signature is different in example 3. There is no & between "GTC" and
//   "quantity=1"." (totalParams is the query string concatenated with the request body.)
constexpr const char* kBinanceApiKey = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
constexpr const char* kBinanceSecret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

TEST(Signer, BinanceHmacSha256Example1RequestBody) {
  Signer signer(store_with("binance", CredentialType::Hmac, kBinanceSecret, kBinanceApiKey));
  EXPECT_EQ(signer.sign("binance", SignatureAlgorithm::HmacSha256,
                        "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&"
                        "timestamp=1499827319559"),
            "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");
  EXPECT_EQ(signer.api_key("binance"), kBinanceApiKey);
}

TEST(Signer, BinanceHmacSha256Example2QueryStringByAlgorithmName) {
  Signer signer(store_with("binance", CredentialType::Hmac, kBinanceSecret, kBinanceApiKey));
  const std::string query_string =
      "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
  EXPECT_EQ(signer.sign("binance", "hmac-sha256", query_string),
            "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");
}

TEST(Signer, BinanceHmacSha256Example3MixedQueryAndBody) {
  Signer signer(store_with("binance", CredentialType::Hmac, kBinanceSecret, kBinanceApiKey));
  const std::string query_string = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC";
  const std::string request_body = "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
  EXPECT_EQ(signer.sign("binance", SignatureAlgorithm::HmacSha256, query_string + request_body),
            "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77");
}

// RFC 4231 "Identifiers and Test Vectors for HMAC-SHA-224, HMAC-SHA-256, HMAC-SHA-384, and
// HMAC-SHA-512", section 4, HMAC-SHA-512 rows.
TEST(Signer, HmacSha512Rfc4231TestCase1) {
  // Key = 0x0b * 20, Data = "Hi There"
  Signer signer(store_with("k", CredentialType::Hmac, std::string(20, '\x0b')));
  EXPECT_EQ(signer.sign("k", SignatureAlgorithm::HmacSha512, "Hi There"),
            "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
            "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854");
}

TEST(Signer, HmacSha512Rfc4231TestCase2) {
  // Key = "Jefe", Data = "what do ya want for nothing?"
  Signer signer(store_with("k", CredentialType::Hmac, "Jefe"));
  EXPECT_EQ(signer.sign("k", "hmac-sha512", "what do ya want for nothing?"),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
            "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
}

TEST(Signer, HmacSha512Rfc4231TestCase6KeyLongerThanBlock) {
  // Key = 0xaa * 131 (longer than SHA-512's 128-byte block: hashed first),
  // Data = "Test Using Larger Than Block-Size Key - Hash Key First"
  Signer signer(store_with("k", CredentialType::Hmac, std::string(131, '\xaa')));
  EXPECT_EQ(signer.sign("k", SignatureAlgorithm::HmacSha512, "Test Using Larger Than Block-Size Key - Hash Key First"),
            "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
            "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598");
}

// RFC 8032 "Edwards-Curve Digital Signature Algorithm (EdDSA)", section 7.1 "Test Vectors for
// Ed25519". The RFC prints signatures in hex; Binance wants base64, so the expected text is the
// RFC's bytes through OpenSSL's base64 encoder.
TEST(Signer, Ed25519Rfc8032Test1EmptyMessage) {
  const std::string pem = ed25519_pem("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
                                      "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  Signer signer(store_with("ed", CredentialType::Ed25519, pem));
  const std::string expected = base64(unhex(
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24"
      "655141438e7a100b"));
  EXPECT_EQ(expected.size(), 88u);
  EXPECT_EQ(signer.sign("ed", SignatureAlgorithm::Ed25519, ""), expected);
}

TEST(Signer, Ed25519Rfc8032Test2OneByteMessage) {
  const std::string pem = ed25519_pem("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
                                      "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
  Signer signer(store_with("ed", CredentialType::Ed25519, pem));
  EXPECT_EQ(signer.sign("ed", "ed25519", unhex("72")),
            base64(unhex("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f1"
                         "1d8c387b2eaeb4302aeeb00d291612bb0c00")));
}

/// Runs `fn`, expects a CredentialsError with `code`, returns its message.
template <typename Fn>
std::string error_of(Fn&& fn, CredentialsErrc code) {
  try {
    fn();
  } catch (const CredentialsError& e) {
    EXPECT_EQ(static_cast<int>(e.code()), static_cast<int>(code)) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no CredentialsError thrown";
  return {};
}

TEST(Signer, AlgorithmMustMatchTheCredentialType) {
  auto store = std::make_shared<CredentialStore>();
  store->add(Credential{"mac", CredentialType::Hmac, "k1", Secret(kBinanceSecret)});
  store->add(Credential{"ed", CredentialType::Ed25519, "k2",
                        Secret(ed25519_pem("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
                                           "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"))});
  Signer signer(store);
  const std::string m1 =
      error_of([&] { signer.sign("mac", SignatureAlgorithm::Ed25519, "x"); }, CredentialsErrc::WrongAlgorithm);
  EXPECT_NE(m1.find("'mac' is of type hmac"), std::string::npos) << m1;
  error_of([&] { signer.sign("ed", SignatureAlgorithm::HmacSha256, "x"); }, CredentialsErrc::WrongAlgorithm);
  error_of([&] { signer.sign("ed", SignatureAlgorithm::HmacSha512, "x"); }, CredentialsErrc::WrongAlgorithm);
  error_of([&] { signer.sign("mac", "hmac-sha1", "x"); }, CredentialsErrc::UnknownAlgorithm);
  error_of([&] { signer.sign("nope", SignatureAlgorithm::HmacSha256, "x"); }, CredentialsErrc::NotFound);
  error_of([&] { signer.api_key("nope"); }, CredentialsErrc::NotFound);
  EXPECT_EQ(to_th_status(CredentialsErrc::NotFound), TH_ERR_NOT_FOUND);
  EXPECT_EQ(to_th_status(CredentialsErrc::WrongAlgorithm), TH_ERR_INVALID_ARG);
  // None of the failures carries the secret.
  EXPECT_EQ(m1.find(kBinanceSecret), std::string::npos);
}

TEST(Signer, AlgorithmNamesRoundTrip) {
  for (auto alg : {SignatureAlgorithm::HmacSha256, SignatureAlgorithm::HmacSha512, SignatureAlgorithm::Ed25519})
    EXPECT_EQ(parse_signature_algorithm(signature_algorithm_name(alg)), alg);
  EXPECT_FALSE(parse_signature_algorithm("HMAC-SHA256"));
  EXPECT_EQ(signature_algorithm_name(SignatureAlgorithm::HmacSha256), "hmac-sha256");
  EXPECT_EQ(signature_algorithm_name(SignatureAlgorithm::Ed25519), "ed25519");
}

}  // namespace
}  // namespace tradehost::credentials
