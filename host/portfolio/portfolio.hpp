// The portfolio: cash, positions, average entry, realized/unrealized PnL, fees and equity, in
// exact integers. Money (cash, PnL, fees, equity, notional) is at TH_MONEY_SCALE (1e-8) in the
// quote currency shared by every instrument of the run; prices and quantities at each
// instrument's own scale.
#pragma once

#include <tradehost/plugin.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace tradehost::portfolio {

/// A trade from entry to flat (or to a flip), for trades.csv and the trade statistics.
struct ClosedTrip {
  th_instrument_id instrument = 0;
  bool long_side = true;
  th_time_ns entry_time = 0, exit_time = 0;
  int64_t qty = 0;              // total entered, qty_scale
  int64_t entry_price = 0;      // volume-weighted, price_scale
  int64_t exit_price = 0;       // volume-weighted, price_scale
  int64_t entry_notional = 0;   // money
  int64_t pnl = 0;              // realized after the fees of both legs, money
  int64_t fees = 0;             // money
};

/// An instrument's position. qty signed (long > 0), cost = signed money paid for the open qty.
struct Position {
  int32_t price_scale = 0, qty_scale = 0;
  int64_t qty = 0;
  int64_t cost = 0;
  int64_t realized = 0;         // gross of fees, since the run started
  int64_t last_price = 0;       // last mark, price_scale; 0 = none yet
  int64_t value = 0;            // qty * last_price in money
  // The open round trip.
  th_time_ns trip_entry_time = 0;
  int64_t trip_entry_qty = 0;
  __int128 trip_entry_px_qty = 0, trip_exit_px_qty = 0;
  int64_t trip_exit_qty = 0;
  int64_t trip_entry_notional = 0;
  int64_t trip_realized = 0, trip_fees = 0;
};

class Portfolio {
 public:
  explicit Portfolio(int64_t initial_cash = 0) : cash_(initial_cash), initial_cash_(initial_cash) {}

  /// Registers an instrument's scales. Ids are dense from 1 (th_instrument_id).
  void add_instrument(th_instrument_id id, int32_t price_scale, int32_t qty_scale);

  /// Applies an execution: side TH_SIDE_*, price/qty raw, fee in money (always a cost). Returns
  /// the round trip it closed, if any (a flip closes one and opens the next).
  std::optional<ClosedTrip> apply_fill(th_instrument_id id, int32_t side, int64_t price,
                                       int64_t qty, int64_t fee, th_time_ns ts);

  /// Live mode: the venue's balance of the quote asset (free + locked, money) replaces the cash
  /// the portfolio computed; `as_initial` also makes it the starting cash returns are measured
  /// from (the first balance a live run sees).
  void set_cash(int64_t cash, bool as_initial) noexcept {
    cash_ = cash;
    if (as_initial) initial_cash_ = cash;
  }

  /// Live restart: the position an earlier run left (signed qty at qty_scale, average entry at
  /// price_scale, realized PnL in money), before any fill of this run. The cash is not touched:
  /// the venue's balance sets it. Throws std::invalid_argument for an unknown instrument or a
  /// position already open.
  void restore_position(th_instrument_id id, int64_t qty, int64_t avg_entry_price, int64_t realized, th_time_ns since);

  /// Marks the position to `price` (raw). O(1); called once per bar.
  void mark(th_instrument_id id, int64_t price) noexcept {
    Position& p = positions_[id];
    p.last_price = price;
    if (p.qty != 0) {
      int64_t v = money(p, price, p.qty);
      positions_value_ += v - p.value;
      p.value = v;
    }
  }

  int64_t cash() const noexcept { return cash_; }
  int64_t initial_cash() const noexcept { return initial_cash_; }
  int64_t equity() const noexcept { return cash_ + positions_value_; }
  int64_t fees() const noexcept { return fees_; }
  /// Realized PnL of all instruments after fees.
  int64_t realized_after_fees() const noexcept { return realized_ - fees_; }
  bool has(th_instrument_id id) const noexcept { return registered(id); }
  const Position& position(th_instrument_id id) const { return positions_.at(id); }
  int64_t unrealized(th_instrument_id id) const { const Position& p = positions_.at(id); return p.qty ? p.value - p.cost : 0; }
  /// Average entry price of the open position at price_scale (half-even), 0 when flat.
  int64_t avg_entry_price(th_instrument_id id) const;
  bool any_open() const noexcept { return open_positions_ > 0; }

  /// price * qty in money units, rounded half to even (exact 128-bit intermediate).
  static int64_t money(const Position& p, int64_t price, int64_t qty) noexcept;

 private:
  bool registered(th_instrument_id id) const noexcept { return id < registered_.size() && registered_[id]; }
  std::vector<Position> positions_;  // index = instrument id
  std::vector<bool> registered_;
  int64_t cash_;
  int64_t initial_cash_;
  int64_t positions_value_ = 0;
  int64_t realized_ = 0;
  int64_t fees_ = 0;
  int open_positions_ = 0;
};

/// round(n / d) half to even, d > 0.
int64_t div_round_half_even(__int128 n, __int128 d) noexcept;

}  // namespace tradehost::portfolio
