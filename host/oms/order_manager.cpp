#include "oms/order_manager.hpp"

#include <fmt/format.h>

namespace tradehost::oms {

OrderManager::OrderManager(std::string bot, int64_t run_id, Journal& journal)
    : bot_(std::move(bot)), run_id_(run_id), journal_(journal) {
  if (bot_.empty() || run_id_ <= 0) throw std::invalid_argument("order manager needs a bot name and a run id");
  // The longest id this run can produce uses an 8-digit sequence.
  if (client_order_id(99'999'999).size() > 36)
    throw std::invalid_argument(fmt::format(
        "client order ids '{}' would exceed 36 characters (Binance newClientOrderId limit); use a "
        "shorter [bot] name",
        client_order_id(99'999'999)));
}

std::string OrderManager::client_order_id(uint64_t seq) const {
  return fmt::format("{}-{}-{}", bot_, run_id_, seq);
}

Order& OrderManager::create(const th_order_request& req, std::string strategy, uint32_t owner,
                            th_time_ns now) {
  Order o;
  o.id = orders_.size() + 1;
  o.client_order_id = client_order_id(o.id);
  o.req = req;
  o.req.struct_size = sizeof(th_order_request);
  o.tag.assign(req.tag.ptr ? req.tag.ptr : "", req.tag.len);
  o.strategy = std::move(strategy);
  o.owner = owner;
  o.state = OrderState::PendingNew;
  o.created_ns = o.updated_ns = o.eligible_from_ns = now;
  o.journal_run_id = run_id_;
  o.journal_order_id = o.id;
  journal_.order_created(o);  // write-ahead: nothing exists until the journal has it
  orders_.push_back(std::move(o));
  Order& stored = orders_.back();
  stored.req.tag = th_str{stored.tag.data(), stored.tag.size()};
  by_client_.emplace(stored.client_order_id, stored.id);
  return stored;
}

Order& OrderManager::adopt(Order o) {
  if (o.journal_run_id <= 0 || o.journal_order_id == 0)
    throw std::invalid_argument("an adopted order needs its journal key");
  if (by_client_.count(o.client_order_id))
    throw std::invalid_argument(fmt::format("order {} is already known", o.client_order_id));
  o.id = orders_.size() + 1;
  orders_.push_back(std::move(o));
  Order& stored = orders_.back();
  stored.req.tag = th_str{stored.tag.data(), stored.tag.size()};
  by_client_.emplace(stored.client_order_id, stored.id);
  return stored;
}

Order* OrderManager::find_client(std::string_view client_order_id) noexcept {
  auto it = by_client_.find(std::string(client_order_id));
  return it == by_client_.end() ? nullptr : &orders_[it->second - 1];
}

void OrderManager::transition(Order& o, OrderState to, th_time_ns now, std::string_view reason) {
  if (!is_legal_transition(o.state, to))
    throw IllegalTransition(fmt::format("order {} ({}): illegal transition {} -> {}", o.id,
                                        o.client_order_id, to_string(o.state), to_string(to)));
  Order next = o;
  OrderState from = o.state;
  next.state = to;
  next.updated_ns = now;
  if (!reason.empty()) next.reason.assign(reason);
  journal_.order_transition(next, from);
  o.state = to;
  o.updated_ns = now;
  if (!reason.empty()) o.reason.assign(reason);
}

void OrderManager::apply_fill(Order& o, int64_t qty, int64_t price, th_time_ns now) {
  if (o.state != OrderState::New && o.state != OrderState::PartiallyFilled)
    throw IllegalTransition(fmt::format("order {} ({}): fill in state {}", o.id, o.client_order_id,
                                        to_string(o.state)));
  if (qty <= 0 || qty > o.remaining_qty())
    throw std::invalid_argument(fmt::format("order {}: fill qty {} outside (0, {}]", o.id, qty, o.remaining_qty()));
  OrderState to = qty == o.remaining_qty() ? OrderState::Filled : OrderState::PartiallyFilled;
  OrderState from = o.state;
  int64_t filled = o.filled_qty + qty;
  __int128 notional = o.filled_notional + static_cast<__int128>(price) * qty;
  // Volume-weighted average, rounded half to even.
  __int128 q = notional / filled, r = notional % filled;
  if (2 * r > filled || (2 * r == filled && (q & 1))) ++q;
  Order next = o;
  next.state = to;
  next.filled_qty = filled;
  next.filled_notional = notional;
  next.avg_fill_price = static_cast<int64_t>(q);
  next.updated_ns = now;
  journal_.order_transition(next, from);
  o.state = to;
  o.filled_qty = filled;
  o.filled_notional = notional;
  o.avg_fill_price = next.avg_fill_price;
  o.updated_ns = now;
}

Order* OrderManager::find(uint64_t id) noexcept {
  if (id == 0 || id > orders_.size()) return nullptr;
  return &orders_[id - 1];
}

}  // namespace tradehost::oms
