// Fuzz target: Binance account messages (binance_common account_messages): the user data
// stream's executionReport, outboundAccountPosition, ORDER_TRADE_UPDATE and ACCOUNT_UPDATE
// (parse_user_event), the REST order answers (parse_order_report, parse_open_orders), balances
// (parse_account_balances, parse_futures_account), positionRisk, myTrades / userTrades and the
// listenKey. Every parser reads every input: the seeds are the documents' own examples.
// Invariants: a parser that accepts leaves every exact decimal it read equal to its JSON text
// (fuzz_check.hpp's reference) and never negative where the field is non_negative; a rounded
// field (USD-M averages, entry prices, PnL) is within half a unit of its text; the average price
// of an executionReport is cumulative quote / cumulative qty rounded half up; an unknown symbol
// is refused or skipped and counted, never parsed at made-up scales.
#include "fuzz_check.hpp"
#include "fuzz_json.hpp"
#include "fuzz_symbols.hpp"

#include <binance_common/account_messages.hpp>
#include <tradehost/fixed.hpp>
#include <tradehost/plugin.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using namespace tradehost;
using namespace tradehost::binance;

namespace {

using fuzz::check_exact;
using fuzz::check_non_negative;

// `raw` at `scale` is the text of `key` rounded half up: |text - raw| <= half a unit.
void check_rounded(const rapidjson::Value& obj, const char* key, int64_t raw, int scale) {
  const std::string_view t = fuzz::text_of(obj, key);
  int64_t lo = 0, hi = 0;
  FUZZ_CHECK(parse_fixed(t, scale, lo, nullptr, Rounding::Floor) && parse_fixed(t, scale, hi, nullptr, Rounding::Ceil),
             "'%s' rounded, yet it does not parse", key);
  FUZZ_CHECK(raw == lo || raw == hi, "'%s' = \"%.*s\" rounded to %lld at scale %d", key, static_cast<int>(t.size()),
             t.data(), static_cast<long long>(raw), scale);
}

void check_order(const rapidjson::Value& o, const OrderReport& r) {
  const Scales* sc = fuzz::fuzz_scales(r.symbol);
  FUZZ_CHECK(sc != nullptr, "an order of unknown symbol '%s' was parsed", r.symbol.c_str());
  fuzz::check_int(o, "orderId", r.order_id);
  if (!r.has_state) return;
  check_non_negative(o, "price", r.price, sc->price_scale);
  check_non_negative(o, "origQty", r.orig_qty, sc->qty_scale);
  check_non_negative(o, "executedQty", r.executed_qty, sc->qty_scale);
  check_exact(o, o.HasMember("cumQuote") ? "cumQuote" : "cummulativeQuoteQty", r.cumulative_quote_qty, TH_MONEY_SCALE);
  if (o.HasMember("stopPrice")) check_non_negative(o, "stopPrice", r.stop_price, sc->price_scale);
  if (o.HasMember("fills")) {
    const rapidjson::Value& fills = o["fills"];
    FUZZ_CHECK(fills.Size() == r.fills.size(), "fills count");
    for (size_t i = 0; i < r.fills.size(); ++i) {
      check_non_negative(fills[i], "price", r.fills[i].price, sc->price_scale);
      check_non_negative(fills[i], "qty", r.fills[i].qty, sc->qty_scale);
      check_non_negative(fills[i], "commission", r.fills[i].commission, TH_MONEY_SCALE);
    }
  }
}

void check_position(const rapidjson::Value& o, const FuturesPosition& p, const char* amount, const char* entry,
                    const char* pnl) {
  const Scales* sc = fuzz::fuzz_scales(p.symbol);
  FUZZ_CHECK(sc != nullptr, "a position of unknown symbol '%s' was parsed", p.symbol.c_str());
  check_exact(o, amount, p.amount, sc->qty_scale);
  check_rounded(o, entry, p.entry_price, sc->price_scale);
  check_rounded(o, pnl, p.unrealized_pnl, TH_MONEY_SCALE);
}

void check_user_event(const rapidjson::Value& root, const UserEvent& ev) {
  const rapidjson::Value& v = root.HasMember("data") ? root["data"] : root;
  FUZZ_CHECK(fuzz::text_of(v, "e") == ev.event_type, "event type");
  if (ev.kind == UserEventKind::ExecutionReport) {
    const ExecutionReport& x = ev.execution;
    const bool usdm = ev.event_type == "ORDER_TRADE_UPDATE";
    const rapidjson::Value& o = usdm ? v["o"] : v;
    const Scales* sc = fuzz::fuzz_scales(x.symbol);
    FUZZ_CHECK(sc != nullptr, "an execution of unknown symbol '%s' was parsed", x.symbol.c_str());
    check_non_negative(o, "q", x.qty, sc->qty_scale);
    check_non_negative(o, "p", x.price, sc->price_scale);
    check_non_negative(o, "l", x.last_qty, sc->qty_scale);
    check_non_negative(o, "z", x.cumulative_qty, sc->qty_scale);
    check_non_negative(o, "L", x.last_price, sc->price_scale);
    if (usdm) {
      check_rounded(o, "ap", x.avg_price, sc->price_scale);
      if (o.HasMember("n")) check_non_negative(o, "n", x.commission, TH_MONEY_SCALE);
      if (o.HasMember("rp")) check_rounded(o, "rp", x.realized_pnl, TH_MONEY_SCALE);
    } else {
      check_non_negative(o, "n", x.commission, TH_MONEY_SCALE);
      check_non_negative(o, "Z", x.cumulative_quote_qty, TH_MONEY_SCALE);
      check_non_negative(o, "Y", x.last_quote_qty, TH_MONEY_SCALE);
      // avg = Z / z at price_scale, half up: |avg * z - Z * 10^e| <= z / 2, e = ps + qs - 8.
      const int e = sc->price_scale + sc->qty_scale - TH_MONEY_SCALE;
      if (x.avg_price != 0 && e >= 0 && e <= 18) {
        __int128 diff = static_cast<__int128>(x.avg_price) * x.cumulative_qty -
                        static_cast<__int128>(x.cumulative_quote_qty) * pow10_i64(e);
        if (diff < 0) diff = -diff;
        FUZZ_CHECK(2 * diff <= static_cast<__int128>(x.cumulative_qty), "average price %lld of Z %lld / z %lld",
                   static_cast<long long>(x.avg_price), static_cast<long long>(x.cumulative_quote_qty),
                   static_cast<long long>(x.cumulative_qty));
      }
    }
  } else if (ev.kind == UserEventKind::AccountPosition) {
    const rapidjson::Value& b = v["B"];
    FUZZ_CHECK(b.Size() == ev.account.balances.size(), "balance count");
    for (size_t i = 0; i < ev.account.balances.size(); ++i) {
      check_non_negative(b[i], "f", ev.account.balances[i].free, TH_MONEY_SCALE);
      check_non_negative(b[i], "l", ev.account.balances[i].locked, TH_MONEY_SCALE);
    }
  } else if (ev.kind == UserEventKind::AccountUpdate) {
    const AccountUpdate& u = ev.account_update;
    const rapidjson::Value& a = v["a"];
    if (a.HasMember("B")) {
      FUZZ_CHECK(a["B"].Size() == u.balances.size(), "balance count");
      for (size_t i = 0; i < u.balances.size(); ++i) check_exact(a["B"][i], "wb", u.balances[i].free, TH_MONEY_SCALE);
    }
    size_t j = 0, skipped = 0;
    if (a.HasMember("P"))
      for (const rapidjson::Value& p : a["P"].GetArray()) {
        if (fuzz::fuzz_scales(fuzz::text_of(p, "s")) == nullptr) {
          ++skipped;
          continue;
        }
        FUZZ_CHECK(j < u.positions.size(), "too few positions");
        check_position(p, u.positions[j++], "pa", "ep", "up");
      }
    FUZZ_CHECK(j == u.positions.size() && skipped == u.skipped_positions, "positions %zu/%zu, skipped %zu/%zu", j,
               u.positions.size(), skipped, u.skipped_positions);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const ScalesLookup lookup = [](std::string_view s) { return fuzz::fuzz_scales(s); };
  rapidjson::Document doc;
  const bool json = fuzz::parse_json(body, doc);
  std::string error;

  UserEvent ev;
  if (parse_user_event(body, lookup, ev, error)) {
    FUZZ_CHECK(json && doc.IsObject(), "accepted a user event that is not a JSON object");
    check_user_event(doc, ev);
  }
  OrderReport order;
  if (parse_order_report(body, lookup, order, error)) {
    FUZZ_CHECK(json && doc.IsObject(), "accepted an order that is not a JSON object");
    check_order(doc, order);
  }
  std::vector<OrderReport> orders;
  size_t skipped = 0;
  if (parse_open_orders(body, lookup, orders, skipped, error)) {
    FUZZ_CHECK(json && doc.IsArray() && doc.Size() == orders.size() + skipped, "open orders count");
    size_t j = 0;
    for (const rapidjson::Value& o : doc.GetArray())
      if (fuzz::fuzz_scales(fuzz::text_of(o, "symbol")) != nullptr) check_order(o, orders[j++]);
  }
  std::vector<Balance> balances;
  if (parse_account_balances(body, balances, error)) {
    const rapidjson::Value& b = doc["balances"];
    FUZZ_CHECK(b.Size() == balances.size(), "balance count");
    for (size_t i = 0; i < balances.size(); ++i) {
      check_non_negative(b[i], "free", balances[i].free, TH_MONEY_SCALE);
      check_non_negative(b[i], "locked", balances[i].locked, TH_MONEY_SCALE);
    }
  }
  if (parse_futures_account(body, balances, error)) {
    const rapidjson::Value& a = doc["assets"];
    FUZZ_CHECK(a.Size() == balances.size(), "asset count");
    for (size_t i = 0; i < balances.size(); ++i) {
      check_exact(a[i], "walletBalance", balances[i].free, TH_MONEY_SCALE);
      FUZZ_CHECK(balances[i].locked == 0, "futures locked balance");
    }
  }
  std::vector<FuturesPosition> positions;
  if (parse_position_risk(body, lookup, positions, skipped, error)) {
    FUZZ_CHECK(doc.Size() == positions.size() + skipped, "positionRisk count");
    size_t j = 0;
    for (const rapidjson::Value& p : doc.GetArray())
      if (fuzz::fuzz_scales(fuzz::text_of(p, "symbol")) != nullptr)
        check_position(p, positions[j++], "positionAmt", "entryPrice", "unRealizedProfit");
  }
  std::vector<AccountTrade> trades;
  const Scales trade_scales{2, 5};
  if (parse_account_trades(body, trade_scales, trades, error)) {
    FUZZ_CHECK(doc.Size() == trades.size(), "trade count");
    for (size_t i = 0; i < trades.size(); ++i) {
      check_non_negative(doc[i], "price", trades[i].price, trade_scales.price_scale);
      check_non_negative(doc[i], "qty", trades[i].qty, trade_scales.qty_scale);
      check_non_negative(doc[i], "quoteQty", trades[i].quote_qty, TH_MONEY_SCALE);
      check_non_negative(doc[i], "commission", trades[i].commission, TH_MONEY_SCALE);
    }
  }
  std::string key;
  if (parse_listen_key(body, key, error)) FUZZ_CHECK(!key.empty() && fuzz::text_of(doc, "listenKey") == key, "listenKey");
  return 0;
}
