// Small helpers the engine's translation units share (engine.cpp, live_orders.cpp).
#pragma once

#include <tradehost/plugin.h>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <string>

namespace tradehost::engine::detail {

/// A borrowed th_str copied into a std::string ("" for a NULL or empty view).
inline std::string sv(th_str s) { return s.len && s.ptr ? std::string(s.ptr, s.len) : std::string(); }
/// A view of `s` for the boundary; valid while `s` lives unchanged.
inline th_str th(const std::string& s) { return th_str{s.data(), s.size()}; }
/// The wall clock: ns since the Unix epoch, UTC.
inline int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
/// `s` in ASCII lower case (the store's spelling of order types).
inline std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
/// "buy" / "sell", as the store spells sides.
inline const char* side_lc(int32_t side) { return side == TH_SIDE_BUY ? "buy" : side == TH_SIDE_SELL ? "sell" : "?"; }

}  // namespace tradehost::engine::detail
