// `bollinger_reversion`: a long-only Bollinger Band mean-reversion strategy, built out of tree
// against the installed tradehost SDK (tradehost/plugin.hpp, fixed.hpp, ta.hpp).
//
// On each bar close of each subscribed instrument, with bands = SMA(period) +- k * sigma (the
// population standard deviation of the last `period` closes, tradehost::ta::Bollinger):
//  * flat and the close is below the lower band: buy `fraction` of equity at market (the price
//    stretched k sigma below its mean is expected to revert);
//  * long and the close is back at or above the middle band: sell the whole position (reverted);
//  * long and the close is `stop_loss_pct` percent or more below the entry price: sell the whole
//    position (the reversion failed; a falling market can stay below its lower band for long).
// Market orders fill on the next bar's open in backtest (docs/simulator.md), so a decision taken
// on a close never trades on that close. Every buy and sell is recorded with its inputs.
#include <tradehost/fixed.hpp>
#include <tradehost/plugin.hpp>
#include <tradehost/ta.hpp>

#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace {

using tradehost::Context;
using tradehost::Error;
using tradehost::Field;

class BollingerReversion : public tradehost::Strategy {
 public:
  static constexpr int kind = TH_KIND_STRATEGY;
  static constexpr const char* type_name = "bollinger_reversion";
  static constexpr const char* description =
      "Long-only Bollinger Band mean reversion: buys a close below the lower band, sells at the middle band or on a "
      "stop-loss";

  static std::vector<Field> config() {
    return {
        {"period", TH_CFG_I64, "20",
         "Bollinger window: number of bar closes in the SMA and the standard deviation, bars (>= 2)"},
        {"k", TH_CFG_F64, "2.0", "band half-width in population standard deviations (> 0)"},
        {"fraction", TH_CFG_F64, "0.5", "share of account equity spent on an entry, a fraction in (0, 1]"},
        {"stop_loss_pct", TH_CFG_F64, "3.0",
         "exit when the close is this many percent below the entry price; 0 = no stop"},
    };
  }

  explicit BollingerReversion(Context ctx)
      : Strategy(ctx),
        period_(ctx.i64("period")),
        k_(ctx.f64("k")),
        fraction_(ctx.f64("fraction")),
        stop_loss_pct_(ctx.f64("stop_loss_pct")) {
    // Bollinger(1, k) would have a zero-width band: every close equals its own mean.
    if (period_ < 2 || period_ > 100000) throw Error(TH_ERR_INVALID_ARG, "period must be within [2, 100000] bars");
    if (!(k_ > 0) || !std::isfinite(k_))
      throw Error(TH_ERR_INVALID_ARG, "k must be a positive number of standard deviations");
    if (!(fraction_ > 0 && fraction_ <= 1)) throw Error(TH_ERR_INVALID_ARG, "fraction must be within (0, 1]");
    if (!(stop_loss_pct_ >= 0 && stop_loss_pct_ < 100))
      throw Error(TH_ERR_INVALID_ARG, "stop_loss_pct must be within [0, 100)");
  }

  void on_event(const th_event& ev) override {
    if (ev.type == TH_EV_BAR)
      on_bar(reinterpret_cast<const th_ev_bar&>(ev));
    else if (ev.type == TH_EV_ORDER)
      on_order(reinterpret_cast<const th_ev_order&>(ev));
  }

 private:
  struct Book {
    explicit Book(int period, double k) : bands(period, k) {}
    tradehost::ta::Bollinger bands;
    uint64_t open_order = 0;  // entry or exit order not yet final: no new order until it is
  };

  Book& book(th_instrument_id id) {
    auto it = books_.find(id);
    if (it == books_.end()) it = books_.emplace(id, Book(static_cast<int>(period_), k_)).first;
    return it->second;
  }

  void on_bar(const th_ev_bar& bar) {
    const th_instrument* inst = ctx_.instrument(bar.h.instrument);
    if (!inst) throw Error(TH_ERR_NOT_FOUND, "bar of an unknown instrument");
    Book& b = book(bar.h.instrument);
    const double unit = std::pow(10.0, -inst->price_scale);  // indicators run on doubles, orders on integers
    const double close = static_cast<double>(bar.close) * unit;
    if (!b.bands.update(close) || b.open_order) return;

    const th_position_info pos = position(bar.h.instrument);
    char inputs[256];
    std::snprintf(inputs, sizeof inputs, R"({"close":%.*f,"lower":%.6f,"middle":%.6f,"upper":%.6f})", inst->price_scale,
                  close, b.bands.lower(), b.bands.middle(), b.bands.upper());
    if (pos.qty <= 0) {
      if (close >= b.bands.lower()) return;
      const int64_t qty = entry_qty(*inst, bar.close);
      if (qty == 0) {
        record_decision(bar.h.instrument, TH_DECISION_HOLD,
                        "close below the lower band, but equity buys less than one lot", inputs);
        return;
      }
      record_decision(bar.h.instrument, TH_DECISION_BUY, "close below the lower band", inputs);
      b.open_order = send(bar.h.instrument, TH_SIDE_BUY, qty, "entry");
      return;
    }
    const double entry = static_cast<double>(pos.avg_entry_price) * unit;
    if (close >= b.bands.middle()) {
      record_decision(bar.h.instrument, TH_DECISION_SELL, "close reverted to the middle band", inputs);
      b.open_order = send(bar.h.instrument, TH_SIDE_SELL, pos.qty, "exit");
    } else if (stop_loss_pct_ > 0 && close <= entry * (1.0 - stop_loss_pct_ / 100.0)) {
      record_decision(bar.h.instrument, TH_DECISION_SELL, "stop-loss: close too far below the entry price", inputs);
      b.open_order = send(bar.h.instrument, TH_SIDE_SELL, pos.qty, "stop_loss");
    }
  }

  void on_order(const th_ev_order& o) {
    const bool done = o.state == TH_ORDER_FILLED || o.state == TH_ORDER_CANCELED || o.state == TH_ORDER_REJECTED ||
                      o.state == TH_ORDER_EXPIRED;
    if (!done) return;
    Book& b = book(o.h.instrument);
    if (o.order_id == b.open_order) b.open_order = 0;
    if (o.state != TH_ORDER_FILLED)
      ctx_.warn("order " + std::string(tradehost::to_sv(o.client_order_id)) +
                " ended without a fill: " + std::string(tradehost::to_sv(o.reason)));
  }

  /// The largest multiple of the lot size that `fraction` of equity buys at `price` (raw, at the
  /// instrument's price_scale), in raw quantity units; 0 when that is below min_qty or
  /// min_notional. Exact integer arithmetic: qty = budget * 10^(price_scale + qty_scale - 8) /
  /// price, floored.
  int64_t entry_qty(const th_instrument& inst, int64_t price) const {
    using tradehost::Rounding;
    const int64_t budget = static_cast<int64_t>(std::floor(static_cast<double>(account().equity) * fraction_));
    const int shift = inst.price_scale + inst.qty_scale - TH_MONEY_SCALE;
    int64_t qty = 0, denominator = price;
    if (shift < 0 && !tradehost::checked_mul(price, tradehost::pow10_i64(-shift), denominator)) return 0;
    if (!tradehost::mul_div(budget, shift > 0 ? tradehost::pow10_i64(shift) : 1, denominator, Rounding::Down, qty))
      return 0;
    if (!tradehost::round_to_step(qty, inst.lot_size, Rounding::Floor, qty) || qty <= 0) return 0;
    if (inst.min_qty && qty < inst.min_qty) return 0;
    int64_t value = 0;
    if (inst.min_notional &&
        (!tradehost::notional(price, inst.price_scale, qty, inst.qty_scale, TH_MONEY_SCALE, Rounding::Down, value) ||
         value < inst.min_notional))
      return 0;
    return qty;
  }

  /// A market order through the host's risk chain; the host order id, or 0 when refused (the
  /// refusal is logged: it is an outcome, not a failure of the strategy).
  uint64_t send(th_instrument_id id, int32_t side, int64_t qty, const char* tag) {
    th_order_request r{};
    r.struct_size = sizeof r;
    r.instrument = id;
    r.side = side;
    r.type = TH_ORD_MARKET;
    r.tif = TH_TIF_GTC;
    r.qty = qty;
    r.tag = tradehost::to_th(tag);
    std::string why;
    const uint64_t order_id = submit(r, &why);
    if (!order_id) ctx_.warn(std::string(tag) + " order refused: " + why);
    return order_id;
  }

  int64_t period_;
  double k_, fraction_, stop_loss_pct_;
  std::map<th_instrument_id, Book> books_;
};

}  // namespace

TH_DECLARE_PLUGIN("bollinger_reversion", "1.0.0", "example", BollingerReversion)
