#include "credentials/secret.hpp"

#include <openssl/crypto.h>

#include <cstring>

namespace tradehost::credentials {

Secret::Secret(std::string_view bytes) : bytes_(new unsigned char[bytes.size() + 1]), size_(bytes.size()) {
  // +1: a zero-length Secret still owns a buffer, so data() is never null for OpenSSL calls.
  if (!bytes.empty()) std::memcpy(bytes_.get(), bytes.data(), bytes.size());
  bytes_[size_] = 0;
}

Secret Secret::zeroed(std::size_t size) {
  Secret s;
  s.bytes_.reset(new unsigned char[size + 1]());
  s.size_ = size;
  return s;
}

Secret::Secret(Secret&& other) noexcept : bytes_(std::move(other.bytes_)), size_(other.size_) { other.size_ = 0; }

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    wipe();
    bytes_ = std::move(other.bytes_);
    size_ = other.size_;
    other.size_ = 0;
  }
  return *this;
}

Secret::~Secret() { wipe(); }

void Secret::wipe() noexcept {
  if (bytes_) OPENSSL_cleanse(bytes_.get(), size_ + 1);
  bytes_.reset();
  size_ = 0;
}

void wipe_string(std::string& s) noexcept {
  // resize to the capacity first so every byte the buffer ever held is overwritten.
  s.resize(s.capacity());
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

}  // namespace tradehost::credentials
