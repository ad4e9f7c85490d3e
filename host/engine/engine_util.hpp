// Small helpers the engine's translation units share (engine.cpp, live_orders.cpp).
#pragma once

#include <tradehost/plugin.h>

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
/// "buy" / "sell", as the store spells sides.
inline const char* side_lc(int32_t side) { return side == TH_SIDE_BUY ? "buy" : side == TH_SIDE_SELL ? "sell" : "?"; }

}  // namespace tradehost::engine::detail
