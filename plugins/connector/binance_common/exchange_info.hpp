// Binance exchangeInfo (spot GET /api/v3/exchangeInfo, rest-api.md "Exchange information"; USD-M
// GET /fapi/v1/exchangeInfo) reduced to what an instrument needs: status, assets and the trading
// rules of the PRICE_FILTER, LOT_SIZE and MIN_NOTIONAL / NOTIONAL filters (filters.md), as
// fixed-point integers.
#ifndef TRADEHOST_BINANCE_EXCHANGE_INFO_HPP
#define TRADEHOST_BINANCE_EXCHANGE_INFO_HPP

#include "market_data.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tradehost::binance {

/// One symbol's trading rules.
///
/// Scales are derived from the filter TEXT, never through floating point: price_scale is the
/// number of decimals of PRICE_FILTER tickSize once trailing zeros are dropped ("0.00010000" ->
/// 4, "0.0010" -> 3, "1.00" -> 0, "10.00000000" -> 0), qty_scale the same for LOT_SIZE stepSize.
/// So tick_size and step_size are the smallest raw units that carry information, and every valid
/// order price and quantity is an integer at these scales. A zero tickSize or stepSize means
/// "rule disabled" (filters.md); the scale is then every decimal the text writes
/// ("0.00000000" -> 8) and tick_size / step_size is 0.
struct SymbolInfo {
  std::string symbol;       ///< e.g. "BTCUSDT"
  std::string status;       ///< "TRADING", "BREAK", "PENDING_TRADING", ... as sent
  std::string base_asset;   ///< `baseAsset`, e.g. "BTC"
  std::string quote_asset;  ///< `quoteAsset`, e.g. "USDT"
  /// USD-M only (empty on spot): `contractType` ("PERPETUAL", "CURRENT_QUARTER", ...) and
  /// `marginAsset`, the settle asset ("USDT").
  std::string contract_type;
  std::string margin_asset;
  Scales scales;            ///< see above
  int64_t tick_size = 0;    ///< PRICE_FILTER tickSize, raw at price_scale (1 unless disabled)
  /// PRICE_FILTER minPrice / maxPrice, raw at price_scale; 0 = no bound. A bound finer than the
  /// scale is rounded inward (min up, max down), which accepts exactly the same on-scale prices.
  int64_t min_price = 0;
  int64_t max_price = 0;
  int64_t step_size = 0;  ///< LOT_SIZE stepSize, raw at qty_scale (1 unless disabled)
  /// LOT_SIZE minQty / maxQty, raw at qty_scale, rounded inward like the price bounds.
  int64_t min_qty = 0;
  int64_t max_qty = 0;
  /// Minimum order notional in the quote asset, raw at TH_MONEY_SCALE (8); 0 when the symbol has
  /// neither filter. Spot MIN_NOTIONAL and NOTIONAL carry it as `minNotional`, USD-M MIN_NOTIONAL
  /// as `notional`.
  int64_t min_notional = 0;
};

/// The parsed exchangeInfo.
struct ExchangeInfo {
  int64_t server_time_ms = 0;       ///< `serverTime`, Unix ms
  std::vector<SymbolInfo> symbols;  ///< in the response's order

  /// The symbol named `symbol` (upper case), or nullptr. Linear: look symbols up once at start.
  const SymbolInfo* find(std::string_view symbol) const;
};

/// Parses an exchangeInfo response body (spot or USD-M; the filters above are read from either
/// form). Every symbol must have PRICE_FILTER and LOT_SIZE; other filters are ignored.
///
/// Returns false with a message naming the symbol, the filter and the field on invalid JSON, a
/// missing or mistyped field, a tickSize or stepSize that is not a plain decimal with at most 18
/// decimals, a value outside int64 at its scale, or a minNotional finer than 10^-8.
bool parse_exchange_info(std::string_view body, ExchangeInfo& out, std::string& error);

/// The scale a filter's size text implies: decimals after dropping trailing zeros, or every
/// written decimal when the value is zero (see SymbolInfo). Returns -1 when `text` is not a plain
/// non-negative decimal ("digits[.digits]") or needs more than 18 decimals.
int scale_of_step_text(std::string_view text);

}  // namespace tradehost::binance

#endif  // TRADEHOST_BINANCE_EXCHANGE_INFO_HPP
