// market_source.hpp -- where the matching engine's market comes from: the clock, each symbol's
// book, its last price, and what one clock step offers resting orders to trade against. Two
// sources exist: CandleMarket (candle_market.hpp: a candle file and a synthetic book around each
// close) and CaptureMarket (capture_market.hpp: recorded Binance REST snapshots and WebSocket
// frames, replayed frame by frame). The MatchingEngine applies the same order rules to either.
#ifndef TRADEHOST_EXCHANGE_SIM_MARKET_SOURCE_HPP
#define TRADEHOST_EXCHANGE_SIM_MARKET_SOURCE_HPP

#include <cstdint>
#include <string>
#include <vector>

#include "candle_series.hpp"

namespace tradehost::exchange_sim {

/// A side of an order book: bids (buyers resting) or asks (sellers resting).
enum class BookSide { Bid, Ask };

/// One price level: price and quantity at kScale.
struct BookLevel {
  int64_t price = 0;
  int64_t qty = 0;
};

/// What one clock step did to the market, for the stream renderers. Candle mode fills the candle
/// fields; capture mode fills `stream` and `payload` with the recorded frame.
struct MarketEvent {
  Candle candle;
  int64_t time_ms = 0;          ///< server time of the step
  int64_t first_update_id = 0;  ///< depth update ids this step consumed (U..u of depthUpdate)
  int64_t last_update_id = 0;
  int64_t prev_last_update_id = 0;  ///< u of the previous step: USDⓈ-M depthUpdate "pu"
  int64_t agg_trade_id = 0;         ///< the one aggregate trade that stands for the candle
  int64_t trade_id = 0;
  int64_t prev_best_bid = 0;  ///< book before the step, so a depth diff can remove old levels
  int64_t prev_best_ask = 0;
  // Capture mode: the recorded frame, as the combined stream carried it.
  std::string stream;   ///< "nknusdt@depth@100ms"; empty in candle mode
  std::string payload;  ///< the frame's "data" value, byte for byte as recorded
  bool depth = false;   ///< the frame is a depthUpdate (the depth_gap fault swallows these)
};

/// A trade a step replayed: its symbol and price, which is now the symbol's last price -- a
/// candle's close (the one aggregate trade a candle stands for), or a recorded aggTrade's price.
/// What watches the last trade (USDⓈ-M algo orders) runs on these; a capture's kline frame moves
/// the last price too but is not a trade.
struct TradePrice {
  std::string symbol;
  int64_t price = 0;
};

/// Liquidity that arrived in a step and may fill resting orders, taken at the orders' own prices
/// (they are the makers). `side` is where it comes from: Ask liquidity (sellers) fills BUY orders
/// priced strictly above a level, Bid liquidity (buyers) fills SELL orders priced strictly below
/// one -- a trade or quote *through* the price, never a touch. `levels` run from the most
/// aggressive (Ask: lowest) outward; their quantities cap what all resting orders together get,
/// handed out in price then time priority.
struct Liquidity {
  std::string symbol;
  BookSide side = BookSide::Ask;
  std::vector<BookLevel> levels;
};

/// Everything one clock step produced.
struct MarketStep {
  MarketEvent event;
  bool candle = false;  ///< candle mode: the engine numbers the candle's aggregate trade
  std::vector<TradePrice> trades;
  std::vector<Liquidity> liquidity;
  /// Symbols whose book changed: resting orders it now crosses trade against it (capture mode).
  std::vector<std::string> books_moved;
};

/// A market the engine replays. Not thread-safe; owned by one MatchingEngine.
class MarketSource {
 public:
  virtual ~MarketSource() = default;

  /// Steps already taken (0 = none) and how many the source has in all.
  virtual size_t position() const = 0;
  virtual size_t length() const = 0;
  /// Takes the next step at server time `now_ms`; false (and `out` untouched) at the end.
  virtual bool step(int64_t now_ms, MarketStep& out) = 0;

  /// The symbol's book as published (REST depth, bookTicker): up to `depth` levels of `side`,
  /// best first. Empty for an unknown symbol.
  virtual std::vector<BookLevel> book(const std::string& symbol, BookSide side, size_t depth) const = 0;
  /// The levels a taker (or a crossed resting order) can still take: book() less what our own
  /// orders took since the recording last changed that level (CaptureMarket); book() itself when
  /// takers do not deplete the book (CandleMarket).
  virtual std::vector<BookLevel> liquidity(const std::string& symbol, BookSide side, size_t depth) const {
    return book(symbol, side, depth);
  }
  /// Records that our orders took `qty` at `price` from `side` of the symbol's book. The default
  /// forgets it: the book is regenerated on every request.
  virtual void consume(const std::string& symbol, BookSide side, int64_t price, int64_t qty) {
    (void)symbol, (void)side, (void)price, (void)qty;
  }
  /// Best price of a side, 0 when that side is empty.
  int64_t best(const std::string& symbol, BookSide side) const {
    const auto top = book(symbol, side, 1);
    return top.empty() ? 0 : top.front().price;
  }
  /// Price of the symbol's last trade.
  virtual int64_t last_price(const std::string& symbol) const = 0;
  /// Id of the symbol's last book change: depth snapshots' lastUpdateId and bookTicker "u".
  virtual int64_t book_update_id(const std::string& symbol) const = 0;
  /// The most levels a depth request may return.
  virtual size_t max_depth() const = 0;
};

}  // namespace tradehost::exchange_sim

#endif
