#include "algo_orders.hpp"

#include <rapidjson/document.h>

#include <charconv>

#include "json_fields.hpp"

namespace tradehost::binance {

namespace {

using detail::JsonFields;

constexpr std::pair<std::string_view, AlgoStatus> kStatusNames[] = {{"NEW", AlgoStatus::New},
                                                                    {"CANCELED", AlgoStatus::Canceled},
                                                                    {"TRIGGERING", AlgoStatus::Triggering},
                                                                    {"TRIGGERED", AlgoStatus::Triggered},
                                                                    {"FINISHED", AlgoStatus::Finished},
                                                                    {"REJECTED", AlgoStatus::Rejected},
                                                                    {"EXPIRED", AlgoStatus::Expired}};

bool status_field(const JsonFields& f, const char* key, AlgoStatus& out) {
  std::string_view text;
  if (!f.str(key, text)) return false;
  if (!parse_algo_status(text, out)) return f.fail(key, "is not an algo status (\"" + std::string(text) + "\")");
  return true;
}

// A decimal that may be absent, null or "" (the market types' price, an unset triggerPrice): 0.
bool optional_decimal(const JsonFields& f, const char* key, int scale, int64_t& out, Rounding r = Rounding::Exact) {
  out = 0;
  if (!f.has(key)) return true;
  const rapidjson::Value* v = f.get(key);
  if (v->IsNull() || (v->IsString() && v->GetStringLength() == 0)) return true;
  int64_t value = 0;
  if (!f.fixed(key, scale, value, r)) return false;
  if (value < 0) return f.fail(key, "is negative");
  out = value;
  return true;
}

bool optional_text(const JsonFields& f, const char* key, std::string& out) {
  out.clear();
  if (!f.has(key)) return true;
  const rapidjson::Value* v = f.get(key);
  return v->IsNull() || f.str(key, out);
}

bool optional_i64(const JsonFields& f, const char* key, int64_t& out) {
  out = 0;
  return !f.has(key) || f.i64(key, out);
}

bool optional_bool(const JsonFields& f, const char* key, bool& out) {
  out = false;
  return !f.has(key) || f.boolean(key, out);
}

// `actualOrderId` / `ai`: "" before the algo order triggered, then the placed order's id -- a
// string of digits in the documents' and the recorded payloads; a JSON integer is taken as well.
bool actual_order_id(const JsonFields& f, const char* key, int64_t& out) {
  out = -1;
  if (!f.has(key)) return true;
  const rapidjson::Value* v = f.get(key);
  if (v->IsNull()) return true;
  if (v->IsInt64()) {
    out = v->GetInt64();
    return true;
  }
  if (!v->IsString()) return f.fail(key, "is neither an order id nor a string");
  const std::string_view text(v->GetString(), v->GetStringLength());
  if (text.empty()) return true;
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id < 0)
    return f.fail(key, "is not an order id (\"" + std::string(text) + "\")");
  out = id;
  return true;
}

// One REST algo order object, its symbol already read and its scales found.
bool parse_algo_object(const JsonFields& f, const Scales& sc, AlgoOrderReport& out) {
  return f.i64("algoId", out.algo_id) && f.str("clientAlgoId", out.client_algo_id) &&
         optional_text(f, "algoType", out.algo_type) && f.str("orderType", out.order_type) && f.str("side", out.side) &&
         optional_text(f, "timeInForce", out.time_in_force) && optional_decimal(f, "quantity", sc.qty_scale, out.qty) &&
         status_field(f, "algoStatus", out.status) && actual_order_id(f, "actualOrderId", out.actual_order_id) &&
         optional_decimal(f, "actualPrice", sc.price_scale, out.actual_avg_price, Rounding::HalfUp) &&
         optional_decimal(f, "triggerPrice", sc.price_scale, out.trigger_price) &&
         optional_decimal(f, "price", sc.price_scale, out.price) && optional_bool(f, "reduceOnly", out.reduce_only) &&
         optional_i64(f, "updateTime", out.time_ms) && optional_i64(f, "triggerTime", out.trigger_time_ms);
}

// The symbol of an object and its scales; nullptr with `error` when the lookup has none.
const Scales* scales_of(const JsonFields& f, const char* key, const AlgoScalesLookup& lookup, std::string& symbol) {
  if (!f.str(key, symbol)) return nullptr;
  const Scales* s = lookup ? lookup(symbol) : nullptr;
  if (s == nullptr) f.fail(key, "names symbol '" + symbol + "', which has no known scales");
  return s;
}

}  // namespace

bool parse_algo_status(std::string_view text, AlgoStatus& out) {
  for (const auto& [name, status] : kStatusNames)
    if (name == text) {
      out = status;
      return true;
    }
  return false;
}

std::string_view to_string(AlgoStatus status) {
  for (const auto& [name, s] : kStatusNames)
    if (s == status) return name;
  return "?";
}

bool parse_algo_order(std::string_view body, const AlgoScalesLookup& scales, AlgoOrderReport& out, std::string& error) {
  rapidjson::Document doc;
  if (!detail::parse_document(body, "algo order", doc, error)) return false;
  AlgoOrderReport parsed;
  JsonFields head(doc, "algo order", error);
  const Scales* sc = scales_of(head, "symbol", scales, parsed.symbol);
  if (sc == nullptr) return false;
  const std::string what = "algo order " + parsed.symbol;
  if (!parse_algo_object(JsonFields(doc, what, error), *sc, parsed)) return false;
  out = std::move(parsed);
  return true;
}

bool parse_algo_open_orders(std::string_view body, const AlgoScalesLookup& scales, std::vector<AlgoOrderReport>& out,
                            size_t& skipped, std::string& error) {
  rapidjson::Document doc;
  if (!detail::parse_document(body, "openAlgoOrders", doc, error, true)) return false;
  std::vector<AlgoOrderReport> parsed;
  size_t unknown = 0;
  for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
    const std::string what = "openAlgoOrders[" + std::to_string(i) + "]";
    if (!doc[i].IsObject()) {
      error = what + ": not an object";
      return false;
    }
    JsonFields f(doc[i], what, error);
    AlgoOrderReport r;
    if (!f.str("symbol", r.symbol)) return false;
    const Scales* sc = scales ? scales(r.symbol) : nullptr;
    if (sc == nullptr) {
      ++unknown;
      continue;
    }
    if (!parse_algo_object(f, *sc, r)) return false;
    parsed.push_back(std::move(r));
  }
  out = std::move(parsed);
  skipped = unknown;
  return true;
}

bool parse_algo_cancel(std::string_view body, AlgoCancelAnswer& out, std::string& error) {
  rapidjson::Document doc;
  if (!detail::parse_document(body, "algo cancel", doc, error)) return false;
  JsonFields f(doc, "algo cancel", error);
  AlgoCancelAnswer parsed;
  if (!f.i64("algoId", parsed.algo_id) || !f.str("clientAlgoId", parsed.client_algo_id)) return false;
  const rapidjson::Value* code = f.get("code");
  if (code == nullptr) return false;
  if (code->IsInt64())
    parsed.code = std::to_string(code->GetInt64());
  else if (!f.str("code", parsed.code))
    return false;
  if (!optional_text(f, "msg", parsed.msg)) return false;
  out = std::move(parsed);
  return true;
}

bool detail::parse_algo_update(const rapidjson::Value& payload, const AlgoScalesLookup& scales, AlgoOrderReport& out,
                               std::string& error) {
  JsonFields top(payload, "ALGO_UPDATE", error);
  AlgoOrderReport parsed;
  // The English page labels "T" Event Time and "E" Transaction Time; the Chinese one "E" the
  // matching time. E is when it happened at the venue, as ORDER_TRADE_UPDATE's "T" is.
  if (!top.i64("E", parsed.time_ms)) return false;
  const rapidjson::Value* o = top.get("o");
  if (o == nullptr) return false;
  if (!o->IsObject()) return top.fail("o", "is not an object");
  JsonFields head(*o, "ALGO_UPDATE", error);
  const Scales* sc = scales_of(head, "s", scales, parsed.symbol);
  if (sc == nullptr) return false;
  const std::string what = "ALGO_UPDATE " + parsed.symbol;
  JsonFields f(*o, what, error);
  if (!f.str("caid", parsed.client_algo_id) || !f.i64("aid", parsed.algo_id) ||
      !optional_text(f, "at", parsed.algo_type) || !f.str("o", parsed.order_type) || !f.str("S", parsed.side) ||
      !optional_text(f, "f", parsed.time_in_force) || !optional_decimal(f, "q", sc->qty_scale, parsed.qty) ||
      !status_field(f, "X", parsed.status) || !actual_order_id(f, "ai", parsed.actual_order_id) ||
      !optional_decimal(f, "ap", sc->price_scale, parsed.actual_avg_price, Rounding::HalfUp) ||
      !optional_decimal(f, "aq", sc->qty_scale, parsed.actual_executed_qty) ||
      !optional_text(f, "act", parsed.actual_order_type) ||
      !optional_decimal(f, "tp", sc->price_scale, parsed.trigger_price) ||
      !optional_decimal(f, "p", sc->price_scale, parsed.price) || !optional_bool(f, "R", parsed.reduce_only) ||
      !optional_i64(f, "tt", parsed.trigger_time_ms) || !optional_text(f, "rm", parsed.reason))
    return false;
  out = std::move(parsed);
  return true;
}

}  // namespace tradehost::binance
