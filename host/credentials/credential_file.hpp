#pragma once
// The credential store on disk: one file, encrypted with AES-256-GCM, mode 0600.
//
// File format, version 1 (integers little-endian):
//
//   offset  size  field
//   0       8     magic "THCREDS\0"
//   8       2     format version, 1
//   10      1     key derivation: 0 = none (the key is TRADEHOST_MASTER_KEY itself), 1 = scrypt
//   11      1     salt length S: 0 with no derivation, 16 with scrypt
//   12      8     scrypt N (CPU/memory cost, a power of two); 0 with no derivation
//   20      4     scrypt r (block size); 0 with no derivation
//   24      4     scrypt p (parallelism); 0 with no derivation
//   28      S     scrypt salt (random, chosen when the file is created)
//   28+S    12    AES-256-GCM nonce (random, fresh on every write)
//   40+S    n     ciphertext of the entries
//   40+S+n  16    GCM authentication tag
//
// Bytes 0 .. 40+S (the whole header) are the GCM additional authenticated data, so changing a
// KDF parameter or the nonce fails decryption exactly like changing a ciphertext byte does. The
// KDF parameters live in the header so that a later version can raise them for new files and
// still open old ones.
//
// Plaintext: u32 entry count, then per entry: u8 name length, name; u8 type (0 hmac, 1 ed25519);
// u16 api key length, api key; u32 secret length, secret bytes.

#include <cstdint>
#include <filesystem>
#include <vector>

#include "credentials/credential_store.hpp"
#include "credentials/master_secret.hpp"
#include "credentials/secret.hpp"

namespace tradehost::credentials {

/// scrypt cost for a new passphrase-protected file. The default (N = 2^15, r = 8, p = 1: 32 MiB,
/// about 0.1 s) follows the interactive-login figure of the scrypt paper and OpenSSL's own
/// default. Files are read with whatever their header says, within N * r <= 2^23 (1 GiB).
struct ScryptParams {
  uint64_t n = uint64_t{1} << 15;
  uint32_t r = 8;
  uint32_t p = 1;
};

/// The default store path: $TRADEHOST_CREDENTIALS, else $XDG_CONFIG_HOME/tradehost/credentials.enc,
/// else ~/.config/tradehost/credentials.enc (~ from $HOME, else the password database). Throws
/// CredentialsError Io when no home directory can be found.
std::filesystem::path default_credentials_path();

/// Throws CredentialsError InsecureFile when `path` exists and its mode grants anything to group
/// or others (wider than 0600); the message says `chmod 600 <path>`. A missing file passes.
void check_credentials_file_mode(const std::filesystem::path& path);

/// An open credential store file: its decrypted credentials, and the key to write them back.
class CredentialFile {
 public:
  /// Opens `path`. When it exists: refuses a mode wider than 0600 (InsecureFile), reads it,
  /// derives the key (scrypt for a passphrase, with the header's salt and N/r/p) and decrypts;
  /// throws BadFile (not a credential store, unknown version, bad header), WrongKeyKind (a raw
  /// key given for a passphrase file or the other way round), DecryptFailed ("cannot decrypt:
  /// wrong passphrase or the file was modified"), Io. When it does not exist: an empty store that
  /// save() creates, with a raw key as is or a passphrase through scrypt with `for_new` and a
  /// fresh random salt.
  static CredentialFile open(const std::filesystem::path& path, const MasterSecret& master,
                             const ScryptParams& for_new = {});

  /// Encrypts the credentials with a fresh random nonce and replaces the file atomically (temp
  /// file at mode 0600 + fsync + rename), creating the parent directory (0700) when missing.
  /// Throws CredentialsError Io / Crypto.
  void save();

  const std::filesystem::path& path() const { return path_; }
  /// Whether the file existed when it was opened (false: save() creates it).
  bool existed() const { return existed_; }
  CredentialStore& store() { return store_; }
  const CredentialStore& store() const { return store_; }

 private:
  CredentialFile() = default;

  std::filesystem::path path_;
  bool existed_ = false;
  uint8_t kdf_ = 0;
  ScryptParams scrypt_{};
  std::vector<unsigned char> salt_;
  Secret key_;  // the AES-256 key, 32 bytes
  CredentialStore store_;
};

}  // namespace tradehost::credentials
