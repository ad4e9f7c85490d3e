#include "credentials/ed25519_key.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <climits>

namespace tradehost::credentials {

namespace {

// OpenSSL's default PEM password callback reads the terminal; an encrypted key must fail instead.
int refuse_password(char*, int, int, void*) { return -1; }

}  // namespace

EvpPkeyPtr load_ed25519_private_key(std::string_view pem) {
  if (pem.empty() || pem.size() > INT_MAX) return nullptr;
  // A read-only memory BIO over the caller's bytes: no copy of the PEM text is made here.
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (!bio) return nullptr;
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio, nullptr, refuse_password, nullptr));
  BIO_free(bio);
  ERR_clear_error();
  if (key && EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) key.reset();
  return key;
}

}  // namespace tradehost::credentials
