// capture_recording.hpp -- recorded Binance traffic as the capture mode replays it: the files
// cryptofeed writes (data/binance/cryptofeed/, format in data/SOURCES.md), read once at start.
//
// A capture is named by its prefix P (e.g. data/binance/cryptofeed/BINANCE) and made of:
// - P.0: the REST exchangeInfo response, line `<URL> -> <epoch_s.us>: <body>` (later lines, such
//   as cryptofeed's `configuration: {...}`, are ignored);
// - P.http.0.0: one depth snapshot per line, `<URL with symbol=...> -> <epoch>: <body>`;
// - P.ws.1.0: first line `<wss URL>/stream?streams=a/b/c <-> <epoch>`, then one frame per line,
//   `<local receive epoch_s.us>: {"stream":"<name>","data":<payload>}` (the combined-stream
//   envelope of web-socket-streams.md "General WSS information").
// Empty lines are skipped. The captured symbols are those with a depth snapshot; the exchangeInfo
// entry of each must exist.
#ifndef TRADEHOST_EXCHANGE_SIM_CAPTURE_RECORDING_HPP
#define TRADEHOST_EXCHANGE_SIM_CAPTURE_RECORDING_HPP

#include <cstdint>
#include <string>
#include <vector>

#include "matching_engine.hpp"
#include "venue.hpp"

namespace tradehost::exchange_sim {

/// A captured symbol: its trading rules and its exchangeInfo entry as recorded.
struct RecordedSymbol {
  SymbolRules rules;
  std::string info_json;  ///< the symbol's element of exchangeInfo "symbols", as compact JSON
};

/// A REST depth snapshot (spot GET /api/v3/depth, USD-M GET /fapi/v1/depth).
struct RecordedSnapshot {
  std::string symbol;
  int64_t last_update_id = 0;
  std::vector<BookLevel> bids;  ///< best first, at kScale
  std::vector<BookLevel> asks;
  size_t line = 0;  ///< 1-based line in P.http.0.0
};

/// One kline as a kline_<interval> frame last showed it; the REST row is built from these texts
/// (spot rest-api.md / USD-M "Kline/Candlestick Data": [t, o, h, l, c, v, T, q, n, V, Q, B]).
struct RecordedKline {
  int64_t open_time_ms = 0;                                   ///< "t"
  int64_t close_time_ms = 0;                                  ///< "T"
  std::string open, high, low, close, volume;                 ///< "o" "h" "l" "c" "v", as recorded
  std::string quote_volume;                                   ///< "q"
  int64_t trades = 0;                                         ///< "n"
  std::string taker_base_volume, taker_quote_volume, ignore;  ///< "V" "Q" "B"
  bool closed = false;                                        ///< "x"
};

/// What a frame is, from its stream name.
enum class FrameKind { Depth, BookTicker, AggTrade, Kline, Other };

/// One recorded WebSocket frame and the fields the replay needs from it.
struct RecordedFrame {
  size_t line = 0;           ///< 1-based line in P.ws.1.0
  int64_t recv_time_ns = 0;  ///< local receive time, ns UTC
  std::string stream;        ///< the envelope's "stream"
  std::string payload;       ///< the envelope's "data", byte for byte
  FrameKind kind = FrameKind::Other;
  std::string symbol;  ///< "s"
  // Depth (depthUpdate):
  int64_t first_update_id = 0;        ///< "U"
  int64_t last_update_id = 0;         ///< "u"
  std::vector<BookLevel> bids, asks;  ///< "b", "a"; quantity 0 removes the level
  // AggTrade:
  int64_t price = 0;  ///< "p" (kline: "c"), at kScale
  int64_t qty = 0;    ///< "q"
  // Kline:
  RecordedKline kline;
};

/// A whole capture.
struct CaptureRecording {
  Venue venue = Venue::Spot;
  std::string prefix;
  std::vector<RecordedSymbol> symbols;  ///< in snapshot order
  std::string exchange_filters_json;    ///< exchangeInfo "exchangeFilters" as recorded
  std::string assets_json;              ///< USD-M exchangeInfo "assets" as recorded ("[]" on spot)
  std::vector<RecordedSnapshot> snapshots;
  std::vector<std::string> streams;  ///< the recorded connection's stream names
  std::vector<RecordedFrame> frames;

  /// The rules of a captured symbol, or nullptr.
  const SymbolRules* find(const std::string& symbol) const;
};

/// Reads the capture at `prefix`. Throws std::runtime_error naming the file (and line) on a file
/// that is missing or malformed, when the recording is of the other venue than `venue` (its
/// exchangeInfo URL says /fapi/ or /api/), or when a snapshot's symbol is not in its exchangeInfo.
CaptureRecording load_capture(const std::string& prefix, Venue venue);

}  // namespace tradehost::exchange_sim

#endif
