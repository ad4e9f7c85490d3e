// The `replay` connector: a historical source of bars read from candle files (Binance kline CSV,
// open_time_ms/OHLCV CSV, freqtrade JSON; see candle_reader.hpp). It defines one instrument from
// its config, reads and checks every file when the host asks for instruments (so bad data stops
// the run before anything is written), and yields bars in time order through replay_next. Gaps
// in the data stay gaps.
#include "candle_reader.hpp"

#include <tradehost/fixed.hpp>
#include <tradehost/plugin.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace {

using tradehost::Context;
using tradehost::Error;
using tradehost::Field;
using namespace tradehost::replay;

/// Decimal places a step needs ("0.0100" -> 2, "1" -> 0).
int decimals_of(const std::string& text) {
  auto dot = text.find('.');
  if (dot == std::string::npos) return 0;
  size_t end = text.find_last_not_of('0');
  return end == std::string::npos || end <= dot ? 0 : static_cast<int>(end - dot);
}

std::string interval_text(int64_t ns) {
  const int64_t s = ns / 1'000'000'000;
  if (s % 86400 == 0) return std::to_string(s / 86400) + "d";
  if (s % 3600 == 0) return std::to_string(s / 3600) + "h";
  if (s % 60 == 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

class ReplayConnector : public tradehost::Connector {
 public:
  static constexpr int kind = TH_KIND_CONNECTOR;
  static constexpr const char* type_name = "replay";
  static constexpr const char* description =
      "Replays OHLCV candle files (Binance kline CSV, open_time_ms CSV, freqtrade JSON) as bars";
  static constexpr bool replay_source = true;

  static std::vector<Field> config() {
    return {
        {"files", TH_CFG_STR_LIST, "", "candle files, read in order; relative to the config file", TH_CFG_REQUIRED},
        {"symbol", TH_CFG_STR, "\"BTC/USDT\"", "unified symbol BASE/QUOTE of the instrument the files hold"},
        {"venue", TH_CFG_STR, "\"binance\"", "venue name recorded with the instrument"},
        {"native_symbol", TH_CFG_STR, "\"\"", "the venue's symbol; default: BASE+QUOTE"},
        {"kind", TH_CFG_STR, "\"spot\"", "spot | perpetual | future"},
        Field{"tick_size", TH_CFG_DECIMAL, "\"0.01\"", "price step (Binance PRICE_FILTER tickSize)"}.with_unit("quote currency"),
        Field{"lot_size", TH_CFG_DECIMAL, "\"0.00001\"", "quantity step (Binance LOT_SIZE stepSize)"}.with_unit("base currency"),
        Field{"min_qty", TH_CFG_DECIMAL, "\"0\"", "minimum order quantity (LOT_SIZE minQty)"}.with_unit("base currency"),
        Field{"min_notional", TH_CFG_DECIMAL, "\"0\"", "minimum order value (NOTIONAL minNotional)"}.with_unit("quote currency"),
        {"format", TH_CFG_STR, "\"auto\"", "auto | binance_kline_csv | ohlcv_csv | freqtrade_json"},
    };
  }

  explicit ReplayConnector(Context ctx) : Connector(ctx) {
    files_ = ctx.list("files");
    if (files_.empty()) throw Error(TH_ERR_INVALID_ARG, "files: give at least one candle file");
    symbol_ = ctx.str("symbol");
    auto slash = symbol_.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 >= symbol_.size())
      throw Error(TH_ERR_INVALID_ARG, "symbol '" + symbol_ + "' must be BASE/QUOTE, e.g. BTC/USDT");
    base_ = symbol_.substr(0, slash);
    quote_ = symbol_.substr(slash + 1);
    if (auto colon = quote_.find(':'); colon != std::string::npos) {
      settle_ = quote_.substr(colon + 1);
      quote_ = quote_.substr(0, colon);
    }
    venue_ = ctx.str("venue");
    native_ = ctx.str("native_symbol");
    if (native_.empty()) native_ = base_ + quote_;
    const std::string k = ctx.str("kind");
    kind_ = k == "spot" ? TH_INST_SPOT : k == "perpetual" ? TH_INST_PERPETUAL : k == "future" ? TH_INST_FUTURE : 0;
    if (!kind_) throw Error(TH_ERR_INVALID_ARG, "kind '" + k + "' must be spot, perpetual or future");
    const std::string tick = ctx.str("tick_size"), lot = ctx.str("lot_size");
    price_scale_ = decimals_of(tick);
    // Volumes in candle files carry up to 8 decimals (Binance klines do), so quantities keep at
    // least that precision whatever the lot size.
    qty_scale_ = std::max(8, decimals_of(lot));
    tick_ = parse(tick, price_scale_, "tick_size");
    lot_ = parse(lot, qty_scale_, "lot_size");
    min_qty_ = parse(ctx.str("min_qty"), qty_scale_, "min_qty");
    min_notional_ = parse(ctx.str("min_notional"), TH_MONEY_SCALE, "min_notional");
    if (tick_ <= 0) throw Error(TH_ERR_INVALID_ARG, "tick_size must be positive");
    if (lot_ <= 0) throw Error(TH_ERR_INVALID_ARG, "lot_size must be positive");
    const std::string f = ctx.str("format");
    format_ = f == "auto" ? CandleFormat::Auto
              : f == "binance_kline_csv" ? CandleFormat::BinanceKlineCsv
              : f == "ohlcv_csv" ? CandleFormat::OhlcvCsv
              : f == "freqtrade_json" ? CandleFormat::FreqtradeJson
                                      : throw Error(TH_ERR_INVALID_ARG, "format '" + f + "' must be auto, binance_kline_csv, ohlcv_csv or freqtrade_json");
  }

  void load_instruments() override {
    ReadOptions opt;
    opt.price_scale = price_scale_;
    opt.qty_scale = qty_scale_;
    opt.tick_size_raw = tick_;
    opt.format = format_;
    for (const auto& file : files_) {
      ReadResult r;
      try {
        r = read_candles(file, opt);
      } catch (const CandleError& e) {
        throw Error(TH_ERR_IO, e.what());
      }
      if (r.candles.empty()) throw Error(TH_ERR_IO, file + ": no candles in the file");
      size_t gaps = r.gaps;
      if (!candles_.empty()) {
        if (r.interval_ns && interval_ && r.interval_ns != interval_)
          throw Error(TH_ERR_IO, file + ": bar interval " + interval_text(r.interval_ns) + " differs from the previous files' " +
                                     interval_text(interval_));
        if (!interval_) interval_ = r.interval_ns;
        const int64_t step = r.candles.front().open_time_ns - candles_.back().open_time_ns;
        if (step <= 0)
          throw Error(TH_ERR_IO, file + ": starts at or before the end of the previous file; list files in time order without overlap");
        // The join must stay on the bar grid; missing bars across it are gaps like any other.
        if (interval_ && step % interval_ != 0)
          throw Error(TH_ERR_IO, file + ": its first bar is not a whole number of " + interval_text(interval_) +
                                     " bars after the previous file's last bar; are both files of the same timeframe?");
        if (interval_) gaps += static_cast<size_t>(step / interval_ - 1);
      }
      if (!interval_) interval_ = r.interval_ns;
      const size_t n = r.candles.size();
      if (candles_.empty()) candles_ = std::move(r.candles);
      else candles_.insert(candles_.end(), r.candles.begin(), r.candles.end());
      ctx_.info(file + ": " + std::to_string(n) + " bars of " + interval_text(interval_) + ", " + std::to_string(gaps) + " gaps");
    }
    if (!interval_) throw Error(TH_ERR_IO, "cannot tell the bar interval from a single candle; give at least two");
    th_instrument inst{};
    inst.struct_size = sizeof inst;
    inst.venue = tradehost::to_th(venue_);
    inst.symbol = tradehost::to_th(symbol_);
    inst.native_symbol = tradehost::to_th(native_);
    inst.base = tradehost::to_th(base_);
    inst.quote = tradehost::to_th(quote_);
    inst.settle = tradehost::to_th(settle_);
    inst.price_scale = price_scale_;
    inst.qty_scale = qty_scale_;
    inst.tick_size = tick_;
    inst.lot_size = lot_;
    inst.min_qty = min_qty_;
    inst.min_notional = min_notional_;
    inst.kind = kind_;
    th_status st = ctx_.host()->define_instrument(ctx_.self(), &inst, &id_);
    if (st != TH_OK) throw Error(st, "the host refused instrument " + symbol_);
  }

  void subscribe(th_instrument_id id, uint32_t mask, int64_t bar_interval_ns) override {
    if (id != id_) throw Error(TH_ERR_NOT_FOUND, "this connector only has " + symbol_);
    if (mask & ~TH_EV_MASK(TH_EV_BAR)) throw Error(TH_ERR_UNSUPPORTED, "candle files only give bars");
    if (bar_interval_ns != interval_)
      throw Error(TH_ERR_UNSUPPORTED, "the files hold " + interval_text(interval_) + " bars; set the strategy's timeframe = \"" +
                                          interval_text(interval_) + "\"");
    subscribed_ = true;
  }

  bool replay_next(const th_event** out) override {
    if (!subscribed_ || next_ >= candles_.size()) return false;
    const Candle& c = candles_[next_++];
    bar_.h.struct_size = sizeof bar_;
    bar_.h.type = TH_EV_BAR;
    bar_.h.instrument = id_;
    bar_.h.ts_event = bar_.h.ts_recv = c.open_time_ns + interval_;
    bar_.open_time = c.open_time_ns;
    bar_.interval_ns = interval_;
    bar_.open = c.open;
    bar_.high = c.high;
    bar_.low = c.low;
    bar_.close = c.close;
    bar_.volume = c.volume;
    *out = &bar_.h;
    return true;
  }

  bool replay_extent(th_time_ns* first, th_time_ns* last) override {
    if (candles_.empty()) return false;
    *first = candles_.front().open_time_ns + interval_;
    *last = candles_.back().open_time_ns + interval_;
    return true;
  }

 private:
  static int64_t parse(const std::string& text, int scale, const char* key) {
    int64_t v = 0;
    std::string err;
    if (!tradehost::parse_fixed(text, scale, v, &err)) throw Error(TH_ERR_INVALID_ARG, std::string(key) + ": " + err);
    return v;
  }

  std::vector<std::string> files_;
  std::string symbol_, base_, quote_, settle_, venue_, native_;
  int32_t kind_ = TH_INST_SPOT;
  int price_scale_ = 2, qty_scale_ = 8;
  int64_t tick_ = 1, lot_ = 1, min_qty_ = 0, min_notional_ = 0;
  CandleFormat format_ = CandleFormat::Auto;
  std::vector<Candle> candles_;
  int64_t interval_ = 0;
  size_t next_ = 0;
  bool subscribed_ = false;
  th_instrument_id id_ = 0;
  th_ev_bar bar_{};
};

}  // namespace

TH_DECLARE_PLUGIN("replay", "1.0.0", "tradehost-replay-1", ReplayConnector)
