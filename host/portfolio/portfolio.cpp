#include "portfolio/portfolio.hpp"

#include <stdexcept>

namespace tradehost::portfolio {
namespace {
constexpr int64_t kPow10[] = {1,
                              10,
                              100,
                              1000,
                              10000,
                              100000,
                              1000000,
                              10000000,
                              100000000,
                              1000000000,
                              10000000000,
                              100000000000,
                              1000000000000,
                              10000000000000,
                              100000000000000,
                              1000000000000000,
                              10000000000000000,
                              100000000000000000,
                              1000000000000000000};
}  // namespace

int64_t div_round_half_even(__int128 n, __int128 d) noexcept {
  __int128 q = n / d, r = n % d;
  if (r < 0) r = -r;
  __int128 twice = 2 * r;
  if (twice > d || (twice == d && (q & 1))) q += (n < 0) ? -1 : 1;
  return static_cast<int64_t>(q);
}

int64_t Portfolio::money(const Position& p, int64_t price, int64_t qty) noexcept {
  __int128 prod = static_cast<__int128>(price) * qty;
  int shift = TH_MONEY_SCALE - p.price_scale - p.qty_scale;
  if (shift >= 0) return static_cast<int64_t>(prod * kPow10[shift]);
  return div_round_half_even(prod, kPow10[-shift]);
}

void Portfolio::add_instrument(th_instrument_id id, int32_t price_scale, int32_t qty_scale) {
  if (price_scale < 0 || qty_scale < 0 || price_scale > 18 || qty_scale > 18 || price_scale + qty_scale > 26)
    throw std::invalid_argument("instrument scales out of range");
  if (positions_.size() <= id) {
    positions_.resize(id + 1);
    registered_.resize(id + 1, false);
  }
  positions_[id].price_scale = price_scale;
  positions_[id].qty_scale = qty_scale;
  registered_[id] = true;
}

int64_t Portfolio::avg_entry_price(th_instrument_id id) const {
  const Position& p = positions_.at(id);
  if (p.qty == 0) return 0;
  // cost (money) / qty -> price_scale: cost * 10^(ps+qs-8) / qty
  int shift = p.price_scale + p.qty_scale - TH_MONEY_SCALE;
  __int128 n = p.cost;
  __int128 d = p.qty;
  if (shift >= 0) n *= kPow10[shift];
  else d *= kPow10[-shift];
  if (d < 0) { n = -n; d = -d; }
  return div_round_half_even(n, d);
}

void Portfolio::restore_position(th_instrument_id id, int64_t qty, int64_t avg_entry_price, int64_t realized,
                                 th_time_ns since) {
  if (!registered(id)) throw std::invalid_argument("position for an unknown instrument");
  Position& p = positions_[id];
  if (p.qty != 0) throw std::invalid_argument("a position is already open");
  p.realized = realized;
  realized_ += realized;
  if (qty == 0) return;
  const int64_t abs_qty = qty < 0 ? -qty : qty;
  const int64_t notional = money(p, avg_entry_price, abs_qty);
  p.qty = qty;
  p.cost = qty > 0 ? notional : -notional;
  p.trip_entry_time = since;
  p.trip_entry_qty = abs_qty;
  p.trip_entry_px_qty = static_cast<__int128>(avg_entry_price) * abs_qty;
  p.trip_exit_px_qty = 0;
  p.trip_exit_qty = 0;
  p.trip_entry_notional = notional;
  p.trip_realized = 0;
  p.trip_fees = 0;
  ++open_positions_;
  if (p.last_price) mark(id, p.last_price);
}

std::optional<ClosedTrip> Portfolio::apply_fill(th_instrument_id id, int32_t side, int64_t price,
                                                int64_t qty, int64_t fee, th_time_ns ts) {
  if (!registered(id)) throw std::invalid_argument("fill for an unknown instrument");
  if (qty <= 0 || price <= 0 || fee < 0) throw std::invalid_argument("fill needs qty > 0, price > 0, fee >= 0");
  Position& p = positions_[id];
  const int64_t signed_qty = side == TH_SIDE_BUY ? qty : -qty;
  const int64_t notional = money(p, price, qty);
  const int64_t signed_notional = side == TH_SIDE_BUY ? notional : -notional;
  cash_ -= signed_notional + fee;
  fees_ += fee;
  std::optional<ClosedTrip> closed;

  auto open_part = [&](int64_t q, int64_t part_fee, int64_t part_cost) {
    if (p.qty == 0) {
      p.trip_entry_time = ts;
      p.trip_entry_qty = 0;
      p.trip_entry_px_qty = p.trip_exit_px_qty = 0;
      p.trip_exit_qty = 0;
      p.trip_entry_notional = 0;
      p.trip_realized = 0;
      p.trip_fees = 0;
      ++open_positions_;
    }
    p.qty += q;
    p.cost += part_cost;
    p.trip_entry_qty += q < 0 ? -q : q;
    p.trip_entry_px_qty += static_cast<__int128>(price) * (q < 0 ? -q : q);
    p.trip_entry_notional += part_cost < 0 ? -part_cost : part_cost;
    p.trip_fees += part_fee;
  };

  const bool reduces = p.qty != 0 && ((p.qty > 0) != (signed_qty > 0));
  if (!reduces) {
    open_part(signed_qty, fee, signed_notional);
  } else {
    const int64_t abs_pos = p.qty < 0 ? -p.qty : p.qty;
    const int64_t close_qty = qty < abs_pos ? qty : abs_pos;
    const int64_t open_qty = qty - close_qty;
    // Split the notional and the fee between the closing and the opening part.
    const int64_t close_notional = open_qty ? div_round_half_even(static_cast<__int128>(notional) * close_qty, qty) : notional;
    const int64_t close_fee = open_qty ? div_round_half_even(static_cast<__int128>(fee) * close_qty, qty) : fee;
    const int64_t cost_removed = close_qty == abs_pos ? p.cost : div_round_half_even(static_cast<__int128>(p.cost) * close_qty, abs_pos);
    const int64_t signed_close_notional = side == TH_SIDE_BUY ? close_notional : -close_notional;
    const int64_t pnl = -signed_close_notional - cost_removed;
    p.realized += pnl;
    realized_ += pnl;
    p.cost -= cost_removed;
    p.qty += side == TH_SIDE_BUY ? close_qty : -close_qty;
    p.trip_realized += pnl;
    p.trip_fees += close_fee;
    p.trip_exit_qty += close_qty;
    p.trip_exit_px_qty += static_cast<__int128>(price) * close_qty;
    if (p.qty == 0) {
      --open_positions_;
      ClosedTrip t;
      t.instrument = id;
      t.long_side = side == TH_SIDE_SELL;
      t.entry_time = p.trip_entry_time;
      t.exit_time = ts;
      t.qty = p.trip_entry_qty;
      t.entry_price = p.trip_entry_qty ? div_round_half_even(p.trip_entry_px_qty, p.trip_entry_qty) : 0;
      t.exit_price = p.trip_exit_qty ? div_round_half_even(p.trip_exit_px_qty, p.trip_exit_qty) : 0;
      t.entry_notional = p.trip_entry_notional;
      t.fees = p.trip_fees;
      t.pnl = p.trip_realized - p.trip_fees;
      closed = t;
      if (open_qty > 0) {
        const int64_t open_notional = notional - close_notional;
        open_part(side == TH_SIDE_BUY ? open_qty : -open_qty, fee - close_fee,
                  side == TH_SIDE_BUY ? open_notional : -open_notional);
      }
    }
  }
  // A fill is the newest price the portfolio knows (the engine marks bar closes after fills), so
  // the position is revalued at it.
  p.last_price = price;
  int64_t v = p.qty ? money(p, price, p.qty) : 0;
  positions_value_ += v - p.value;
  p.value = v;
  return closed;
}

}  // namespace tradehost::portfolio
