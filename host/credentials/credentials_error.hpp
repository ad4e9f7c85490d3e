#pragma once
// The one exception type of the credentials subsystem. Its messages name credentials, files and
// parameters, never a secret, a passphrase or a key: they are safe to log and to hand to a plugin.

#include <tradehost/plugin.h>

#include <stdexcept>
#include <string>

namespace tradehost::credentials {

/// Why a credentials operation failed; stable, so the C ABI glue can switch on it.
enum class CredentialsErrc {
  InvalidName,       // a name outside [A-Za-z0-9_.-]{1,64}
  InvalidApiKey,     // empty, or with characters that cannot go into an HTTP header
  InvalidSecret,     // empty HMAC secret, or an ed25519 secret that is not an Ed25519 PEM key
  AlreadyExists,     // add() of a name the store holds
  NotFound,          // no credential of that name
  UnknownAlgorithm,  // a signature algorithm name we do not implement
  WrongAlgorithm,    // e.g. hmac-sha256 asked of an ed25519 credential
  BadMasterKey,      // TRADEHOST_MASTER_KEY is not 64 hex characters
  WrongKeyKind,      // a raw key for a passphrase file, or the other way round
  DecryptFailed,     // wrong passphrase or key, or the file was modified
  InsecureFile,      // the store file is readable or writable by group or others
  BadFile,           // not a credential store, an unknown version, or an inconsistent header
  Io,                // reading or writing the file failed
  Crypto,            // OpenSSL failed for another reason (out of memory, no entropy)
};

class CredentialsError : public std::runtime_error {
 public:
  CredentialsError(CredentialsErrc code, const std::string& message) : std::runtime_error(message), code_(code) {}
  CredentialsErrc code() const { return code_; }

 private:
  CredentialsErrc code_;
};

/// The th_status a future host API call (sdk/include/tradehost/plugin.h) returns for `code`:
/// the caller's mistakes are TH_ERR_INVALID_ARG, a missing name TH_ERR_NOT_FOUND, the rest are the
/// host's own trouble (TH_ERR_IO / TH_ERR_INTERNAL).
constexpr int to_th_status(CredentialsErrc code) {
  switch (code) {
    case CredentialsErrc::NotFound:
      return TH_ERR_NOT_FOUND;
    case CredentialsErrc::InvalidName:
    case CredentialsErrc::InvalidApiKey:
    case CredentialsErrc::InvalidSecret:
    case CredentialsErrc::AlreadyExists:
    case CredentialsErrc::UnknownAlgorithm:
    case CredentialsErrc::WrongAlgorithm:
      return TH_ERR_INVALID_ARG;
    case CredentialsErrc::Io:
      return TH_ERR_IO;
    default:
      return TH_ERR_INTERNAL;
  }
}

}  // namespace tradehost::credentials
