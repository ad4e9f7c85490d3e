#include "kline_history.hpp"

#include "json_fields.hpp"

#include <algorithm>

namespace tradehost::binance {

namespace {

// Prices and volumes are never negative (the kline stream's parser refuses them the same way).
bool decimal_at(const rapidjson::Value& v, int scale, int64_t& out, std::string& why) {
  if (!v.IsString()) {
    why = "is not a decimal string";
    return false;
  }
  const std::string_view text(v.GetString(), v.GetStringLength());
  if (detail::plain_decimal(text, scale, out)) return true;
  int64_t parsed = 0;
  if (!parse_fixed(text, scale, parsed, &why)) return false;
  if (parsed < 0) {
    why = "is negative";
    return false;
  }
  out = parsed;
  return true;
}

}  // namespace

bool parse_rest_klines(std::string_view body, const Scales& scales, std::vector<RestKline>& out, std::string& error) {
  rapidjson::Document doc;
  if (!detail::parse_document(body, "klines", doc, error, /*array=*/true)) return false;
  for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
    const rapidjson::Value& row = doc[i];
    auto fail = [&](const char* field, const std::string& why) {
      error = "klines[" + std::to_string(i) + "]: " + field + " " + why;
      return false;
    };
    if (!row.IsArray() || row.Size() < 7) return fail("row", "is not an array of at least 7 elements");
    // Unix ms: never negative (KlineHistory pages back from open time - 1, which must not wrap).
    if (!row[0].IsInt64() || row[0].GetInt64() < 0) return fail("open time", "is not a non-negative integer");
    if (!row[6].IsInt64() || row[6].GetInt64() < 0) return fail("close time", "is not a non-negative integer");
    RestKline k;
    k.open_time_ms = row[0].GetInt64();
    k.close_time_ms = row[6].GetInt64();
    std::string why;
    if (!decimal_at(row[1], scales.price_scale, k.open, why)) return fail("open", why);
    if (!decimal_at(row[2], scales.price_scale, k.high, why)) return fail("high", why);
    if (!decimal_at(row[3], scales.price_scale, k.low, why)) return fail("low", why);
    if (!decimal_at(row[4], scales.price_scale, k.close, why)) return fail("close", why);
    if (!decimal_at(row[5], scales.qty_scale, k.volume, why)) return fail("volume", why);
    out.push_back(k);
  }
  return true;
}

KlineHistory::KlineHistory(int64_t bars, int64_t server_now_ms, int64_t page_limit)
    : wanted_(std::max<int64_t>(0, bars)), server_now_ms_(server_now_ms), limit_(std::max<int64_t>(1, page_limit)),
      done_(bars <= 0) {}

int64_t KlineHistory::next_limit() const {
  if (done_) return 0;
  const int64_t left = wanted_ - static_cast<int64_t>(candles_.size());
  return std::min(first_ ? left + 1 : left, limit_);  // the first page: one more, the newest may be open
}

std::string KlineHistory::next_query() const {
  if (done_) return {};
  const std::string limit = "limit=" + std::to_string(next_limit());
  return first_ ? limit : "endTime=" + std::to_string(candles_.front().open_time_ms - 1) + "&" + limit;
}

void KlineHistory::take(const std::vector<RestKline>& page) {
  if (done_) return;
  const int64_t asked = next_limit();
  first_ = false;
  std::vector<RestKline> older;
  for (const RestKline& k : page) {
    if (k.close_time_ms >= server_now_ms_) continue;  // still open
    if (!candles_.empty() && k.open_time_ms >= candles_.front().open_time_ms) continue;  // a repeat
    if (!older.empty() && k.open_time_ms <= older.back().open_time_ms) continue;         // out of order
    older.push_back(k);
  }
  candles_.insert(candles_.begin(), older.begin(), older.end());
  if (static_cast<int64_t>(candles_.size()) > wanted_)
    candles_.erase(candles_.begin(), candles_.begin() + (static_cast<int64_t>(candles_.size()) - wanted_));
  // Done when enough, or when the venue had fewer than asked (a young symbol: what exists is here).
  if (static_cast<int64_t>(candles_.size()) >= wanted_ || static_cast<int64_t>(page.size()) < asked || older.empty())
    done_ = true;
}

}  // namespace tradehost::binance
