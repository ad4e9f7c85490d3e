#pragma once
// What unlocks the credential store: a raw 32-byte key (TRADEHOST_MASTER_KEY) or a passphrase.

#include <string_view>

#include "credentials/secret.hpp"

namespace tradehost::credentials {

/// The key material for the credential file. A raw key is used as the AES-256 key directly; a
/// passphrase goes through scrypt with the salt and parameters of the file header.
class MasterSecret {
 public:
  /// `hex`: the value of TRADEHOST_MASTER_KEY, exactly 64 hex digits (either case) for the 32 raw
  /// key bytes. Throws CredentialsError BadMasterKey otherwise, with a message that gives the
  /// length it saw and never the value.
  static MasterSecret from_hex(std::string_view hex);
  /// A passphrase, as bytes (UTF-8 from a terminal). Throws CredentialsError BadMasterKey when
  /// empty.
  static MasterSecret passphrase(Secret text);

  bool is_raw_key() const { return raw_key_; }
  /// The 32 key bytes (raw key) or the passphrase bytes.
  const Secret& material() const { return material_; }

 private:
  MasterSecret(bool raw_key, Secret material) : raw_key_(raw_key), material_(std::move(material)) {}

  bool raw_key_;
  Secret material_;
};

}  // namespace tradehost::credentials
