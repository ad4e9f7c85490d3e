#include "listen_keys.hpp"

#include <functional>

namespace tradehost::exchange_sim {

std::string ListenKeys::open(const std::string& account, int64_t now_ms) {
  std::string key = key_of(account, now_ms);
  if (key.empty()) {
    static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    uint64_t x = std::hash<std::string>{}(account) ^ (++seq_ * 0x9e3779b97f4a7c15ULL) ^ static_cast<uint64_t>(now_ms);
    for (int i = 0; i < 64; ++i) {  // as long as the docs' example keys
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;  // xorshift64
      key += kAlphabet[x % 62];
    }
  }
  keys_[key] = {account, now_ms + kLifetimeMs};
  return key;
}

std::map<std::string, ListenKeys::Entry>::iterator ListenKeys::find_active(const std::string& account,
                                                                          const std::string& key, int64_t now_ms) {
  auto it = keys_.find(key);
  if (it == keys_.end() || it->second.account != account || it->second.expires_ms <= now_ms) return keys_.end();
  return it;
}

std::optional<ApiError> ListenKeys::keepalive(const std::string& account, const std::string& key, int64_t now_ms) {
  auto it = find_active(account, key, now_ms);
  if (it == keys_.end()) return ApiError{400, -1125, "This listenKey does not exist."};
  it->second.expires_ms = now_ms + kLifetimeMs;
  return std::nullopt;
}

std::optional<ApiError> ListenKeys::close(const std::string& account, const std::string& key, int64_t now_ms) {
  auto it = find_active(account, key, now_ms);
  if (it == keys_.end()) return ApiError{400, -1125, "This listenKey does not exist."};
  keys_.erase(it);
  return std::nullopt;
}

std::string ListenKeys::key_of(const std::string& account, int64_t now_ms) const {
  for (const auto& [key, e] : keys_)
    if (e.account == account && e.expires_ms > now_ms) return key;
  return {};
}

bool ListenKeys::active(const std::string& key, int64_t now_ms) const {
  auto it = keys_.find(key);
  return it != keys_.end() && it->second.expires_ms > now_ms;
}

}  // namespace tradehost::exchange_sim
