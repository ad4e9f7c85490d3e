// The `ema_crossover` strategy (the default bot). On each bar close of each instrument:
//  * EMA(fast) crossing above EMA(slow) while flat: buy `fraction` of equity at market, unless
//    RSI(rsi_period) >= rsi_max, which filters the cross (recorded as a hold with its reason);
//  * EMA(fast) crossing below EMA(slow) while long: sell the whole position at market;
//  * with stop_loss_pct > 0, each entry fill places a STOP_MARKET sell that far below the entry
//    price; a cross-down cancels it before selling.
// Every decision is recorded with its inputs (close, ema_fast, ema_slow, rsi). EMAs are seeded
// with the SMA of their first N closes and RSI uses Wilder smoothing (tradehost/ta.hpp).
#include <tradehost/fixed.hpp>
#include <tradehost/plugin.hpp>
#include <tradehost/ta.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <map>
#include <string>

namespace {

using tradehost::Context;
using tradehost::Error;
using tradehost::Field;

class EmaCrossover : public tradehost::Strategy {
 public:
  static constexpr int kind = TH_KIND_STRATEGY;
  static constexpr const char* type_name = "ema_crossover";
  static constexpr const char* description =
      "EMA(fast)/EMA(slow) crossover on bar closes with an RSI filter on entries and an optional stop-loss";

  static std::vector<Field> config() {
    return {
        Field{"fast", TH_CFG_I64, "12", "fast EMA period"}.with_unit("bars"),
        Field{"slow", TH_CFG_I64, "26", "slow EMA period (> fast)"}.with_unit("bars"),
        Field{"rsi_period", TH_CFG_I64, "14", "RSI period (Wilder)"}.with_unit("bars"),
        {"rsi_max", TH_CFG_F64, "70", "entries need RSI below this (0..100)"},
        Field{"fraction", TH_CFG_F64, "0.95", "share of equity to buy with on an entry (0..1]"}.with_unit("fraction of equity"),
        Field{"stop_loss_pct", TH_CFG_F64, "0", "stop-loss distance below the entry price; 0 = none"}.with_unit("percent"),
    };
  }

  explicit EmaCrossover(Context ctx)
      : Strategy(ctx),
        fast_(static_cast<int>(ctx.i64("fast"))),
        slow_(static_cast<int>(ctx.i64("slow"))),
        rsi_period_(static_cast<int>(ctx.i64("rsi_period"))),
        rsi_max_(ctx.f64("rsi_max")),
        fraction_(ctx.f64("fraction")),
        stop_loss_pct_(ctx.f64("stop_loss_pct")) {
    if (fast_ < 1 || slow_ <= fast_) throw Error(TH_ERR_INVALID_ARG, "need 1 <= fast < slow");
    if (rsi_period_ < 1) throw Error(TH_ERR_INVALID_ARG, "rsi_period must be >= 1");
    if (!(rsi_max_ > 0 && rsi_max_ <= 100)) throw Error(TH_ERR_INVALID_ARG, "rsi_max must be within (0, 100]");
    if (!(fraction_ > 0 && fraction_ <= 1)) throw Error(TH_ERR_INVALID_ARG, "fraction must be within (0, 1]");
    if (!(stop_loss_pct_ >= 0 && stop_loss_pct_ < 100)) throw Error(TH_ERR_INVALID_ARG, "stop_loss_pct must be within [0, 100)");
  }

  void on_event(const th_event& ev) override {
    switch (ev.type) {
      case TH_EV_BAR: on_bar(reinterpret_cast<const th_ev_bar&>(ev)); break;
      case TH_EV_FILL: on_fill(reinterpret_cast<const th_ev_fill&>(ev)); break;
      case TH_EV_ORDER: on_order(reinterpret_cast<const th_ev_order&>(ev)); break;
      default: break;
    }
  }

  std::string snapshot() const override {
    std::string out;
    uint32_t n = static_cast<uint32_t>(books_.size());
    out.append(reinterpret_cast<const char*>(&n), sizeof n);
    for (const auto& [id, b] : books_) {
      out.append(reinterpret_cast<const char*>(&id), sizeof id);
      b.fast.save(out);
      b.slow.save(out);
      b.rsi.save(out);
      out.append(reinterpret_cast<const char*>(&b.prev_diff), sizeof b.prev_diff);
      out.append(reinterpret_cast<const char*>(&b.has_prev), sizeof b.has_prev);
      out.append(reinterpret_cast<const char*>(&b.stop_order), sizeof b.stop_order);
      out.append(reinterpret_cast<const char*>(&b.entry_order), sizeof b.entry_order);
      out.append(reinterpret_cast<const char*>(&b.exit_order), sizeof b.exit_order);
    }
    return out;
  }

  void restore(std::string_view in) override {
    auto take = [&](void* p, size_t n) {
      if (in.size() < n) throw Error(TH_ERR_INVALID_ARG, "snapshot truncated");
      std::memcpy(p, in.data(), n);
      in.remove_prefix(n);
    };
    uint32_t n = 0;
    take(&n, sizeof n);
    std::map<th_instrument_id, Book> books;
    for (uint32_t i = 0; i < n; ++i) {
      th_instrument_id id = 0;
      take(&id, sizeof id);
      Book b(fast_, slow_, rsi_period_);
      if (!b.fast.load(in) || !b.slow.load(in) || !b.rsi.load(in))
        throw Error(TH_ERR_INVALID_ARG, "snapshot does not match this strategy's periods");
      take(&b.prev_diff, sizeof b.prev_diff);
      take(&b.has_prev, sizeof b.has_prev);
      take(&b.stop_order, sizeof b.stop_order);
      take(&b.entry_order, sizeof b.entry_order);
      take(&b.exit_order, sizeof b.exit_order);
      books.emplace(id, std::move(b));
    }
    books_ = std::move(books);
  }

 private:
  struct Book {
    Book(int f, int s, int r) : fast(f), slow(s), rsi(r) {}
    double price_unit = 0;      // 10^-price_scale of the instrument
    tradehost::ta::Ema fast, slow;
    tradehost::ta::Rsi rsi;
    double prev_diff = 0;
    bool has_prev = false;
    uint64_t stop_order = 0;    // open stop-loss order id
    uint64_t entry_order = 0;   // open entry order id
    uint64_t exit_order = 0;    // open exit order id
  };

  Book& book(th_instrument_id id) {
    auto it = books_.find(id);
    if (it == books_.end()) it = books_.emplace(id, Book(fast_, slow_, rsi_period_)).first;
    return it->second;
  }

  void on_bar(const th_ev_bar& bar) {
    const th_instrument* inst = ctx_.instrument(bar.h.instrument);
    if (!inst) return;
    Book& b = book(bar.h.instrument);
    if (b.price_unit == 0) b.price_unit = std::pow(10.0, -inst->price_scale);
    const double close = static_cast<double>(bar.close) * b.price_unit;
    b.fast.update(close);
    b.slow.update(close);
    b.rsi.update(close);
    if (!b.fast.ready() || !b.slow.ready()) return;
    const double diff = b.fast.value() - b.slow.value();
    const bool had_prev = b.has_prev;
    const double prev = b.prev_diff;
    b.prev_diff = diff;
    b.has_prev = true;
    if (!had_prev) return;
    const bool cross_up = prev <= 0 && diff > 0;
    const bool cross_down = prev >= 0 && diff < 0;
    if (!cross_up && !cross_down) return;

    // {"close":..,"ema_fast":..,"ema_slow":..,"rsi":..}; std::to_chars, not printf: this runs on
    // every cross and glibc's %f costs microseconds.
    char inputs[256];
    {
      char* p = inputs;
      char* const end = inputs + sizeof inputs;
      auto put = [&](std::string_view t) { p = std::copy(t.begin(), t.end(), p); };
      auto num = [&](double v, int decimals) { p = std::to_chars(p, end, v, std::chars_format::fixed, decimals).ptr; };
      put(R"({"close":)");
      num(close, inst->price_scale);
      put(R"(,"ema_fast":)");
      num(b.fast.value(), 6);
      put(R"(,"ema_slow":)");
      num(b.slow.value(), 6);
      put(R"(,"rsi":)");
      if (b.rsi.ready()) num(b.rsi.value(), 4);
      else put("null");
      put("}");
      *p = '\0';
    }
    const th_position_info pos = position(bar.h.instrument);
    if (cross_up) {
      if (pos.qty > 0 || b.entry_order) return hold(bar, "ema cross up while already long", inputs);
      if (!b.rsi.ready()) return hold(bar, "ema cross up filtered: RSI not ready", inputs);
      if (b.rsi.value() >= rsi_max_) {
        char why[96];
        std::snprintf(why, sizeof why, "ema cross up filtered: RSI %.2f >= %.2f", b.rsi.value(), rsi_max_);
        return hold(bar, why, inputs);
      }
      const th_account_info acct = account();
      // qty = fraction * equity / close, floored to the lot size (integer arithmetic).
      int64_t budget = static_cast<int64_t>(std::floor(static_cast<double>(acct.equity) * fraction_));
      int64_t qty = 0;
      const int shift = inst->price_scale + inst->qty_scale - TH_MONEY_SCALE;
      if (!tradehost::mul_div(budget, shift >= 0 ? tradehost::pow10_i64(shift) : 1,
                              shift >= 0 ? bar.close : bar.close * tradehost::pow10_i64(-shift), tradehost::Rounding::Down, qty))
        return hold(bar, "ema cross up: position size overflows", inputs);
      qty = qty / inst->lot_size * inst->lot_size;
      if (qty <= 0 || (inst->min_qty && qty < inst->min_qty)) return hold(bar, "ema cross up: equity too small for one lot", inputs);
      record_decision(bar.h.instrument, TH_DECISION_BUY, "ema cross up, RSI below limit", inputs);
      std::string why;
      b.entry_order = submit(market(bar.h.instrument, TH_SIDE_BUY, qty, "entry"), &why);
    } else {
      if (pos.qty <= 0) return hold(bar, "ema cross down while flat", inputs);
      if (b.exit_order) return;
      if (b.stop_order) {
        ctx_.host()->cancel_order(ctx_.self(), b.stop_order);
        b.stop_order = 0;
      }
      record_decision(bar.h.instrument, TH_DECISION_SELL, "ema cross down", inputs);
      b.exit_order = submit(market(bar.h.instrument, TH_SIDE_SELL, pos.qty, "exit"));
    }
  }

  void on_fill(const th_ev_fill& f) {
    Book& b = book(f.h.instrument);
    if (f.order_id != b.entry_order || stop_loss_pct_ <= 0) return;
    const th_instrument* inst = ctx_.instrument(f.h.instrument);
    const th_position_info pos = position(f.h.instrument);
    if (!inst || pos.qty <= 0) return;
    // Stop price = entry * (1 - pct/100), floored to the tick.
    int64_t stop = static_cast<int64_t>(std::floor(static_cast<double>(pos.avg_entry_price) * (1.0 - stop_loss_pct_ / 100.0)));
    stop = stop / inst->tick_size * inst->tick_size;
    if (stop <= 0) return;
    th_order_request r = market(f.h.instrument, TH_SIDE_SELL, pos.qty, "stop_loss");
    r.type = TH_ORD_STOP_MARKET;
    r.trigger_price = stop;
    char inputs[160];
    std::snprintf(inputs, sizeof inputs, R"({"entry":"%s","stop":"%s","stop_loss_pct":%s})",
                  tradehost::format_fixed_trimmed(pos.avg_entry_price, inst->price_scale).c_str(),
                  tradehost::format_fixed_trimmed(stop, inst->price_scale).c_str(), fmt_num(stop_loss_pct_).c_str());
    record_decision(f.h.instrument, TH_DECISION_SELL, "stop-loss placed after entry", inputs);
    b.stop_order = submit(r);
  }

  void on_order(const th_ev_order& o) {
    const bool done = o.state == TH_ORDER_FILLED || o.state == TH_ORDER_CANCELED || o.state == TH_ORDER_REJECTED ||
                      o.state == TH_ORDER_EXPIRED;
    if (!done) return;
    Book& b = book(o.h.instrument);
    if (o.order_id == b.entry_order) b.entry_order = 0;
    if (o.order_id == b.exit_order) b.exit_order = 0;
    if (o.order_id == b.stop_order) b.stop_order = 0;
    if (o.state == TH_ORDER_REJECTED || o.state == TH_ORDER_EXPIRED)
      ctx_.warn("order " + std::string(tradehost::to_sv(o.client_order_id)) + " ended without a fill: " +
                std::string(tradehost::to_sv(o.reason)));
  }

  void hold(const th_ev_bar& bar, const char* why, const char* inputs) {
    record_decision(bar.h.instrument, TH_DECISION_HOLD, why, inputs);
  }

  static th_order_request market(th_instrument_id id, int32_t side, int64_t qty, const char* tag) {
    th_order_request r{};
    r.struct_size = sizeof r;
    r.instrument = id;
    r.side = side;
    r.type = TH_ORD_MARKET;
    r.tif = TH_TIF_GTC;
    r.qty = qty;
    r.tag = tradehost::to_th(tag);
    return r;
  }

  static std::string fmt_num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4f", v);
    return buf;
  }

  int fast_, slow_, rsi_period_;
  double rsi_max_, fraction_, stop_loss_pct_;
  std::map<th_instrument_id, Book> books_;
};

}  // namespace

TH_DECLARE_PLUGIN("ema_crossover", "1.0.0", "tradehost-ema-crossover-1", EmaCrossover)
