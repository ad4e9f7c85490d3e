#include "exchange_info.hpp"

#include "json_fields.hpp"

#include <tradehost/fixed.hpp>
#include <tradehost/plugin.h>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <string>

namespace tradehost::binance {

namespace {

using detail::JsonFields;

// Finds the filter object whose filterType is `type` in `filters`, or nullptr.
const rapidjson::Value* find_filter(const rapidjson::Value& filters, std::string_view type) {
  for (const rapidjson::Value& f : filters.GetArray()) {
    if (!f.IsObject()) continue;
    auto it = f.FindMember("filterType");
    if (it != f.MemberEnd() && it->value.IsString() &&
        std::string_view(it->value.GetString(), it->value.GetStringLength()) == type)
      return &f;
  }
  return nullptr;
}

// A step-like field (tickSize / stepSize): its text gives the scale, its value the raw step.
bool step_field(const JsonFields& f, const char* key, int& scale, int64_t& raw) {
  std::string_view text;
  if (!f.str(key, text)) return false;
  const int s = scale_of_step_text(text);
  if (s < 0) {
    std::string problem = "\"";  // appended piecewise: g++ 12 warns (-Wrestrict) on a + chain
    problem.append(text);
    problem += "\" is not a plain decimal with at most 18 decimals";
    return f.fail(key, problem);
  }
  if (!f.fixed(key, s, raw)) return false;  // cannot fail after the check; kept for the message
  scale = s;
  return true;
}

bool parse_symbol(const rapidjson::Value& s, SymbolInfo& out, std::string& error) {
  if (!s.IsObject()) {
    error = "exchangeInfo: an element of 'symbols' is not an object";
    return false;
  }
  JsonFields head(s, "exchangeInfo symbol", error);
  if (!head.str("symbol", out.symbol)) return false;
  const std::string what = "exchangeInfo symbol " + out.symbol;
  JsonFields f(s, what, error);
  if (!f.str("status", out.status) || !f.str("baseAsset", out.base_asset) ||
      !f.str("quoteAsset", out.quote_asset))
    return false;
  out.contract_type.clear();
  out.margin_asset.clear();
  if ((f.has("contractType") && !f.str("contractType", out.contract_type)) ||
      (f.has("marginAsset") && !f.str("marginAsset", out.margin_asset)))
    return false;
  const rapidjson::Value* filters = f.get("filters");
  if (filters == nullptr) return false;
  if (!filters->IsArray()) return f.fail("filters", "is not an array");

  const rapidjson::Value* price = find_filter(*filters, "PRICE_FILTER");
  if (price == nullptr) return f.fail("filters", "has no PRICE_FILTER");
  const std::string price_what = what + " PRICE_FILTER";
  JsonFields pf(*price, price_what, error);
  // Bounds need not sit on the grid (spot BUSDRUB: maxPrice "112.38300000", tickSize 0.01), so
  // they are rounded inward: every valid price is an integer at price_scale, hence
  // ceil(minPrice) <= price <= floor(maxPrice) at that scale accepts exactly the same prices.
  if (!step_field(pf, "tickSize", out.scales.price_scale, out.tick_size) ||
      !pf.fixed("minPrice", out.scales.price_scale, out.min_price, Rounding::Ceil) ||
      !pf.fixed("maxPrice", out.scales.price_scale, out.max_price, Rounding::Floor))
    return false;

  const rapidjson::Value* lot = find_filter(*filters, "LOT_SIZE");
  if (lot == nullptr) return f.fail("filters", "has no LOT_SIZE");
  const std::string lot_what = what + " LOT_SIZE";
  JsonFields lf(*lot, lot_what, error);
  if (!step_field(lf, "stepSize", out.scales.qty_scale, out.step_size) ||
      !lf.fixed("minQty", out.scales.qty_scale, out.min_qty, Rounding::Ceil) ||
      !lf.fixed("maxQty", out.scales.qty_scale, out.max_qty, Rounding::Floor))
    return false;

  // Spot renamed MIN_NOTIONAL to NOTIONAL (both carry minNotional); USD-M names the value
  // `notional`. The first one present wins: a symbol never carries both.
  out.min_notional = 0;
  if (const rapidjson::Value* mn = find_filter(*filters, "MIN_NOTIONAL")) {
    const std::string mn_what = what + " MIN_NOTIONAL";
    JsonFields nf(*mn, mn_what, error);
    const char* key = nf.has("minNotional") ? "minNotional" : "notional";
    if (!nf.fixed(key, TH_MONEY_SCALE, out.min_notional)) return false;
  } else if (const rapidjson::Value* n = find_filter(*filters, "NOTIONAL")) {
    const std::string n_what = what + " NOTIONAL";
    JsonFields nf(*n, n_what, error);
    if (!nf.fixed("minNotional", TH_MONEY_SCALE, out.min_notional)) return false;
  }
  return true;
}

}  // namespace

int scale_of_step_text(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  if (i == 0) return -1;
  if (i == text.size()) return 0;
  if (text[i] != '.') return -1;
  const size_t frac_begin = ++i;
  bool nonzero = false;
  for (size_t j = 0; j < frac_begin - 1; ++j) nonzero |= text[j] != '0';
  size_t last_nonzero = frac_begin;  // one past the last non-zero fraction digit
  for (; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    if (text[i] != '0') {
      nonzero = true;
      last_nonzero = i + 1;
    }
  }
  const size_t decimals = nonzero ? last_nonzero - frac_begin : text.size() - frac_begin;
  return decimals <= 18 ? static_cast<int>(decimals) : -1;
}

const SymbolInfo* ExchangeInfo::find(std::string_view symbol) const {
  for (const SymbolInfo& s : symbols)
    if (s.symbol == symbol) return &s;
  return nullptr;
}

bool parse_exchange_info(std::string_view body, ExchangeInfo& out, std::string& error) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());  // see parse_document()
  if (doc.HasParseError()) {
    error = "exchangeInfo: invalid JSON at offset " + std::to_string(doc.GetErrorOffset()) + ": " +
            rapidjson::GetParseError_En(doc.GetParseError());
    return false;
  }
  if (!doc.IsObject()) {
    error = "exchangeInfo: not a JSON object";
    return false;
  }
  JsonFields f(doc, "exchangeInfo", error);
  ExchangeInfo parsed;
  if (!f.i64("serverTime", parsed.server_time_ms)) return false;
  const rapidjson::Value* symbols = f.get("symbols");
  if (symbols == nullptr) return false;
  if (!symbols->IsArray()) return f.fail("symbols", "is not an array");
  parsed.symbols.resize(symbols->Size());
  for (rapidjson::SizeType i = 0; i < symbols->Size(); ++i)
    if (!parse_symbol((*symbols)[i], parsed.symbols[i], error)) return false;
  out = std::move(parsed);
  return true;
}

}  // namespace tradehost::binance
