#include "capture_recording.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fstream>
#include <map>
#include <stdexcept>
#include <string_view>
#include <tradehost/fixed.hpp>

namespace tradehost::exchange_sim {

namespace {

[[noreturn]] void fail(const std::string& path, size_t line, const std::string& what) {
  throw std::runtime_error(path + (line ? ":" + std::to_string(line) : std::string()) + ": " + what);
}

// Lines of a file, numbered from 1, empty ones skipped.
std::vector<std::pair<size_t, std::string>> read_lines(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail(path, 0, "cannot open capture file");
  std::vector<std::pair<size_t, std::string>> out;
  std::string text;
  for (size_t n = 1; std::getline(in, text); ++n) {
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (!text.empty()) out.emplace_back(n, std::move(text));
  }
  return out;
}

// A REST line "<URL> -> <epoch>: <body>": its URL and body.
bool split_rest_line(const std::string& line, std::string& url, std::string_view& body) {
  const size_t arrow = line.find(" -> ");
  if (arrow == std::string::npos) return false;
  const size_t colon = line.find(": ", arrow + 4);
  if (colon == std::string::npos) return false;
  url = line.substr(0, arrow);
  body = std::string_view(line).substr(colon + 2);
  return true;
}

std::string compact(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

// Reads fields of one JSON object; the first problem is kept with its context for the error.
class Fields {
 public:
  Fields(const rapidjson::Value& v, std::string context) : v_(v), context_(std::move(context)) {}
  const std::string& error() const { return error_; }

  const rapidjson::Value* get(const char* name) {
    if (!v_.IsObject()) return bad("is not a JSON object");
    auto it = v_.FindMember(name);
    if (it == v_.MemberEnd()) return bad(std::string("has no \"") + name + "\"");
    return &it->value;
  }
  std::string str(const char* name) {
    const rapidjson::Value* f = get(name);
    if (f == nullptr) return {};
    if (!f->IsString()) return bad(std::string("\"") + name + "\" is not a string"), std::string();
    return std::string(f->GetString(), f->GetStringLength());
  }
  int64_t integer(const char* name) {
    const rapidjson::Value* f = get(name);
    if (f == nullptr) return 0;
    if (!f->IsInt64()) return bad(std::string("\"") + name + "\" is not an integer"), 0;
    return f->GetInt64();
  }
  bool boolean(const char* name) {
    const rapidjson::Value* f = get(name);
    if (f == nullptr) return false;
    if (!f->IsBool()) return bad(std::string("\"") + name + "\" is not a boolean"), false;
    return f->GetBool();
  }
  /// A decimal string at kScale.
  int64_t amount(const char* name) { return decimal(str(name), name); }
  int64_t decimal(const std::string& text, const char* what) {
    if (!error_.empty()) return 0;
    int64_t raw = 0;
    std::string e;
    if (!parse_fixed(text, kScale, raw, &e)) return bad(std::string(what) + " \"" + text + "\": " + e), 0;
    return raw;
  }
  /// [["price","qty"],...] at kScale.
  std::vector<BookLevel> levels(const char* name) {
    std::vector<BookLevel> out;
    const rapidjson::Value* f = get(name);
    if (f == nullptr) return out;
    if (!f->IsArray()) return bad(std::string("\"") + name + "\" is not an array"), out;
    for (const auto& l : f->GetArray()) {
      if (!l.IsArray() || l.Size() < 2 || !l[0].IsString() || !l[1].IsString())
        return bad(std::string("a level of \"") + name + "\" is not [\"price\",\"qty\"]"), out;
      out.push_back({decimal(l[0].GetString(), "price"), decimal(l[1].GetString(), "quantity")});
    }
    return out;
  }

 private:
  const rapidjson::Value* bad(const std::string& what) {
    if (error_.empty()) error_ = context_ + " " + what;
    return nullptr;
  }
  const rapidjson::Value& v_;
  std::string context_;
  std::string error_;
};

// The trading rules of one exchangeInfo symbol (filters.md; USD-M exchangeInfo "filters").
SymbolRules rules_of(const rapidjson::Value& s, Venue venue, std::string& error) {
  SymbolRules r;
  Fields f(s, "exchangeInfo symbol");
  r.symbol = f.str("symbol");
  r.base_asset = f.str("baseAsset");
  r.quote_asset = f.str("quoteAsset");
  if (venue == Venue::UsdM) {
    r.price_precision = static_cast<int>(f.integer("pricePrecision"));
    r.qty_precision = static_cast<int>(f.integer("quantityPrecision"));
    r.max_notional = 0;
  } else {
    r.price_precision = r.qty_precision = kScale;  // spot prints every amount with 8 decimals
  }
  const rapidjson::Value* filters = f.get("filters");
  if (filters != nullptr && filters->IsArray()) {
    for (const auto& filter : filters->GetArray()) {
      Fields ff(filter, "exchangeInfo " + r.symbol + " filter");
      const std::string type = ff.str("filterType");
      if (type == "PRICE_FILTER") {
        r.min_price = ff.amount("minPrice");
        r.max_price = ff.amount("maxPrice");
        r.tick_size = ff.amount("tickSize");
      } else if (type == "LOT_SIZE") {
        r.min_qty = ff.amount("minQty");
        r.max_qty = ff.amount("maxQty");
        r.step_size = ff.amount("stepSize");
      } else if (type == "MARKET_LOT_SIZE") {
        r.market_min_qty = ff.amount("minQty");
        r.market_max_qty = ff.amount("maxQty");
        r.market_step_size = ff.amount("stepSize");
        r.market_lot_size = true;
      } else if (type == "MIN_NOTIONAL" && venue == Venue::UsdM) {
        r.min_notional = ff.amount("notional");
      } else if (type == "MIN_NOTIONAL") {
        r.notional_filter = "MIN_NOTIONAL";
        r.min_notional = ff.amount("minNotional");
        r.min_notional_to_market = ff.boolean("applyToMarket");
        r.max_notional = 0;
      } else if (type == "NOTIONAL") {
        r.notional_filter = "NOTIONAL";
        r.min_notional = ff.amount("minNotional");
        r.min_notional_to_market = ff.boolean("applyMinToMarket");
        r.max_notional = ff.amount("maxNotional");
      } else if (type == "MAX_NUM_ORDERS") {
        r.max_num_orders = static_cast<int>(ff.integer(venue == Venue::UsdM ? "limit" : "maxNumOrders"));
      }
      if (!ff.error().empty()) {
        error = ff.error();
        return r;
      }
    }
  }
  if (error.empty()) error = f.error();
  return r;
}

void load_exchange_info(const std::string& path, Venue venue, CaptureRecording& rec,
                        std::map<std::string, RecordedSymbol>& all) {
  for (const auto& [n, line] : read_lines(path)) {
    std::string url;
    std::string_view body;
    if (!split_rest_line(line, url, body) || url.find("exchangeInfo") == std::string::npos) continue;
    const bool usdm = url.find("/fapi/") != std::string::npos;
    if (usdm != (venue == Venue::UsdM))
      fail(path, n,
           std::string("a ") + (usdm ? "USD-M" : "spot") + " recording; start the simulator with --venue " +
               (usdm ? "usdm" : "spot"));
    rapidjson::Document d;
    d.Parse(body.data(), body.size());
    if (d.HasParseError() || !d.IsObject()) fail(path, n, "exchangeInfo body is not a JSON object");
    auto filters = d.FindMember("exchangeFilters");
    rec.exchange_filters_json = filters != d.MemberEnd() ? compact(filters->value) : "[]";
    auto assets = d.FindMember("assets");
    rec.assets_json = assets != d.MemberEnd() ? compact(assets->value) : "[]";
    auto symbols = d.FindMember("symbols");
    if (symbols == d.MemberEnd() || !symbols->value.IsArray()) fail(path, n, "exchangeInfo has no \"symbols\" array");
    for (const auto& s : symbols->value.GetArray()) {
      std::string error;
      RecordedSymbol rs{rules_of(s, venue, error), compact(s)};
      if (!error.empty()) fail(path, n, error);
      all[rs.rules.symbol] = std::move(rs);
    }
    return;
  }
  fail(path, 0, "no exchangeInfo response");
}

void load_snapshots(const std::string& path, CaptureRecording& rec) {
  for (const auto& [n, line] : read_lines(path)) {
    std::string url;
    std::string_view body;
    if (!split_rest_line(line, url, body)) fail(path, n, "expected '<URL> -> <epoch>: <body>'");
    const size_t at = url.find("symbol=");
    if (url.find("depth") == std::string::npos || at == std::string::npos) continue;
    RecordedSnapshot snap;
    const size_t end = url.find('&', at);
    snap.symbol = url.substr(at + 7, end == std::string::npos ? std::string::npos : end - at - 7);
    snap.line = n;
    rapidjson::Document d;
    d.Parse(body.data(), body.size());
    Fields f(d, "depth snapshot of " + snap.symbol);
    if (d.HasParseError()) fail(path, n, "depth snapshot is not JSON");
    snap.last_update_id = f.integer("lastUpdateId");
    snap.bids = f.levels("bids");
    snap.asks = f.levels("asks");
    if (!f.error().empty()) fail(path, n, f.error());
    rec.snapshots.push_back(std::move(snap));
  }
  if (rec.snapshots.empty()) fail(path, 0, "no depth snapshot");
}

int64_t receive_time_ns(const std::string& text, const std::string& path, size_t n) {
  // "1633998512.0633569": seconds with up to 9 decimals.
  int64_t ns = 0;
  std::string e;
  if (!parse_fixed(text, 9, ns, &e)) fail(path, n, "receive time \"" + text + "\": " + e);
  return ns;
}

FrameKind kind_of(const std::string& stream) {
  const size_t at = stream.find('@');
  const std::string_view kind = at == std::string::npos ? std::string_view() : std::string_view(stream).substr(at + 1);
  if (kind.rfind("depth", 0) == 0) return FrameKind::Depth;
  if (kind == "bookTicker") return FrameKind::BookTicker;
  if (kind == "aggTrade") return FrameKind::AggTrade;
  if (kind.rfind("kline_", 0) == 0) return FrameKind::Kline;
  return FrameKind::Other;
}

void load_frames(const std::string& path, CaptureRecording& rec) {
  const auto lines = read_lines(path);
  if (lines.empty()) fail(path, 0, "empty WebSocket capture");
  {
    // "<wss URL>/stream?streams=a/b/c <-> <epoch>"
    const std::string& head = lines.front().second;
    const size_t at = head.find("streams=");
    if (at == std::string::npos) fail(path, lines.front().first, "first line is not a combined-stream URL");
    const std::string list = head.substr(at + 8, head.find(' ', at) - at - 8);
    for (size_t start = 0; start <= list.size();) {
      size_t slash = list.find('/', start);
      if (slash == std::string::npos) slash = list.size();
      if (slash > start) rec.streams.push_back(list.substr(start, slash - start));
      start = slash + 1;
    }
  }
  static constexpr std::string_view kHead = "{\"stream\":\"";
  static constexpr std::string_view kData = "\",\"data\":";
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto& [n, line] = lines[i];
    const size_t colon = line.find(": ");
    if (colon == std::string::npos) fail(path, n, "expected '<epoch>: <frame>'");
    RecordedFrame fr;
    fr.line = n;
    fr.recv_time_ns = receive_time_ns(line.substr(0, colon), path, n);
    const std::string_view frame = std::string_view(line).substr(colon + 2);
    const size_t data = frame.find(kData);
    if (frame.rfind(kHead, 0) != 0 || data == std::string_view::npos || frame.back() != '}')
      fail(path, n, "frame is not a combined-stream envelope {\"stream\":..,\"data\":..}");
    fr.stream = std::string(frame.substr(kHead.size(), data - kHead.size()));
    fr.payload = std::string(frame.substr(data + kData.size(), frame.size() - data - kData.size() - 1));
    fr.kind = kind_of(fr.stream);
    rapidjson::Document d;
    d.Parse(fr.payload.c_str());
    if (d.HasParseError() || !d.IsObject()) fail(path, n, "frame data is not a JSON object");
    Fields f(d, fr.stream);
    fr.symbol = f.str("s");
    switch (fr.kind) {
      case FrameKind::Depth:
        fr.first_update_id = f.integer("U");
        fr.last_update_id = f.integer("u");
        fr.bids = f.levels("b");
        fr.asks = f.levels("a");
        break;
      case FrameKind::AggTrade:
        fr.price = f.amount("p");
        fr.qty = f.amount("q");
        break;
      case FrameKind::Kline: {
        const rapidjson::Value* k = f.get("k");
        if (k == nullptr) break;
        Fields kf(*k, fr.stream + " \"k\"");
        RecordedKline& kl = fr.kline;
        kl.open_time_ms = kf.integer("t");
        kl.close_time_ms = kf.integer("T");
        kl.open = kf.str("o");
        kl.high = kf.str("h");
        kl.low = kf.str("l");
        kl.close = kf.str("c");
        kl.volume = kf.str("v");
        kl.quote_volume = kf.str("q");
        kl.trades = kf.integer("n");
        kl.taker_base_volume = kf.str("V");
        kl.taker_quote_volume = kf.str("Q");
        kl.ignore = kf.str("B");
        kl.closed = kf.boolean("x");
        fr.price = kf.decimal(kl.close, "close");
        if (!kf.error().empty()) fail(path, n, kf.error());
        break;
      }
      case FrameKind::BookTicker:
      case FrameKind::Other:
        break;
    }
    if (!f.error().empty()) fail(path, n, f.error());
    rec.frames.push_back(std::move(fr));
  }
}

}  // namespace

const SymbolRules* CaptureRecording::find(const std::string& symbol) const {
  for (const auto& s : symbols)
    if (s.rules.symbol == symbol) return &s.rules;
  return nullptr;
}

CaptureRecording load_capture(const std::string& prefix, Venue venue) {
  CaptureRecording rec;
  rec.venue = venue;
  rec.prefix = prefix;
  std::map<std::string, RecordedSymbol> all;
  load_exchange_info(prefix + ".0", venue, rec, all);
  load_snapshots(prefix + ".http.0.0", rec);
  for (const auto& snap : rec.snapshots) {
    auto it = all.find(snap.symbol);
    if (it == all.end()) fail(prefix + ".http.0.0", snap.line, snap.symbol + " is not in the recorded exchangeInfo");
    if (rec.find(snap.symbol) == nullptr) rec.symbols.push_back(it->second);
  }
  load_frames(prefix + ".ws.1.0", rec);
  return rec;
}

}  // namespace tradehost::exchange_sim
