// Fuzz target: Binance REST answers the connectors read before trading (binance_common):
// exchangeInfo and its PRICE_FILTER / LOT_SIZE / MIN_NOTIONAL filters (parse_exchange_info),
// klines pages and the KlineHistory that pages back through them (parse_rest_klines), and error
// answers (parse_api_error, classify). Every parser reads every input.
// Invariants: a symbol's scales are 0..18 and are the decimals of its tickSize / stepSize text
// once trailing zeros are dropped (scale_of_step_text), so a non-zero tick or step is the
// smallest raw unit that carries information (not a multiple of 10), and it equals its text;
// minNotional is exact at TH_MONEY_SCALE; kline prices and volumes are their exact text and never
// negative; KlineHistory keeps closed candles only, oldest first, without repeats, at most the
// number asked, and its next query stays well-formed whatever times a page carries.
#include "fuzz_check.hpp"
#include "fuzz_json.hpp"

#include <binance_common/exchange_info.hpp>
#include <binance_common/kline_history.hpp>
#include <binance_common/venue_error.hpp>
#include <tradehost/plugin.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using namespace tradehost;
using namespace tradehost::binance;

namespace {

const rapidjson::Value* filter(const rapidjson::Value& s, std::string_view type) {
  for (const rapidjson::Value& f : s["filters"].GetArray())
    if (f.IsObject() && f.HasMember("filterType") && f["filterType"].IsString() &&
        std::string_view(f["filterType"].GetString(), f["filterType"].GetStringLength()) == type)
      return &f;
  return nullptr;
}

void check_step(const rapidjson::Value& f, const char* key, int scale, int64_t raw) {
  FUZZ_CHECK(scale >= 0 && scale <= 18, "scale %d", scale);
  FUZZ_CHECK(scale == scale_of_step_text(fuzz::text_of(f, key)), "%s: scale %d", key, scale);
  fuzz::check_non_negative(f, key, raw, scale);
  FUZZ_CHECK(raw == 0 || raw % 10 != 0 || scale == 0, "%s: raw step %lld at scale %d is not minimal", key,
             static_cast<long long>(raw), scale);
}

void check_exchange_info(const rapidjson::Value& doc, const ExchangeInfo& info) {
  const rapidjson::Value& symbols = doc["symbols"];
  FUZZ_CHECK(symbols.Size() == info.symbols.size(), "symbol count");
  for (size_t i = 0; i < info.symbols.size(); ++i) {
    const SymbolInfo& s = info.symbols[i];
    const rapidjson::Value* pf = filter(symbols[i], "PRICE_FILTER");
    const rapidjson::Value* lf = filter(symbols[i], "LOT_SIZE");
    FUZZ_CHECK(pf != nullptr && lf != nullptr, "a symbol without PRICE_FILTER or LOT_SIZE was accepted");
    check_step(*pf, "tickSize", s.scales.price_scale, s.tick_size);
    check_step(*lf, "stepSize", s.scales.qty_scale, s.step_size);
    if (const rapidjson::Value* mn = filter(symbols[i], "MIN_NOTIONAL"))
      fuzz::check_exact(*mn, mn->HasMember("minNotional") ? "minNotional" : "notional", s.min_notional, TH_MONEY_SCALE);
    else if (const rapidjson::Value* n = filter(symbols[i], "NOTIONAL"))
      fuzz::check_exact(*n, "minNotional", s.min_notional, TH_MONEY_SCALE);
    else
      FUZZ_CHECK(s.min_notional == 0, "min_notional without a filter");
  }
}

void check_klines(const rapidjson::Value& doc, const Scales& sc, const std::vector<RestKline>& klines) {
  FUZZ_CHECK(doc.IsArray() && doc.Size() == klines.size(), "kline count");
  for (size_t i = 0; i < klines.size(); ++i) {
    const rapidjson::Value& row = doc[i];
    const RestKline& k = klines[i];
    FUZZ_CHECK(row[0].GetInt64() == k.open_time_ms && row[6].GetInt64() == k.close_time_ms, "kline times");
    const int64_t values[] = {k.open, k.high, k.low, k.close, k.volume};
    for (int c = 1; c <= 5; ++c) {
      const std::string_view t(row[c].GetString(), row[c].GetStringLength());
      const int scale = c == 5 ? sc.qty_scale : sc.price_scale;
      FUZZ_CHECK(fuzz::denotes(t, values[c - 1], scale) && values[c - 1] >= 0,
                 "klines[%zu][%d] = \"%.*s\" parsed as %lld at scale %d", i, c, static_cast<int>(t.size()), t.data(),
                 static_cast<long long>(values[c - 1]), scale);
    }
  }
}

void check_history(const std::vector<RestKline>& page) {
  // A history of 3 bars at a server time inside the page, in pages of 2.
  const int64_t now = page.empty() ? 0 : page[page.size() / 2].close_time_ms;
  KlineHistory h(3, now, 2);
  for (int round = 0; round < 3 && !h.done(); ++round) {
    FUZZ_CHECK(h.next_limit() >= 1 && h.next_limit() <= 2, "page limit %lld", static_cast<long long>(h.next_limit()));
    const std::string q = h.next_query();
    FUZZ_CHECK(q.find("limit=") != std::string::npos, "query '%s'", q.c_str());
    h.take(page);
    const std::vector<RestKline>& got = h.candles();
    FUZZ_CHECK(got.size() <= 3, "%zu candles kept of 3 asked", got.size());
    for (size_t i = 0; i < got.size(); ++i) {
      FUZZ_CHECK(got[i].close_time_ms < now, "a candle still open was kept");
      if (i > 0) FUZZ_CHECK(got[i - 1].open_time_ms < got[i].open_time_ms, "candles out of order or repeated");
    }
  }
  if (!h.done()) (void)h.next_query();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  rapidjson::Document doc;
  const bool json = fuzz::parse_json(body, doc);
  std::string error;

  ExchangeInfo info;
  if (parse_exchange_info(body, info, error)) {
    FUZZ_CHECK(json && doc.IsObject(), "accepted exchangeInfo that is not an object");
    check_exchange_info(doc, info);
  }

  for (const Scales sc : {Scales{2, 5}, Scales{8, 0}, Scales{0, 18}}) {
    std::vector<RestKline> klines;
    if (parse_rest_klines(body, sc, klines, error)) {
      FUZZ_CHECK(json, "accepted klines that are not JSON");
      check_klines(doc, sc, klines);
      check_history(klines);
    }
  }

  ApiError e;
  const bool is_error = parse_api_error(400, body, e);
  FUZZ_CHECK(is_error || e.msg.size() <= 200, "a non-error body quoted with %zu bytes", e.msg.size());
  if (is_error) fuzz::check_int(doc, "code", e.code);
  (void)describe(e);
  (void)status_of(classify(e));
  (void)retry_after_seconds(body);
  return 0;
}
