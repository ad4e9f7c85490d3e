// market_json.hpp -- the public market data both venues serve, rendered from the shared
// MatchingEngine: order book snapshots, klines and the market streams. USDⓈ-M payloads are the
// spot ones with the futures fields added ("T" transaction time, depthUpdate "pu", bookTicker "e"
// and "E") and spot's "M" dropped from aggTrade; prices and quantities are printed with the
// symbol's precisions (8 decimals on spot, pricePrecision / quantityPrecision on USDⓈ-M).
//
// Sources: spot binance-spot-api-docs rest-api.md (2023-06-07) and web-socket-streams.md
// (2023-12-04); USDⓈ-M developers.binance.com derivatives/usds-margined-futures
// websocket-market-streams "Diff. Book Depth Streams" (depthUpdate with "pu"), and the recorded
// USD-M traffic data/binance/cryptofeed/BINANCE_FUTURES.ws.1.0 for the field order of
// bookTicker, aggTrade and kline (their doc pages are not stored here).
#ifndef TRADEHOST_EXCHANGE_SIM_MARKET_JSON_HPP
#define TRADEHOST_EXCHANGE_SIM_MARKET_JSON_HPP

#include "capture_recording.hpp"
#include "matching_engine.hpp"
#include "venue.hpp"

#include <string>
#include <vector>

namespace tradehost::exchange_sim {

/// GET /api/v3/depth or /fapi/v1/depth of the first symbol: up to `levels` levels each side of the
/// market's book (candle mode: the synthetic one around the current close). USDⓈ-M adds "E" and
/// "T" (both `now_ms`).
std::string depth_json(const MatchingEngine& ex, Venue venue, int levels, int64_t now_ms);
/// The same for `symbol` (one of the engine's).
std::string depth_json(const MatchingEngine& ex, Venue venue, const std::string& symbol, int levels, int64_t now_ms);

/// GET /api/v3/klines or /fapi/v1/klines rows for candles [first, last) of the series.
std::string klines_json(const MatchingEngine& ex, size_t first, size_t last);

/// GET klines rows of recorded klines [first, last) (capture mode): [t, o, h, l, c, v, T, q, n, V,
/// Q, B], the texts as the kline_<interval> frames carried them (spot rest-api.md
/// "Kline/Candlestick data"; USD-M "Kline/Candlestick Data").
std::string recorded_klines_json(const std::vector<RecordedKline>& klines, size_t first, size_t last);

/// Market stream payloads for one clock step (raw payloads; the hub wraps combined streams).
std::string kline_event_json(const MatchingEngine& ex, const MarketEvent& m);
std::string book_ticker_json(const MatchingEngine& ex, Venue venue, const MarketEvent& m);
std::string agg_trade_json(const MatchingEngine& ex, Venue venue, const MarketEvent& m);
/// depthUpdate for a step: the levels of the new book, and the old book's levels that left it
/// with quantity 0 (web-socket-streams.md: "If the quantity is 0, remove the price level").
std::string depth_update_json(const MatchingEngine& ex, Venue venue, const MarketEvent& m);

/// Whether a candle's one synthetic trade was sold into the bid ("m": buyer is maker): a candle
/// that closed below its open.
inline bool buyer_is_maker(const Candle& c) { return c.close < c.open; }

}  // namespace tradehost::exchange_sim

#endif
