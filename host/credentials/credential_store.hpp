#pragma once
// The credentials the host holds, in memory. credential_file.hpp reads and writes them encrypted;
// signer.hpp is the only reader of the secrets.

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "credentials/credential.hpp"

namespace tradehost::credentials {

/// Credentials by name. Every entry in it is valid: add() checks each field, so a signer never
/// meets a malformed secret at trading time.
class CredentialStore {
 public:
  /// Adds `credential`. Throws CredentialsError: InvalidName (not [A-Za-z0-9_.-]{1,64}),
  /// InvalidApiKey (empty, longer than 256, or not printable ASCII without spaces: it travels in
  /// an HTTP header), InvalidSecret (an empty hmac secret; an ed25519 secret that is not an
  /// unencrypted PKCS#8 Ed25519 private key in PEM), AlreadyExists (remove it first: replacing a
  /// key is a deliberate two-step act).
  void add(Credential credential);
  /// Removes the credential `name`, wiping its secret; false when there is none.
  bool remove(std::string_view name);
  /// The credential `name`, or null. The pointer is valid until the next add/remove.
  const Credential* find(std::string_view name) const;
  /// Every credential without its secret, sorted by name.
  std::vector<CredentialInfo> list() const;
  std::size_t size() const { return entries_.size(); }
  /// Calls `fn` on each credential in name order (for serialisation).
  void for_each(const std::function<void(const Credential&)>& fn) const;

 private:
  std::map<std::string, Credential, std::less<>> entries_;
};

}  // namespace tradehost::credentials
