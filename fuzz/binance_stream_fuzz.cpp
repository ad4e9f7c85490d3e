// Fuzz target: one Binance market-data WebSocket frame (binance_common MarketDataParser::
// parse_stream: diff depth, bookTicker, aggTrade, kline; raw or in the combined-stream envelope),
// read as spot and as USD-M, each with the depth scanner (fast path) on and off.
// Invariants:
//  - the fast path only ever says "plainly right": whatever it accepts, the DOM path accepts
//    with the same result, and a frame it refuses gets the DOM path's own answer and error;
//  - every price, quantity and volume is the exact value of its JSON text (fuzz_check.hpp's
//    reference), never negative; depth levels follow OffGridCount: a price off the grid is
//    dropped, a quantity off the grid floored, and the counts say so; U <= u.
#include "fuzz_check.hpp"
#include "fuzz_json.hpp"
#include "fuzz_symbols.hpp"

#include <binance_common/market_data.hpp>
#include <tradehost/plugin.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using namespace tradehost;
using namespace tradehost::binance;

namespace {

MarketDataParser make(Venue venue, bool fast) {
  MarketDataParser p(venue);
  for (const auto& [symbol, scales] : fuzz::fuzz_symbols()) p.set_scales(symbol, scales);
  p.set_depth_fast_path(fast);
  return p;
}

bool same_levels(const std::vector<BookLevel>& a, const std::vector<BookLevel>& b) { return a == b; }

bool same_message(const StreamMessage& a, const StreamMessage& b) {
  if (a.kind != b.kind || a.stream != b.stream) return false;
  switch (a.kind) {
    case StreamKind::DepthDiff:
      return a.depth.symbol == b.depth.symbol && a.depth.event_time_ms == b.depth.event_time_ms &&
             a.depth.transaction_time_ms == b.depth.transaction_time_ms &&
             a.depth.first_update_id == b.depth.first_update_id &&
             a.depth.final_update_id == b.depth.final_update_id &&
             a.depth.prev_final_update_id == b.depth.prev_final_update_id && same_levels(a.depth.bids, b.depth.bids) &&
             same_levels(a.depth.asks, b.depth.asks) && a.depth.off_grid.dropped_levels == b.depth.off_grid.dropped_levels &&
             a.depth.off_grid.floored_qtys == b.depth.off_grid.floored_qtys;
    default:
      return true;  // only depth frames have a fast path
  }
}

// The levels of `key` against the text: the OffGridCount policy, level by level.
void check_levels(const rapidjson::Value& payload, const char* key, const Scales& sc, const std::vector<BookLevel>& out,
                  OffGridCount& seen) {
  const rapidjson::Value& arr = payload[key];
  size_t j = 0;
  for (const rapidjson::Value& pair : arr.GetArray()) {
    const std::string_view pt(pair[0].GetString(), pair[0].GetStringLength());
    const std::string_view qt(pair[1].GetString(), pair[1].GetStringLength());
    std::optional<int64_t> price = fuzz::exact_raw(pt, sc.price_scale);
    if (!price) {
      ++seen.dropped_levels;
      continue;
    }
    FUZZ_CHECK(j < out.size(), "%s: more on-grid levels in the text than parsed", key);
    FUZZ_CHECK(out[j].price == *price && *price >= 0, "%s[%zu]: price \"%.*s\" parsed as %lld", key, j,
               static_cast<int>(pt.size()), pt.data(), static_cast<long long>(out[j].price));
    const std::optional<int64_t> qty = fuzz::exact_raw(qt, sc.qty_scale);
    if (qty) {
      FUZZ_CHECK(out[j].qty == *qty, "%s[%zu]: qty \"%.*s\" parsed as %lld", key, j, static_cast<int>(qt.size()),
                 qt.data(), static_cast<long long>(out[j].qty));
    } else {
      ++seen.floored_qtys;
      FUZZ_CHECK(fuzz::truncates_to(qt, out[j].qty, sc.qty_scale), "%s[%zu]: qty \"%.*s\" floored to %lld", key, j,
                 static_cast<int>(qt.size()), qt.data(), static_cast<long long>(out[j].qty));
    }
    FUZZ_CHECK(out[j].qty >= 0, "%s[%zu]: negative qty", key, j);
    ++j;
  }
  FUZZ_CHECK(j == out.size(), "%s: %zu levels parsed, %zu on the grid in the text", key, out.size(), j);
}

void check_against_text(std::string_view frame, const StreamMessage& m, Venue venue) {
  rapidjson::Document doc;
  FUZZ_CHECK(fuzz::parse_json(frame, doc) && doc.IsObject(), "accepted a frame that is not a JSON object");
  const rapidjson::Value* payload = &doc;
  if (doc.HasMember("data")) payload = &doc["data"];
  const rapidjson::Value& p = *payload;
  switch (m.kind) {
    case StreamKind::DepthDiff: {
      const DepthDiff& d = m.depth;
      const Scales* sc = fuzz::fuzz_scales(d.symbol);
      FUZZ_CHECK(sc != nullptr && fuzz::text_of(p, "s") == d.symbol, "depth symbol");
      FUZZ_CHECK(d.first_update_id <= d.final_update_id, "U > u accepted");
      fuzz::check_int(p, "U", d.first_update_id);
      fuzz::check_int(p, "u", d.final_update_id);
      if (venue == Venue::UsdM) fuzz::check_int(p, "pu", d.prev_final_update_id);
      OffGridCount seen;
      check_levels(p, "b", *sc, d.bids, seen);
      check_levels(p, "a", *sc, d.asks, seen);
      FUZZ_CHECK(seen.dropped_levels == d.off_grid.dropped_levels && seen.floored_qtys == d.off_grid.floored_qtys,
                 "off-grid counts %u/%u, text says %u/%u", d.off_grid.dropped_levels, d.off_grid.floored_qtys,
                 seen.dropped_levels, seen.floored_qtys);
      break;
    }
    case StreamKind::BookTicker: {
      const BookTicker& t = m.book_ticker;
      const Scales* sc = fuzz::fuzz_scales(t.symbol);
      FUZZ_CHECK(sc != nullptr, "bookTicker symbol");
      fuzz::check_non_negative(p, "b", t.bid_price, sc->price_scale);
      fuzz::check_non_negative(p, "B", t.bid_qty, sc->qty_scale);
      fuzz::check_non_negative(p, "a", t.ask_price, sc->price_scale);
      fuzz::check_non_negative(p, "A", t.ask_qty, sc->qty_scale);
      break;
    }
    case StreamKind::AggTrade: {
      const AggTrade& t = m.agg_trade;
      const Scales* sc = fuzz::fuzz_scales(t.symbol);
      FUZZ_CHECK(sc != nullptr, "aggTrade symbol");
      fuzz::check_non_negative(p, "p", t.price, sc->price_scale);
      fuzz::check_non_negative(p, "q", t.qty, sc->qty_scale);
      break;
    }
    case StreamKind::Kline: {
      const Kline& k = m.kline;
      const Scales* sc = fuzz::fuzz_scales(k.symbol);
      FUZZ_CHECK(sc != nullptr, "kline symbol");
      const rapidjson::Value& kv = p["k"];
      fuzz::check_non_negative(kv, "o", k.open, sc->price_scale);
      fuzz::check_non_negative(kv, "h", k.high, sc->price_scale);
      fuzz::check_non_negative(kv, "l", k.low, sc->price_scale);
      fuzz::check_non_negative(kv, "c", k.close, sc->price_scale);
      fuzz::check_non_negative(kv, "v", k.volume, sc->qty_scale);
      fuzz::check_non_negative(kv, "q", k.quote_volume, TH_MONEY_SCALE);
      fuzz::check_non_negative(kv, "V", k.taker_buy_volume, sc->qty_scale);
      fuzz::check_non_negative(kv, "Q", k.taker_buy_quote_volume, TH_MONEY_SCALE);
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static MarketDataParser parsers[2][2] = {{make(Venue::Spot, true), make(Venue::Spot, false)},
                                           {make(Venue::UsdM, true), make(Venue::UsdM, false)}};
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  for (int v = 0; v < 2; ++v) {
    StreamMessage fast, dom;
    std::string fast_error, dom_error;
    const bool fast_ok = parsers[v][0].parse_stream(frame, fast, fast_error);
    const bool dom_ok = parsers[v][1].parse_stream(frame, dom, dom_error);
    FUZZ_CHECK(fast_ok == dom_ok, "venue %d: fast path %s, DOM %s (%s)", v, fast_ok ? "accepts" : "refuses",
               dom_ok ? "accepts" : "refuses", fast_ok ? dom_error.c_str() : fast_error.c_str());
    if (!fast_ok) {
      FUZZ_CHECK(fast_error == dom_error, "errors differ:\n  %s\n  %s", fast_error.c_str(), dom_error.c_str());
      continue;
    }
    FUZZ_CHECK(same_message(fast, dom), "venue %d: the fast path and the DOM read the frame differently", v);
    check_against_text(frame, dom, v == 0 ? Venue::Spot : Venue::UsdM);
  }
  return 0;
}
