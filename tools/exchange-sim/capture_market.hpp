// capture_market.hpp -- the capture mode's market: recorded Binance traffic (capture_recording.hpp)
// replayed one WebSocket frame per clock step, several symbols at once (README.md "Capture mode").
//
// - Each symbol's book starts as its recorded REST snapshot. A depthUpdate frame is applied when it
//   is newer than the book -- spot: u > the book's update id; USD-M: u >= it, because USD-M ids are
//   global across symbols and the recording's first usable diff ends exactly at the snapshot's
//   lastUpdateId -- and then the book's update id is its u. So the book and its lastUpdateId are
//   always "the snapshot plus the diffs replayed so far", which is what a client following
//   "How to manage a local order book correctly" holds too.
// - An aggTrade frame is a trade at its price of its quantity: it fills resting BUY orders priced
//   strictly above it and SELL orders priced strictly below it, at most its quantity per side.
//   A kline frame updates that kline for REST klines. Both set the symbol's last price (before its
//   first one: the snapshot's best bid). bookTicker frames are published only: the depth diffs
//   define the book.
// - A depth frame also offers the moved book to resting orders it now crosses (a BUY strictly
//   above the best ask, a SELL strictly below the best bid). What our orders take from the book
//   (takers and crossed resting orders) is remembered per level and not available again until
//   the recording shows it gone: a later diff that lowers the level's quantity uses up the taken
//   part first; one that raises it adds new quantity; one that removes the level clears it. REST
//   depth and the streams always show the recording itself.
#ifndef TRADEHOST_EXCHANGE_SIM_CAPTURE_MARKET_HPP
#define TRADEHOST_EXCHANGE_SIM_CAPTURE_MARKET_HPP

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "capture_recording.hpp"
#include "market_source.hpp"

namespace tradehost::exchange_sim {

class CaptureMarket : public MarketSource {
 public:
  /// Starts every captured symbol's book at its snapshot; no frame replayed yet.
  explicit CaptureMarket(std::shared_ptr<const CaptureRecording> recording);

  size_t position() const override { return next_; }
  size_t length() const override { return recording_->frames.size(); }
  bool step(int64_t now_ms, MarketStep& out) override;
  std::vector<BookLevel> book(const std::string& symbol, BookSide side, size_t depth) const override;
  std::vector<BookLevel> liquidity(const std::string& symbol, BookSide side, size_t depth) const override;
  void consume(const std::string& symbol, BookSide side, int64_t price, int64_t qty) override;
  int64_t last_price(const std::string& symbol) const override;
  int64_t book_update_id(const std::string& symbol) const override;
  size_t max_depth() const override { return 5000; }

  const CaptureRecording& recording() const { return *recording_; }
  /// The klines of `symbol` replayed so far, by open time (each as its latest frame showed it).
  const std::vector<RecordedKline>& klines(const std::string& symbol) const;
  /// The last replayed frame, or nullptr before the first step.
  const RecordedFrame* last_frame() const { return next_ ? &recording_->frames[next_ - 1] : nullptr; }

 private:
  struct Side {
    std::map<int64_t, int64_t> levels;  // price -> quantity, as recorded
    std::map<int64_t, int64_t> taken;   // price -> what our orders took of it
  };
  struct Book {
    Side bids, asks;
    int64_t update_id = 0;
    int64_t last_price = 0;
    std::vector<RecordedKline> klines;
  };
  const Book* find(const std::string& symbol) const;
  Book* find(const std::string& symbol);
  std::vector<BookLevel> levels(const std::string& symbol, BookSide side, size_t depth, bool less_taken) const;
  static void set_level(Side& side, int64_t price, int64_t qty);

  std::shared_ptr<const CaptureRecording> recording_;
  std::map<std::string, Book> books_;
  size_t next_ = 0;
};

/// A capture opened for a venue's engine: the market and the captured symbols' rules.
struct CaptureSetup {
  std::unique_ptr<CaptureMarket> market;
  std::vector<SymbolRules> symbols;
};

/// load_capture(`prefix`, `venue`) as a market; throws as load_capture does.
CaptureSetup open_capture(const std::string& prefix, Venue venue);

}  // namespace tradehost::exchange_sim

#endif
