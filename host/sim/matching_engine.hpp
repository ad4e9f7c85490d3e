// The simulated matching engine used in backtest and paper modes. It fills orders against bars:
//
//  * An order may only trade against a bar that opened at or after the moment it was accepted
//    (Order::eligible_from_ns), so a decision taken on a bar's close never fills on that bar.
//  * MARKET: fills the whole quantity at the next eligible bar's open, moved against the trader
//    by slippage_bps and rounded to the tick (up for buys, down for sells). Taker fee.
//  * LIMIT: on its first eligible bar, a limit that the open already crosses (buy: open <= price,
//    sell: open >= price) fills at the open as a taker. Otherwise it rests and fills at its own
//    price as a maker on the first bar that trades THROUGH it (buy: low < price, sell: high >
//    price); a bar that only touches the price does not fill it. IOC/FOK expire after the first
//    eligible bar; GTX (post-only) expires when it would take on that bar.
//  * STOP_MARKET: triggers on an eligible bar whose range reaches the trigger (buy: high >=
//    trigger, sell: low <= trigger) and fills at the worse of open and trigger, with slippage,
//    as a taker.
//  * Fees: notional * fee_bps / 10000 in the quote currency, rounded UP to 1e-8.
//  * Spot balances: a buy is accepted only if the available quote cash (cash minus what open
//    buys reserve) covers its estimated cost with the taker fee; a sell only if the free base
//    position covers it. A buy that gapped beyond the cash at fill time expires with a reason.
// Bars carry no depth, so fills are whole (no partial fills from bars).
#pragma once

#include "oms/order.hpp"
#include "portfolio/portfolio.hpp"

#include <tradehost/plugin.h>

#include <string>
#include <vector>

namespace tradehost::sim {

struct SimConfig {
  double maker_fee_bps = 10;   // 0.10 %, Binance spot's base rate
  double taker_fee_bps = 10;
  double slippage_bps = 0;
};

/// One simulated execution.
struct SimFill {
  oms::Order* order;
  int64_t price;       // price_scale
  int64_t qty;         // qty_scale
  int64_t fee;         // TH_MONEY_SCALE, quote currency
  int32_t liquidity;   // TH_LIQ_*
};

/// What happened to a resting order on a bar when it did not fill.
struct SimExpiry {
  oms::Order* order;
  std::string reason;
};

class MatchingEngine {
 public:
  MatchingEngine(SimConfig cfg, portfolio::Portfolio& portfolio);

  void add_instrument(const th_instrument& inst);

  /// Checks balances for a new order and reserves cash for buys. `ref_price` is the last known
  /// price (price_scale). Returns "" when accepted (the order then rests until a bar fills it),
  /// otherwise the rejection reason.
  std::string accept(oms::Order& o, int64_t ref_price);

  /// Matches the resting orders of bar.h.instrument against the bar. on_fill(const SimFill&)
  /// and on_expire(const SimExpiry&) are called for each order concerned, in order of
  /// acceptance; the engine has already removed the order from its book.
  template <class OnFill, class OnExpire>
  void on_bar(const th_ev_bar& bar, OnFill&& on_fill, OnExpire&& on_expire);

  /// Removes an open order (cancel); releases its reservation. False when it is not resting.
  bool remove(oms::Order& o);

  bool has_resting(th_instrument_id id) const noexcept {
    return id < books_.size() && !books_[id].resting.empty();
  }
  /// Quote cash reserved by open buys (money).
  int64_t reserved_cash() const noexcept { return reserved_cash_; }

  /// Fee for a notional (money) at fee_bps, rounded up.
  static int64_t fee_for(int64_t notional, double fee_bps) noexcept;
  /// price moved by slippage against the side, rounded to the tick against the trader.
  int64_t slipped(const th_instrument& inst, int32_t side, int64_t price) const noexcept;

 private:
  struct Book {
    th_instrument inst{};
    bool known = false;
    std::vector<oms::Order*> resting;  // acceptance order
    int64_t reserved_sell_qty = 0;     // spot: base quantity locked by open sells
  };
  enum class Outcome { Rest, Fill, Expire };
  Outcome match(const Book& b, oms::Order& o, const th_ev_bar& bar, SimFill& fill, std::string& why) const;
  void release(Book& b, oms::Order& o) noexcept;

  SimConfig cfg_;
  int64_t maker_e2_, taker_e2_, slip_e2_;  // hundredths of a basis point
  portfolio::Portfolio& portfolio_;
  std::vector<Book> books_;  // index = instrument id
  int64_t reserved_cash_ = 0;
};

template <class OnFill, class OnExpire>
void MatchingEngine::on_bar(const th_ev_bar& bar, OnFill&& on_fill, OnExpire&& on_expire) {
  th_instrument_id id = bar.h.instrument;
  if (id >= books_.size()) return;
  Book& b = books_[id];
  if (b.resting.empty()) return;
  // Take the book out: callbacks may accept new orders (they rest for the NEXT bar).
  std::vector<oms::Order*> current;
  current.swap(b.resting);
  std::vector<oms::Order*> keep;
  for (size_t i = 0; i < current.size(); ++i) {
    oms::Order* o = current[i];
    if (o->eligible_from_ns > bar.open_time) {
      keep.push_back(o);
      continue;
    }
    SimFill fill{};
    std::string why;
    switch (match(b, *o, bar, fill, why)) {
      case Outcome::Rest:
        keep.push_back(o);
        break;
      case Outcome::Fill:
        release(b, *o);
        on_fill(static_cast<const SimFill&>(fill));
        break;
      case Outcome::Expire:
        release(b, *o);
        on_expire(SimExpiry{o, std::move(why)});
        break;
    }
  }
  // Orders accepted during the callbacks were appended to b.resting; keep acceptance order.
  keep.insert(keep.end(), b.resting.begin(), b.resting.end());
  b.resting.swap(keep);
}

}  // namespace tradehost::sim
