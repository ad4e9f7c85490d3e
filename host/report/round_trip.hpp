#pragma once
// One closed trade, as written to trades.csv and counted by MetricsAccumulator.

#include <cstdint>
#include <string>

namespace tradehost::report {

/// One round trip: a position opened (entry) and closed (exit) on one instrument. Partial fills
/// of either leg are folded into a volume-weighted average price. Quantities and prices are kept
/// as the exact decimal text of the instrument's fixed-point values, so trades.csv never shows a
/// binary floating-point artefact such as 0.56810000000000005.
struct RoundTrip {
  std::string instrument;     ///< unified symbol, "BTC/USDT"
  std::string side;           ///< "long" or "short"
  int64_t entry_time_ns = 0;  ///< time of the first entry fill, ns since the Unix epoch, UTC
  int64_t exit_time_ns = 0;   ///< time of the last exit fill, ns since the Unix epoch, UTC
  std::string qty;            ///< base-asset quantity, exact decimal text ("0.56810")
  std::string entry_price;    ///< volume-weighted entry price, quote per base, exact decimal text
  std::string exit_price;     ///< volume-weighted exit price, quote per base, exact decimal text
  int64_t pnl_raw = 0;    ///< net PnL after the fees of both legs, quote currency at TH_MONEY_SCALE
  int64_t fees_raw = 0;   ///< fees of both legs, quote currency at TH_MONEY_SCALE (>= 0)
  double return_pct = 0;  ///< pnl / entry notional * 100, PERCENT (1.5 = 1.5 %)
};

}  // namespace tradehost::report
