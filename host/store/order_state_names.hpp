// The text the state database stores for each TH_ORDER_* state. The names are the ABI enum
// suffixes, which are also Binance's order status strings, so a trader reading the database
// with the sqlite3 CLI sees "PARTIALLY_FILLED", not 3.
#pragma once

#include <tradehost/plugin.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace tradehost::store {

/// "PENDING_NEW" ... "EXPIRED" for TH_ORDER_*; empty for an unknown code.
constexpr std::string_view order_state_name(int32_t state) noexcept {
  switch (state) {
    case TH_ORDER_PENDING_NEW:
      return "PENDING_NEW";
    case TH_ORDER_NEW:
      return "NEW";
    case TH_ORDER_PARTIALLY_FILLED:
      return "PARTIALLY_FILLED";
    case TH_ORDER_FILLED:
      return "FILLED";
    case TH_ORDER_CANCELED:
      return "CANCELED";
    case TH_ORDER_REJECTED:
      return "REJECTED";
    case TH_ORDER_EXPIRED:
      return "EXPIRED";
    default:
      return {};
  }
}

/// The TH_ORDER_* code of a stored name; nullopt for anything else.
constexpr std::optional<int32_t> parse_order_state(std::string_view name) noexcept {
  for (int32_t state = TH_ORDER_PENDING_NEW; state <= TH_ORDER_EXPIRED; ++state) {
    if (order_state_name(state) == name) return state;
  }
  return std::nullopt;
}

/// FILLED, CANCELED, REJECTED and EXPIRED are final (plugin.h); the others are "open" and are
/// what crash recovery must reconcile with the venue.
constexpr bool is_final_order_state(int32_t state) noexcept {
  return state == TH_ORDER_FILLED || state == TH_ORDER_CANCELED || state == TH_ORDER_REJECTED ||
         state == TH_ORDER_EXPIRED;
}

}  // namespace tradehost::store
