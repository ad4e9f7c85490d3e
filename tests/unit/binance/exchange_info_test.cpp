// exchangeInfo parsing against the real recorded responses (data/binance/cryptofeed/BINANCE.0,
// spot 2021-10-12, and BINANCE_FUTURES.0, USD-M 2021-07-22). Each expected value is quoted from
// the file's JSON next to it, and the raw integers are worked out by hand from that text.
#include <binance_common/exchange_info.hpp>

#include "capture.hpp"

#include <tradehost/plugin.h>

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace {

using tradehost::binance::ExchangeInfo;
using tradehost::binance::SymbolInfo;
using tradehost::binance::parse_exchange_info;
using tradehost::binance::scale_of_step_text;

ExchangeInfo load(const char* file) {
  const auto records = tradehost::binance::capture::read_rest(file);
  EXPECT_EQ(records.size(), 1u);
  ExchangeInfo info;
  std::string error;
  EXPECT_TRUE(parse_exchange_info(records.at(0).body, info, error)) << error;
  return info;
}

const SymbolInfo& symbol(const ExchangeInfo& info, const char* name) {
  const SymbolInfo* s = info.find(name);
  if (s == nullptr) throw std::runtime_error(std::string("no symbol ") + name);
  return *s;
}

TEST(BinanceExchangeInfo, ScaleOfStepTextCountsSignificantDecimals) {
  EXPECT_EQ(scale_of_step_text("0.00010000"), 4);
  EXPECT_EQ(scale_of_step_text("0.0010"), 3);
  EXPECT_EQ(scale_of_step_text("0.01"), 2);
  EXPECT_EQ(scale_of_step_text("1.00000000"), 0);
  EXPECT_EQ(scale_of_step_text("10.00000000"), 0);
  EXPECT_EQ(scale_of_step_text("1"), 0);
  EXPECT_EQ(scale_of_step_text("0.00000000"), 8);  // disabled rule: every written decimal
  EXPECT_EQ(scale_of_step_text("0.000000000000000001"), 18);
  EXPECT_EQ(scale_of_step_text("0.0000000000000000001"), -1);  // 19 decimals
  EXPECT_EQ(scale_of_step_text("1e-3"), -1);
  EXPECT_EQ(scale_of_step_text("-0.01"), -1);
  EXPECT_EQ(scale_of_step_text(""), -1);
  EXPECT_EQ(scale_of_step_text(".5"), -1);
}

TEST(BinanceExchangeInfo, RecordedSpotResponse) {
  const ExchangeInfo info = load("BINANCE.0");
  EXPECT_EQ(info.server_time_ms, 1633998511098);  // "serverTime":1633998511098
  ASSERT_EQ(info.symbols.size(), 1695u);          // counted in the file: 1695 symbol objects
  std::map<std::string, int> statuses;
  for (const SymbolInfo& s : info.symbols) ++statuses[s.status];
  EXPECT_EQ(statuses["TRADING"], 1262);  // counted in the file
  EXPECT_EQ(statuses["BREAK"], 433);
  EXPECT_EQ(info.symbols.front().symbol, "ETHBTC");  // the first symbol object

  // NKNUSDT: PRICE_FILTER {"minPrice":"0.00010000","maxPrice":"1000.00000000",
  // "tickSize":"0.00010000"}, LOT_SIZE {"minQty":"1.00000000","maxQty":"9000000.00000000",
  // "stepSize":"1.00000000"}, MIN_NOTIONAL {"minNotional":"10.00000000"}.
  const SymbolInfo& nkn = symbol(info, "NKNUSDT");
  EXPECT_EQ(nkn.status, "TRADING");
  EXPECT_EQ(nkn.base_asset, "NKN");
  EXPECT_EQ(nkn.quote_asset, "USDT");
  EXPECT_EQ(nkn.scales.price_scale, 4);  // 0.0001 has 4 decimals
  EXPECT_EQ(nkn.tick_size, 1);
  EXPECT_EQ(nkn.min_price, 1);
  EXPECT_EQ(nkn.max_price, 10000000);  // 1000 * 10^4
  EXPECT_EQ(nkn.scales.qty_scale, 0);
  EXPECT_EQ(nkn.step_size, 1);
  EXPECT_EQ(nkn.min_qty, 1);
  EXPECT_EQ(nkn.max_qty, 9000000);
  EXPECT_EQ(nkn.min_notional, 1000000000);  // 10 * 10^8 (TH_MONEY_SCALE)

  // BTCUSDT: tickSize "0.01000000", minPrice "0.01000000", maxPrice "1000000.00000000";
  // stepSize "0.00001000", minQty "0.00001000", maxQty "9000.00000000"; minNotional "10.00000000".
  const SymbolInfo& btc = symbol(info, "BTCUSDT");
  EXPECT_EQ(btc.scales.price_scale, 2);
  EXPECT_EQ(btc.tick_size, 1);
  EXPECT_EQ(btc.max_price, 100000000);  // 10^6 * 10^2
  EXPECT_EQ(btc.scales.qty_scale, 5);
  EXPECT_EQ(btc.step_size, 1);
  EXPECT_EQ(btc.min_qty, 1);
  EXPECT_EQ(btc.max_qty, 900000000);  // 9000 * 10^5
  EXPECT_EQ(btc.min_notional, 1000000000);

  // ETHBTC: tickSize "0.00000100", maxPrice "922327.00000000"; stepSize "0.00010000",
  // minQty "0.00010000", maxQty "100000.00000000"; minNotional "0.00010000".
  const SymbolInfo& eth = symbol(info, "ETHBTC");
  EXPECT_EQ(eth.base_asset, "ETH");
  EXPECT_EQ(eth.quote_asset, "BTC");
  EXPECT_EQ(eth.scales.price_scale, 6);
  EXPECT_EQ(eth.max_price, 922327000000);  // 922327 * 10^6
  EXPECT_EQ(eth.scales.qty_scale, 4);
  EXPECT_EQ(eth.min_qty, 1);
  EXPECT_EQ(eth.max_qty, 1000000000);  // 100000 * 10^4
  EXPECT_EQ(eth.min_notional, 10000);  // 0.0001 * 10^8

  // RUNEEUR: tickSize "0.00100000", stepSize "0.10000000", minQty "0.10000000",
  // maxQty "9222449.00000000".
  const SymbolInfo& rune = symbol(info, "RUNEEUR");
  EXPECT_EQ(rune.quote_asset, "EUR");
  EXPECT_EQ(rune.scales.price_scale, 3);
  EXPECT_EQ(rune.scales.qty_scale, 1);
  EXPECT_EQ(rune.min_qty, 1);
  EXPECT_EQ(rune.max_qty, 92224490);  // 9222449 * 10

  // BUSDRUB: tickSize "0.01000000" but maxPrice "112.38300000": rounded down to 112.38.
  EXPECT_EQ(symbol(info, "BUSDRUB").max_price, 11238);

  EXPECT_EQ(info.find("NOSUCHPAIR"), nullptr);
}

TEST(BinanceExchangeInfo, RecordedUsdMResponse) {
  const ExchangeInfo info = load("BINANCE_FUTURES.0");
  EXPECT_EQ(info.server_time_ms, 1626858243909);  // "serverTime":1626858243909
  ASSERT_EQ(info.symbols.size(), 122u);
  // The one symbol not trading: {"symbol":"BTCSTUSDT",...,"status":"PENDING_TRADING"}.
  EXPECT_EQ(symbol(info, "BTCSTUSDT").status, "PENDING_TRADING");

  // SUSHIUSDT: {"minPrice":"0.1430","maxPrice":"500","filterType":"PRICE_FILTER",
  // "tickSize":"0.0010"}, {"stepSize":"1","filterType":"LOT_SIZE","maxQty":"10000000",
  // "minQty":"1"}, {"notional":"5","filterType":"MIN_NOTIONAL"}.
  const SymbolInfo& sushi = symbol(info, "SUSHIUSDT");
  EXPECT_EQ(sushi.base_asset, "SUSHI");
  EXPECT_EQ(sushi.quote_asset, "USDT");
  EXPECT_EQ(sushi.scales.price_scale, 3);  // "0.0010": the trailing zero carries nothing
  EXPECT_EQ(sushi.tick_size, 1);
  EXPECT_EQ(sushi.min_price, 143);  // 0.143 * 10^3
  EXPECT_EQ(sushi.max_price, 500000);
  EXPECT_EQ(sushi.scales.qty_scale, 0);
  EXPECT_EQ(sushi.min_qty, 1);
  EXPECT_EQ(sushi.max_qty, 10000000);
  EXPECT_EQ(sushi.min_notional, 500000000);  // 5 * 10^8, from the USD-M key "notional"

  // CTKUSDT: {"minPrice":"0.02600","maxPrice":"100",...,"tickSize":"0.00100"}, stepSize "1".
  const SymbolInfo& ctk = symbol(info, "CTKUSDT");
  EXPECT_EQ(ctk.scales.price_scale, 3);
  EXPECT_EQ(ctk.min_price, 26);
  EXPECT_EQ(ctk.max_price, 100000);
  EXPECT_EQ(ctk.scales.qty_scale, 0);

  // BTCUSDT: {"minPrice":"556.72","maxPrice":"1000000",...,"tickSize":"0.01"},
  // {"stepSize":"0.001",...,"maxQty":"1000","minQty":"0.001"}.
  const SymbolInfo& btc = symbol(info, "BTCUSDT");
  EXPECT_EQ(btc.scales.price_scale, 2);
  EXPECT_EQ(btc.min_price, 55672);
  EXPECT_EQ(btc.max_price, 100000000);
  EXPECT_EQ(btc.scales.qty_scale, 3);
  EXPECT_EQ(btc.min_qty, 1);
  EXPECT_EQ(btc.max_qty, 1000000);
  EXPECT_EQ(btc.min_notional, 500000000);
}

// A minimal response with one symbol whose filters are `filters` (JSON array text).
std::string one_symbol(const std::string& filters) {
  return R"({"serverTime":1,"symbols":[{"symbol":"ABCUSDT","status":"TRADING",)"
         R"("baseAsset":"ABC","quoteAsset":"USDT","filters":)" +
         filters + "}]}";
}

const char* kPrice = R"({"filterType":"PRICE_FILTER","minPrice":"0","maxPrice":"0","tickSize":"0.01"})";
const char* kLot = R"({"filterType":"LOT_SIZE","minQty":"0.1","maxQty":"100","stepSize":"0.1"})";

TEST(BinanceExchangeInfo, NotionalFilterAndDisabledPriceRules) {
  ExchangeInfo info;
  std::string error;
  // Today's spot filter: NOTIONAL with minNotional; minPrice/maxPrice "0" = rule disabled.
  const std::string body = one_symbol(std::string("[") + kPrice + "," + kLot +
                                      R"(,{"filterType":"NOTIONAL","minNotional":"5.5",)"
                                      R"("maxNotional":"9000000"}])");
  ASSERT_TRUE(parse_exchange_info(body, info, error)) << error;
  const SymbolInfo& s = info.symbols.at(0);
  EXPECT_EQ(s.min_notional, 550000000);  // 5.5 * 10^8
  EXPECT_EQ(s.min_price, 0);
  EXPECT_EQ(s.max_price, 0);
  EXPECT_EQ(s.scales.qty_scale, 1);
  EXPECT_EQ(s.max_qty, 1000);
}

TEST(BinanceExchangeInfo, OffGridBoundsAreRoundedInward) {
  // As spot BUSDRUB's maxPrice "112.38300000" under tickSize "0.01000000": the highest valid
  // price is 112.38, raw 11238. A minimum of 0.005 makes 0.01 (raw 1) the lowest valid price;
  // minQty 0.05 under step 0.1 makes 0.1 (raw 1) the smallest quantity, maxQty 99.99 -> 99.9.
  ExchangeInfo info;
  std::string error;
  const std::string body = one_symbol(
      R"([{"filterType":"PRICE_FILTER","minPrice":"0.005","maxPrice":"112.383","tickSize":"0.01"},)"
      R"({"filterType":"LOT_SIZE","minQty":"0.05","maxQty":"99.99","stepSize":"0.1"}])");
  ASSERT_TRUE(parse_exchange_info(body, info, error)) << error;
  const SymbolInfo& s = info.symbols.at(0);
  EXPECT_EQ(s.min_price, 1);
  EXPECT_EQ(s.max_price, 11238);
  EXPECT_EQ(s.min_qty, 1);
  EXPECT_EQ(s.max_qty, 999);
}

TEST(BinanceExchangeInfo, SymbolWithoutNotionalFilterHasZeroMinimum) {
  ExchangeInfo info;
  std::string error;
  ASSERT_TRUE(parse_exchange_info(one_symbol(std::string("[") + kPrice + "," + kLot + "]"), info,
                                  error))
      << error;
  EXPECT_EQ(info.symbols.at(0).min_notional, 0);
}

TEST(BinanceExchangeInfo, ErrorsNameTheSymbolFilterAndField) {
  ExchangeInfo info;
  std::string error;
  EXPECT_FALSE(parse_exchange_info(one_symbol(std::string("[") + kLot + "]"), info, error));
  EXPECT_EQ(error, "exchangeInfo symbol ABCUSDT: field 'filters' has no PRICE_FILTER");

  const std::string fine_notional =
      std::string("[") + kPrice + "," + kLot +
      R"(,{"filterType":"MIN_NOTIONAL","minNotional":"0.000000001"}])";
  EXPECT_FALSE(parse_exchange_info(one_symbol(fine_notional), info, error));
  EXPECT_NE(error.find("exchangeInfo symbol ABCUSDT MIN_NOTIONAL: field 'minNotional'"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("more decimals than scale 8"), std::string::npos) << error;

  const std::string bad_tick =
      R"([{"filterType":"PRICE_FILTER","minPrice":"0","maxPrice":"0","tickSize":"1e-2"}])";
  EXPECT_FALSE(parse_exchange_info(one_symbol(bad_tick), info, error));
  EXPECT_NE(error.find("PRICE_FILTER: field 'tickSize' \"1e-2\" is not a plain decimal"),
            std::string::npos)
      << error;

  EXPECT_FALSE(parse_exchange_info(R"({"serverTime":1,"symbols":[{"symbol":"X"}]})", info, error));
  EXPECT_EQ(error, "exchangeInfo symbol X: field 'status' is missing");

  EXPECT_FALSE(parse_exchange_info(R"({"serverTime":1,"symbols":[)", info, error));
  EXPECT_NE(error.find("exchangeInfo: invalid JSON at offset"), std::string::npos) << error;
}

}  // namespace
