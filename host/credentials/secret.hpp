#pragma once
// Bytes that must not outlive their use: API secrets, private keys, passphrases, derived keys.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace tradehost::credentials {

/// An owned, fixed-size byte buffer that is overwritten with OPENSSL_cleanse when it is released
/// (destroyed, moved from, or assigned over). Move-only, so a secret is not copied by accident;
/// clone() makes the one deliberate copy. It has no stream or fmt formatter on purpose: a secret
/// cannot end up in a log line or an exception message by being formatted.
///
/// The size never changes after construction, so the bytes are never reallocated (a growing
/// std::string would leave unwiped copies in freed memory).
class Secret {
 public:
  Secret() = default;
  /// Copies `bytes` (any bytes, NULs included). The caller wipes its own copy.
  explicit Secret(std::string_view bytes);
  /// `size` zero bytes, to be filled through data() (e.g. a key derivation output).
  static Secret zeroed(std::size_t size);

  Secret(Secret&& other) noexcept;
  Secret& operator=(Secret&& other) noexcept;
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;
  ~Secret();

  Secret clone() const { return Secret(view()); }

  std::string_view view() const { return {reinterpret_cast<const char*>(bytes_.get()), size_}; }
  const unsigned char* data() const { return bytes_.get(); }
  unsigned char* data() { return bytes_.get(); }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  void wipe() noexcept;

  std::unique_ptr<unsigned char[]> bytes_;
  std::size_t size_ = 0;
};

/// Overwrites the whole capacity of `s` (not only its current size, as earlier contents may sit
/// past it) and empties it. For the std::string buffers that briefly hold a secret on its way into
/// a Secret: a line read from stdin, a passphrase.
void wipe_string(std::string& s) noexcept;

}  // namespace tradehost::credentials
