// Binance market-data messages (spot and USD-M futures) parsed into fixed-point integers at an
// instrument's scales: REST depth snapshots and the WebSocket diff depth, bookTicker, aggTrade and
// kline streams, raw or wrapped in the combined-stream envelope {"stream":..,"data":..}.
//
// Formats: spot "Web Socket Streams" (binance-spot-api-docs web-socket-streams.md: Aggregate Trade
// Streams, Kline/Candlestick Streams, Individual Symbol Book Ticker Streams, Diff. Depth Stream)
// and rest-api.md "Order book" (GET /api/v3/depth); USD-M futures "Websocket Market Streams"
// (Aggregate Trade, Kline/Candlestick, Individual Symbol Book Ticker, Diff. Book Depth) and
// "Order Book" (GET /fapi/v1/depth). Field letters are Binance's; each struct member says which.
//
// Units: prices raw at the instrument's price_scale, quantities raw at its qty_scale (base asset),
// quote-asset volumes raw at TH_MONEY_SCALE (8); times are Binance's Unix milliseconds, as sent.
#ifndef TRADEHOST_BINANCE_MARKET_DATA_HPP
#define TRADEHOST_BINANCE_MARKET_DATA_HPP

#include <tradehost/order_book.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tradehost::binance {

/// Which Binance market a message comes from. The formats differ: USD-M diff depth carries `pu`
/// and `T`, USD-M bookTicker carries `e`, `E` and `T`, spot aggTrade carries the ignored `M`.
enum class Venue : uint8_t { Spot, UsdM };

/// The scales one instrument's numbers are parsed at; ExchangeInfo derives them from the
/// PRICE_FILTER tickSize and LOT_SIZE stepSize texts.
struct Scales {
  int price_scale = 0;  ///< price = raw / 10^price_scale, 0..18
  int qty_scale = 0;    ///< qty = raw / 10^qty_scale, 0..18
};

/// Depth levels that did not fit the instrument's grid, and what the parser did with them.
///
/// Why they exist: Binance leaves resting orders on the book when it changes a symbol's tick or
/// step size, so a deep level can sit between ticks (the recorded NKNUSDT spot snapshot has prices
/// such as 0.25974 under a 0.0001 tick and quantities such as 11979.3 under a step of 1; the
/// CTKUSDT futures snapshot has 0.50579 under a 0.001 tick). Such a price cannot be written at
/// price_scale at all, and no order of ours can be placed there, so the level is DROPPED: the
/// same price text is dropped from the snapshot and from every later diff alike, so dropping can
/// never leave a stale level behind. A quantity finer than qty_scale at an on-grid price is
/// FLOORED to qty_scale (a floor of 0 deletes the level): the book then shows the part an order
/// of ours could trade, never more, and the next diff overwrites it as usual.
struct OffGridCount {
  uint32_t dropped_levels = 0;  ///< levels whose price is finer than price_scale
  uint32_t floored_qtys = 0;    ///< quantities floored to qty_scale
};

/// A REST depth snapshot (spot GET /api/v3/depth, USD-M GET /fapi/v1/depth).
struct DepthSnapshot {
  int64_t last_update_id = 0;       ///< `lastUpdateId`
  int64_t event_time_ms = 0;        ///< `E` (USD-M only; 0 on spot)
  int64_t transaction_time_ms = 0;  ///< `T` (USD-M only; 0 on spot)
  std::vector<BookLevel> bids;      ///< as sent: best (highest) first
  std::vector<BookLevel> asks;      ///< as sent: best (lowest) first
  OffGridCount off_grid;
};

/// One diff depth event (`e` = "depthUpdate"; stream <symbol>@depth or <symbol>@depth@100ms).
/// Quantities are absolute: qty 0 removes the level.
struct DepthDiff {
  std::string symbol;                  ///< `s`, upper case (e.g. "BTCUSDT")
  int64_t event_time_ms = 0;           ///< `E`
  int64_t transaction_time_ms = 0;     ///< `T` (USD-M only; 0 on spot)
  int64_t first_update_id = 0;         ///< `U`
  int64_t final_update_id = 0;         ///< `u`
  int64_t prev_final_update_id = -1;   ///< `pu`: the previous event's `u` (USD-M only; -1 on spot)
  std::vector<BookLevel> bids;         ///< `b`
  std::vector<BookLevel> asks;         ///< `a`
  OffGridCount off_grid;
};

/// Best bid and ask (`<symbol>@bookTicker`). Spot sends no event type or times.
struct BookTicker {
  std::string symbol;               ///< `s`
  int64_t update_id = 0;            ///< `u`, the order book update id this state belongs to
  int64_t bid_price = 0;            ///< `b`
  int64_t bid_qty = 0;              ///< `B`
  int64_t ask_price = 0;            ///< `a`
  int64_t ask_qty = 0;              ///< `A`
  int64_t event_time_ms = 0;        ///< `E` (USD-M only; 0 on spot)
  int64_t transaction_time_ms = 0;  ///< `T` (USD-M only; 0 on spot)
};

/// One aggregated trade (`e` = "aggTrade").
struct AggTrade {
  std::string symbol;           ///< `s`
  int64_t event_time_ms = 0;    ///< `E`
  int64_t agg_trade_id = 0;     ///< `a`
  int64_t price = 0;            ///< `p`
  int64_t qty = 0;              ///< `q`
  int64_t first_trade_id = 0;   ///< `f`
  int64_t last_trade_id = 0;    ///< `l`
  int64_t trade_time_ms = 0;    ///< `T`
  bool buyer_is_maker = false;  ///< `m`: true means the seller was the aggressor
};

/// One kline update (`e` = "kline"; the candle is in `k`). Sent repeatedly while the candle is
/// open; `closed` marks its final state.
struct Kline {
  std::string symbol;                  ///< `s`
  int64_t event_time_ms = 0;           ///< `E`
  int64_t open_time_ms = 0;            ///< `k.t`
  int64_t close_time_ms = 0;           ///< `k.T` (open time + interval - 1 ms)
  std::string interval;                ///< `k.i`, e.g. "1m"
  int64_t first_trade_id = 0;          ///< `k.f` (-1 when no trade yet)
  int64_t last_trade_id = 0;           ///< `k.L`
  int64_t open = 0, high = 0, low = 0, close = 0;  ///< `k.o`, `k.h`, `k.l`, `k.c`
  int64_t volume = 0;                  ///< `k.v`, base asset, at qty_scale
  int64_t quote_volume = 0;            ///< `k.q`, quote asset, at TH_MONEY_SCALE
  int64_t trade_count = 0;             ///< `k.n`
  bool closed = false;                 ///< `k.x`
  int64_t taker_buy_volume = 0;        ///< `k.V`, base asset, at qty_scale
  int64_t taker_buy_quote_volume = 0;  ///< `k.Q`, quote asset, at TH_MONEY_SCALE
};

enum class StreamKind : uint8_t { DepthDiff, BookTicker, AggTrade, Kline };

/// One parsed stream frame. Only the member named by `kind` is meaningful; the others keep their
/// previous contents so their vectors' capacity is reused across calls.
struct StreamMessage {
  StreamKind kind = StreamKind::DepthDiff;
  std::string stream;  ///< the envelope's `stream` (e.g. "btcusdt@depth@100ms"); empty when raw
  DepthDiff depth;
  BookTicker book_ticker;
  AggTrade agg_trade;
  Kline kline;
};

/// Parses the market-data messages of one venue. Holds a reusable parse buffer, so a parser
/// belongs to one thread (the connector's loop thread); after warm-up parse_stream() does not
/// allocate for frames of usual size.
class MarketDataParser {
 public:
  explicit MarketDataParser(Venue venue);
  ~MarketDataParser();
  MarketDataParser(MarketDataParser&&) noexcept;
  MarketDataParser& operator=(MarketDataParser&&) noexcept;

  Venue venue() const noexcept;

  /// Registers the scales of `symbol` (upper case, as in the `s` field); replaces earlier ones.
  /// scales must be within 0..18.
  void set_scales(std::string_view symbol, Scales scales);

  /// The scales registered for `symbol`, or nullptr.
  const Scales* scales(std::string_view symbol) const;

  /// Parses one WebSocket text frame: a combined-stream envelope or a raw event. The event type
  /// comes from `e` (depthUpdate, aggTrade, kline, bookTicker); a spot bookTicker has no `e` and is
  /// recognised by its `u`, `b` and `a` fields. Numbers are converted at the scales registered for
  /// the event's `s`.
  ///
  /// Returns false with a message in `error` that names the message and the field on malformed
  /// JSON (with the byte offset), a missing or mistyped field, an unsupported event type, a
  /// symbol with no registered scales, a USD-M depthUpdate without `pu`, a negative price or
  /// quantity, or a number outside int64 at its scale. Prices and quantities must be exact at the
  /// instrument's scales, except depth levels, which follow OffGridCount's policy.
  bool parse_stream(std::string_view frame, StreamMessage& out, std::string& error);

  /// Diff depth frames in Binance's usual shape are read by a dedicated scanner instead of the
  /// JSON DOM (several times faster); anything else falls back to the DOM, so results and errors
  /// are the same either way. Tests and benchmarks switch the scanner off to compare; there is
  /// no other reason to.
  void set_depth_fast_path(bool enabled) noexcept;

  /// Frames parse_stream() has handed from the depth scanner to the DOM parser since
  /// construction (only while the fast path is on): every frame that is not a diff depth event
  /// (bookTicker, aggTrade, kline) and every diff depth frame the scanner could not read -- one of
  /// another shape, or a malformed one. A connector that sees this grow with its depth frames is
  /// paying several times the usual cost per frame (Binance changed the format?); tests use it to
  /// check that the scanner, not the fallback, read the frames they expect it to.
  uint64_t scanner_misses() const noexcept;

  /// Parses a REST depth snapshot body ({"lastUpdateId":..,"bids":[[p,q],..],"asks":[..]}) at
  /// `scales` (off-grid levels: see OffGridCount). Errors as parse_stream().
  bool parse_depth_snapshot(std::string_view body, Scales scales, DepthSnapshot& out,
                            std::string& error);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tradehost::binance

#endif  // TRADEHOST_BINANCE_MARKET_DATA_HPP
