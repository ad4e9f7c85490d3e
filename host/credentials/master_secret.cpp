#include "credentials/master_secret.hpp"

#include <fmt/format.h>

#include "credentials/credentials_error.hpp"

namespace tradehost::credentials {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

MasterSecret MasterSecret::from_hex(std::string_view hex) {
  constexpr const char* kHint = "; generate one with: openssl rand -hex 32";
  if (hex.size() != 64)
    throw CredentialsError(
        CredentialsErrc::BadMasterKey,
        fmt::format("TRADEHOST_MASTER_KEY must be 64 hex characters (a 32-byte key), it has {}{}", hex.size(), kHint));
  Secret key = Secret::zeroed(32);
  for (size_t i = 0; i < 32; ++i) {
    const int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0)
      throw CredentialsError(CredentialsErrc::BadMasterKey,
                             fmt::format("TRADEHOST_MASTER_KEY must be 64 hex characters (a 32-byte key), character "
                                         "{} is not a hex digit{}",
                                         hi < 0 ? 2 * i + 1 : 2 * i + 2, kHint));
    key.data()[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return MasterSecret(true, std::move(key));
}

MasterSecret MasterSecret::passphrase(Secret text) {
  if (text.empty()) throw CredentialsError(CredentialsErrc::BadMasterKey, "the passphrase is empty");
  return MasterSecret(false, std::move(text));
}

}  // namespace tradehost::credentials
