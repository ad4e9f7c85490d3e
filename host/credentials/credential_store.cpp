#include "credentials/credential_store.hpp"

#include <fmt/format.h>

#include "credentials/credentials_error.hpp"
#include "credentials/ed25519_key.hpp"

namespace tradehost::credentials {

namespace {

bool is_header_safe(std::string_view api_key) {
  if (api_key.empty() || api_key.size() > 256) return false;
  for (char c : api_key)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

}  // namespace

void CredentialStore::add(Credential credential) {
  if (!is_valid_credential_name(credential.name))
    throw CredentialsError(
        CredentialsErrc::InvalidName,
        fmt::format("invalid credential name '{}': use 1 to 64 of A-Z a-z 0-9 _ . -",
                    credential.name.size() <= 64 ? credential.name : credential.name.substr(0, 64) + "..."));
  if (!is_header_safe(credential.api_key))
    throw CredentialsError(CredentialsErrc::InvalidApiKey,
                           fmt::format("invalid api key for credential '{}': it must be 1 to 256 printable ASCII "
                                       "characters without spaces",
                                       credential.name));
  if (credential.type == CredentialType::Hmac && credential.secret.empty())
    throw CredentialsError(CredentialsErrc::InvalidSecret,
                           fmt::format("empty secret for hmac credential '{}'", credential.name));
  if (credential.type == CredentialType::Token) {
    const std::string_view t = credential.secret.view();
    bool printable = t.size() >= 24;
    for (char ch : t) printable = printable && ch > ' ' && ch < 127;
    if (!printable)
      throw CredentialsError(CredentialsErrc::InvalidSecret,
                             fmt::format("the token of credential '{}' must be at least 24 printable ASCII characters without "
                                         "spaces (e.g. `openssl rand -hex 32`)",
                                         credential.name));
  }
  if (credential.type == CredentialType::Ed25519 && !load_ed25519_private_key(credential.secret.view()))
    throw CredentialsError(CredentialsErrc::InvalidSecret,
                           fmt::format("the secret of ed25519 credential '{}' is not an unencrypted Ed25519 private "
                                       "key in PEM (-----BEGIN PRIVATE KEY-----)",
                                       credential.name));
  if (entries_.count(credential.name))
    throw CredentialsError(CredentialsErrc::AlreadyExists,
                           fmt::format("credential '{}' already exists; remove it first", credential.name));
  std::string name = credential.name;
  entries_.emplace(std::move(name), std::move(credential));
}

bool CredentialStore::remove(std::string_view name) {
  auto it = entries_.find(name);
  if (it == entries_.end()) return false;
  entries_.erase(it);
  return true;
}

const Credential* CredentialStore::find(std::string_view name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second;
}

std::vector<CredentialInfo> CredentialStore::list() const {
  std::vector<CredentialInfo> out;
  out.reserve(entries_.size());
  for (const auto& [name, c] : entries_) out.push_back(CredentialInfo{c.name, c.type, c.api_key});
  return out;
}

void CredentialStore::for_each(const std::function<void(const Credential&)>& fn) const {
  for (const auto& [name, c] : entries_) fn(c);
}

}  // namespace tradehost::credentials
