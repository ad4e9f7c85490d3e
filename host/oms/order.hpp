// Orders as the host keeps them, and their state machine.
#pragma once

#include <tradehost/plugin.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace tradehost::oms {

/// Order states, numerically equal to TH_ORDER_* (plugin.h documents the legal transitions).
enum class OrderState : int32_t {
  PendingNew = TH_ORDER_PENDING_NEW,
  New = TH_ORDER_NEW,
  PartiallyFilled = TH_ORDER_PARTIALLY_FILLED,
  Filled = TH_ORDER_FILLED,
  Canceled = TH_ORDER_CANCELED,
  Rejected = TH_ORDER_REJECTED,
  Expired = TH_ORDER_EXPIRED,
};

/// "PENDING_NEW", "NEW", ... (Binance's spelling of the same states).
const char* to_string(OrderState s) noexcept;
/// FILLED, CANCELED, REJECTED and EXPIRED: nothing more may happen to the order.
bool is_final(OrderState s) noexcept;
/// PENDING_NEW -> NEW | REJECTED; NEW -> PARTIALLY_FILLED | FILLED | CANCELED | EXPIRED;
/// PARTIALLY_FILLED -> PARTIALLY_FILLED | FILLED | CANCELED | EXPIRED. Everything else is illegal.
bool is_legal_transition(OrderState from, OrderState to) noexcept;

const char* side_name(int32_t side) noexcept;        // "BUY" / "SELL"
const char* order_type_name(int32_t type) noexcept;  // "MARKET", "LIMIT", "STOP_MARKET", ...
const char* tif_name(int32_t tif) noexcept;          // "GTC", "IOC", "FOK", "GTX"

/// One order. Quantities at the instrument's qty_scale, prices at its price_scale.
struct Order {
  uint64_t id = 0;                 // host id, dense from 1 within a run
  // The order's key in the journal (orders table): this run's id and `id` for an order created
  // in this run; the earlier run's for one adopted after a live restart (OrderManager::adopt).
  int64_t journal_run_id = 0;
  uint64_t journal_order_id = 0;
  std::string client_order_id;     // <bot>-<run>-<seq>
  th_order_request req{};          // as approved; req.tag points into `tag`
  std::string tag;
  std::string strategy;            // owning strategy node name
  uint32_t owner = 0;              // owning strategy instance index
  OrderState state = OrderState::PendingNew;
  int64_t filled_qty = 0;
  int64_t avg_fill_price = 0;      // volume-weighted, at price_scale (rounded half-even)
  __int128 filled_notional = 0;    // sum(price_raw * qty_raw), exact
  th_time_ns created_ns = 0, updated_ns = 0;
  th_time_ns eligible_from_ns = 0; // simulator: earliest bar open time it may trade against
  std::string reason;              // last rejection/cancel/expiry reason
  int64_t reserved_cash = 0;       // simulator: quote money locked for an open buy (TH_MONEY_SCALE)
  bool sim_seen_bar = false;       // simulator: has been matched against at least one bar

  int64_t remaining_qty() const noexcept { return req.qty - filled_qty; }
};

}  // namespace tradehost::oms
