// The order manager: host-assigned ids, deterministic client order ids, the order state machine,
// and the write-ahead journal (every transition is handed to the Journal before it is acted on).
#pragma once

#include "oms/order.hpp"

#include <deque>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tradehost::oms {

/// Where the order manager writes ahead. The engine implements it over the SQLite store; a
/// journal call that throws aborts the transition (the order stays in its previous state).
class Journal {
 public:
  virtual ~Journal() = default;
  /// A new order in PENDING_NEW, before it goes anywhere.
  virtual void order_created(const Order& o) = 0;
  /// `o` already carries the new state, fill quantity and reason; `from` is the old state.
  virtual void order_transition(const Order& o, OrderState from) = 0;
};

/// Thrown for a transition the state machine forbids; the order is left untouched.
class IllegalTransition : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

class OrderManager {
 public:
  /// bot: [A-Za-z0-9_-]{1,20}; run_id > 0. Client order ids are "<bot>-<run_id>-<seq>", at most 36
  /// characters from Binance's allowed set ^[.A-Z:/a-z0-9_-]{1,36}$ (spot REST docs, "New order",
  /// newClientOrderId); throws std::invalid_argument when they would not fit.
  OrderManager(std::string bot, int64_t run_id, Journal& journal);

  /// Creates an order in PENDING_NEW and journals it. The request must already be validated.
  Order& create(const th_order_request& req, std::string strategy, uint32_t owner, th_time_ns now);

  /// Moves `o` to `to`, journaling first. Throws IllegalTransition (order unchanged) when the
  /// state machine forbids it.
  void transition(Order& o, OrderState to, th_time_ns now, std::string_view reason = {});

  /// Applies an execution of `qty` at `price` (raw units): updates filled quantity and average
  /// price, moves to PARTIALLY_FILLED or FILLED, journals. Throws IllegalTransition for a final
  /// order, std::invalid_argument when qty <= 0 or exceeds the remaining quantity.
  void apply_fill(Order& o, int64_t qty, int64_t price, th_time_ns now);

  Order* find(uint64_t id) noexcept;
  /// The order with this client order id (created or adopted in this run), or nullptr.
  Order* find_client(std::string_view client_order_id) noexcept;
  /// Takes over an order of an earlier run that the journal holds open (live restart). It gets a
  /// host id of this run (events name it by that) and keeps its client order id, state, fills
  /// and journal key (o.journal_run_id, o.journal_order_id, which must be set). Nothing is
  /// journaled. Throws std::invalid_argument for a client order id already present.
  Order& adopt(Order o);
  const std::deque<Order>& orders() const noexcept { return orders_; }
  std::string client_order_id(uint64_t seq) const;

 private:
  std::string bot_;
  int64_t run_id_;
  Journal& journal_;
  std::deque<Order> orders_;  // index = id - 1; deque keeps references stable
  std::unordered_map<std::string, uint64_t> by_client_;  // client order id -> id
};

}  // namespace tradehost::oms
