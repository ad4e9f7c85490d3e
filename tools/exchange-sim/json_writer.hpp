// json_writer.hpp -- a thin layer over rapidjson::Writer so each renderer reads like the Binance
// doc example it copies: obj().f("symbol", ...).n("orderId", ...).end_obj(). Amounts are int64 at
// kScale (8 decimals) and are written as decimal strings, as Binance sends them.
#ifndef TRADEHOST_EXCHANGE_SIM_JSON_WRITER_HPP
#define TRADEHOST_EXCHANGE_SIM_JSON_WRITER_HPP

#include "candle_series.hpp"

#include <tradehost/fixed.hpp>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <string>

namespace tradehost::exchange_sim {

class Json {
 public:
  Json() : w_(buf_) {}
  Json& obj() { return w_.StartObject(), *this; }
  Json& end_obj() { return w_.EndObject(), *this; }
  Json& arr() { return w_.StartArray(), *this; }
  Json& end_arr() { return w_.EndArray(), *this; }
  Json& key(const char* k) { return w_.Key(k), *this; }
  Json& str(const std::string& v) { return w_.String(v.data(), static_cast<rapidjson::SizeType>(v.size())), *this; }
  Json& str(const char* v) { return w_.String(v), *this; }
  Json& num(int64_t v) { return w_.Int64(v), *this; }
  Json& boolean(bool v) { return w_.Bool(v), *this; }
  Json& null() { return w_.Null(), *this; }
  /// A value that is already JSON text (e.g. a recorded object), written as it is.
  Json& raw(const std::string& json, rapidjson::Type type) {
    return w_.RawValue(json.data(), json.size(), type), *this;
  }
  /// An amount at kScale as a string with all 8 decimals ("16727.30000000").
  Json& fixed(int64_t raw) { return str(format_fixed(raw, kScale)); }
  /// An amount at kScale as a string with `decimals` decimals (half-up when digits are dropped):
  /// USDⓈ-M prints prices with pricePrecision and quantities with quantityPrecision decimals.
  Json& fixed(int64_t raw, int decimals) {
    int64_t scaled = raw;
    rescale(raw, kScale, decimals, Rounding::HalfUp, scaled);
    return str(format_fixed(scaled, decimals));
  }
  // Field shorthands.
  Json& f(const char* k, const std::string& v) { return key(k).str(v); }
  Json& f(const char* k, const char* v) { return key(k).str(v); }
  Json& n(const char* k, int64_t v) { return key(k).num(v); }
  Json& b(const char* k, bool v) { return key(k).boolean(v); }
  Json& x(const char* k, int64_t raw) { return key(k).fixed(raw); }
  Json& x(const char* k, int64_t raw, int decimals) { return key(k).fixed(raw, decimals); }
  std::string text() const { return std::string(buf_.GetString(), buf_.GetSize()); }

 private:
  rapidjson::StringBuffer buf_;
  rapidjson::Writer<rapidjson::StringBuffer> w_;
};

}  // namespace tradehost::exchange_sim

#endif
