// listen_keys.hpp -- user data stream listenKeys: one active key per account, valid for 60
// minutes from its last POST or PUT (spot user-data-stream.md and USDⓈ-M "User Data Streams":
// "A User Data Stream listenKey is valid for 60 minutes after creation", "Doing a POST on an
// account with an active listenKey will return the currently active listenKey and extend its
// validity for 60 minutes").
#ifndef TRADEHOST_EXCHANGE_SIM_LISTEN_KEYS_HPP
#define TRADEHOST_EXCHANGE_SIM_LISTEN_KEYS_HPP

#include "matching_engine.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace tradehost::exchange_sim {

class ListenKeys {
 public:
  static constexpr int64_t kLifetimeMs = 60 * 60 * 1000;

  /// The account's active key with its validity extended, or a new 64-character key.
  std::string open(const std::string& account, int64_t now_ms);
  /// Extends `key` by 60 minutes. -1125 "This listenKey does not exist." when it is not an active
  /// key of `account`.
  std::optional<ApiError> keepalive(const std::string& account, const std::string& key, int64_t now_ms);
  /// Invalidates `key` (same error as keepalive()); the caller closes its connections.
  std::optional<ApiError> close(const std::string& account, const std::string& key, int64_t now_ms);
  /// The account's active key, or "" when it has none.
  std::string key_of(const std::string& account, int64_t now_ms) const;
  bool active(const std::string& key, int64_t now_ms) const;
  /// Whether `key` was ever issued (an expired key is known but not active).
  bool known(const std::string& key) const { return keys_.count(key) != 0; }

 private:
  struct Entry {
    std::string account;
    int64_t expires_ms = 0;
  };
  std::map<std::string, Entry>::iterator find_active(const std::string& account, const std::string& key,
                                                     int64_t now_ms);

  std::map<std::string, Entry> keys_;
  uint64_t seq_ = 0;
};

}  // namespace tradehost::exchange_sim

#endif
