#include "sim/matching_engine.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace tradehost::sim {
namespace {
int64_t to_e2(double bps, const char* what) {
  if (!(bps >= 0) || bps > 10000) throw std::invalid_argument(fmt::format("{} must be within 0..10000 bps", what));
  return std::llround(bps * 100.0);
}
// ceil(n / d) for n >= 0, d > 0
__int128 ceil_div(__int128 n, __int128 d) { return (n + d - 1) / d; }

std::string money_text(int64_t raw) {
  bool neg = raw < 0;
  unsigned long long u = neg ? 0ull - static_cast<unsigned long long>(raw) : static_cast<unsigned long long>(raw);
  return fmt::format("{}{}.{:08}", neg ? "-" : "", u / 100000000ull, u % 100000000ull);
}
}  // namespace

MatchingEngine::MatchingEngine(SimConfig cfg, portfolio::Portfolio& portfolio)
    : cfg_(cfg),
      maker_e2_(to_e2(cfg.maker_fee_bps, "maker_fee_bps")),
      taker_e2_(to_e2(cfg.taker_fee_bps, "taker_fee_bps")),
      slip_e2_(to_e2(cfg.slippage_bps, "slippage_bps")),
      portfolio_(portfolio) {}

void MatchingEngine::add_instrument(const th_instrument& inst) {
  if (books_.size() <= inst.id) books_.resize(inst.id + 1);
  books_[inst.id].inst = inst;
  books_[inst.id].known = true;
}

int64_t MatchingEngine::fee_for(int64_t notional, double fee_bps) noexcept {
  int64_t e2 = std::llround(fee_bps * 100.0);
  return static_cast<int64_t>(ceil_div(static_cast<__int128>(notional) * e2, 1'000'000));
}

int64_t MatchingEngine::slipped(const th_instrument& inst, int32_t side, int64_t price) const noexcept {
  if (slip_e2_ == 0) return price;
  __int128 tick = inst.tick_size > 0 ? inst.tick_size : 1;
  if (side == TH_SIDE_BUY) {
    __int128 p = ceil_div(static_cast<__int128>(price) * (1'000'000 + slip_e2_), 1'000'000);
    return static_cast<int64_t>(ceil_div(p, tick) * tick);
  }
  __int128 p = static_cast<__int128>(price) * (1'000'000 - slip_e2_) / 1'000'000;
  return static_cast<int64_t>(p / tick * tick);
}

std::string MatchingEngine::accept(oms::Order& o, int64_t ref_price) {
  const th_instrument_id id = o.req.instrument;
  if (id >= books_.size() || !books_[id].known) return "the simulator does not know this instrument";
  Book& b = books_[id];
  const th_order_request& r = o.req;
  switch (r.type) {
    case TH_ORD_MARKET:
    case TH_ORD_LIMIT:
    case TH_ORD_STOP_MARKET:
      break;
    default:
      return fmt::format("order type {} is not supported by the simulated matching engine (MARKET, LIMIT, STOP_MARKET are)",
                         oms::order_type_name(r.type));
  }
  const portfolio::Position& pos = portfolio_.position(id);
  if (r.side == TH_SIDE_BUY) {
    int64_t est_price = r.type == TH_ORD_LIMIT ? r.price
                        : r.type == TH_ORD_STOP_MARKET ? slipped(b.inst, TH_SIDE_BUY, std::max(r.trigger_price, ref_price))
                                                       : slipped(b.inst, TH_SIDE_BUY, ref_price);
    if (est_price <= 0) return "no market price known yet to value a market buy";
    int64_t notional = portfolio::Portfolio::money(pos, est_price, r.qty);
    int64_t need = notional + fee_for(notional, cfg_.taker_fee_bps);
    // A buy that only reduces a short needs no cash reservation beyond its cost either; keep it
    // simple and conservative: every buy reserves its full estimated cost.
    int64_t available = portfolio_.cash() - reserved_cash_;
    if (need > available)
      return fmt::format("insufficient {} balance: order needs {} (estimated at {} incl. taker fee), available {}",
                         std::string(b.inst.quote.ptr, b.inst.quote.len), money_text(need),
                         money_text(notional), money_text(available));
    o.reserved_cash = need;
    reserved_cash_ += need;
  } else if (b.inst.kind == TH_INST_SPOT) {
    int64_t free_qty = pos.qty - b.reserved_sell_qty;
    if (r.qty > free_qty)
      return fmt::format("insufficient {} balance: sell of {} raw units exceeds the free position of {} (spot cannot go short)",
                         std::string(b.inst.base.ptr, b.inst.base.len), r.qty, free_qty < 0 ? 0 : free_qty);
    b.reserved_sell_qty += r.qty;
  }
  b.resting.push_back(&o);
  return {};
}

void MatchingEngine::release(Book& b, oms::Order& o) noexcept {
  reserved_cash_ -= o.reserved_cash;
  o.reserved_cash = 0;
  if (o.req.side == TH_SIDE_SELL && b.inst.kind == TH_INST_SPOT) b.reserved_sell_qty -= o.remaining_qty();
}

bool MatchingEngine::remove(oms::Order& o) {
  const th_instrument_id id = o.req.instrument;
  if (id >= books_.size()) return false;
  Book& b = books_[id];
  for (auto it = b.resting.begin(); it != b.resting.end(); ++it) {
    if (*it == &o) {
      b.resting.erase(it);
      release(b, o);
      return true;
    }
  }
  return false;
}

MatchingEngine::Outcome MatchingEngine::match(const Book& b, oms::Order& o, const th_ev_bar& bar,
                                              SimFill& fill, std::string& why) const {
  const th_order_request& r = o.req;
  const bool buy = r.side == TH_SIDE_BUY;
  const bool first_bar = !o.sim_seen_bar;
  o.sim_seen_bar = true;
  fill.order = &o;
  fill.qty = o.remaining_qty();
  switch (r.type) {
    case TH_ORD_MARKET:
      fill.price = slipped(b.inst, r.side, bar.open);
      fill.liquidity = TH_LIQ_TAKER;
      break;
    case TH_ORD_LIMIT: {
      const bool crosses_open = buy ? bar.open <= r.price : bar.open >= r.price;
      const bool through = buy ? bar.low < r.price : bar.high > r.price;
      if (first_bar && crosses_open) {
        if (r.tif == TH_TIF_GTX || (r.flags & TH_OF_POST_ONLY)) {
          why = "post-only order would have taken liquidity at the open";
          return Outcome::Expire;
        }
        fill.price = bar.open;
        fill.liquidity = TH_LIQ_TAKER;
      } else if (through) {
        fill.price = r.price;
        fill.liquidity = TH_LIQ_MAKER;
      } else {
        if (r.tif == TH_TIF_IOC || r.tif == TH_TIF_FOK) {
          why = fmt::format("{} order not filled on its first bar", oms::tif_name(r.tif));
          return Outcome::Expire;
        }
        return Outcome::Rest;
      }
      break;
    }
    case TH_ORD_STOP_MARKET: {
      const bool triggered = buy ? bar.high >= r.trigger_price : bar.low <= r.trigger_price;
      if (!triggered) return Outcome::Rest;
      int64_t base = buy ? std::max(bar.open, r.trigger_price) : std::min(bar.open, r.trigger_price);
      fill.price = slipped(b.inst, r.side, base);
      fill.liquidity = TH_LIQ_TAKER;
      break;
    }
    default:
      why = "unsupported order type";
      return Outcome::Expire;
  }
  const portfolio::Position& pos = portfolio_.position(r.instrument);
  int64_t notional = portfolio::Portfolio::money(pos, fill.price, fill.qty);
  fill.fee = fee_for(notional, fill.liquidity == TH_LIQ_MAKER ? cfg_.maker_fee_bps : cfg_.taker_fee_bps);
  if (buy && b.inst.kind == TH_INST_SPOT) {
    int64_t available = portfolio_.cash() - (reserved_cash_ - o.reserved_cash);
    if (notional + fill.fee > available) {
      why = fmt::format("insufficient balance at fill: needs {}, available {}", money_text(notional + fill.fee),
                        money_text(available));
      return Outcome::Expire;
    }
  }
  return Outcome::Fill;
}

}  // namespace tradehost::sim
