// Integration tests of the real `tradehost` executable with the real plugin libraries on the real
// bundled BTC/USDT 5-minute candles (data/BTCUSDT-5m-20230102-20230209.csv).
//
// Every test writes its config into a fresh temporary directory, runs the executable as a child
// process (fork/exec, stdout and stderr captured through pipes, a timeout guard on every read),
// then checks the exit code, the output, report.json / trades.csv and the SQLite state file.
// Expected values are computed here from the CSV file and from hand-written formulas (fees,
// slippage, position sizing, the daily loss rule), never copied from a run.
#include "cli_harness.hpp"

#include <rapidjson/document.h>

namespace {

using namespace tradehost_it;

// ---------------------------------------------------------------------------------------------
// The candle file, read independently of the replay connector.

struct Candle {
  int64_t open_ms = 0;
  i128 open = 0, high = 0, low = 0, close = 0;  // at 10^-2 (cents)
};

struct CandleFile {
  std::vector<Candle> rows;
  std::map<int64_t, size_t> by_open_ns;  // open time ns -> index
};

const CandleFile& candles() {
  static const CandleFile file = [] {
    CandleFile f;
    const auto ls = lines_of(read_file(kDataFile));
    EXPECT_FALSE(ls.empty());
    EXPECT_EQ(ls.at(0), "open_time_ms,open,high,low,close,volume");
    for (size_t i = 1; i < ls.size(); ++i) {
      auto c = split(ls[i], ',');
      EXPECT_EQ(c.size(), 6u) << "line " << i + 1;
      if (c.size() != 6) continue;
      Candle k;
      k.open_ms = std::stoll(c[0]);
      k.open = dec_or_fail(c[1], 2);
      k.high = dec_or_fail(c[2], 2);
      k.low = dec_or_fail(c[3], 2);
      k.close = dec_or_fail(c[4], 2);
      f.by_open_ns[k.open_ms * 1'000'000] = f.rows.size();
      f.rows.push_back(k);
    }
    return f;
  }();
  return file;
}

// ---------------------------------------------------------------------------------------------
// Configs

/// A bot config written for a test. Mirrors config/bots/ema_crossover.toml with knobs.
struct Cfg {
  std::string name = "it-bot";
  std::string mode = "backtest";
  std::string bot_extra;                   // more [bot] lines
  std::string plugin_dir = kPluginDir;
  std::string data = kDataFile;
  std::string tick = "0.01";
  std::string timeframe = "5m";
  std::string fast = "12";
  std::string stop_loss_pct = "0";
  std::string strategy_extra;              // more [[strategy]] lines
  std::string risks = "[[risk]]\ntype = \"max_position\"\nmax_notional = \"15000\"\n\n"
                      "[[risk]]\ntype = \"max_daily_loss\"\nmax_loss = \"500\"\n";

  std::string text() const {
    std::string t;
    t += "[bot]\n";
    t += "name = \"" + name + "\"\n";
    t += "mode = \"" + mode + "\"\n";
    t += "initial_cash = \"10000\"\n";
    t += "maker_fee_bps = 10\n";
    t += "taker_fee_bps = 10\n";
    t += "slippage_bps = 1\n";
    t += "state = \"state.sqlite\"\n";  // relative: resolves against the config's directory
    t += "out = \"out\"\n";
    t += bot_extra;
    t += "\n[plugins]\npaths = [\"" + plugin_dir + "\"]\n\n";
    t += "[[connector]]\n";
    t += "name = \"history\"\n";
    t += "type = \"replay\"\n";
    t += "files = [\"" + data + "\"]\n";
    t += "symbol = \"BTC/USDT\"\n";
    t += "venue = \"binance\"\n";
    t += "tick_size = \"" + tick + "\"\n";
    t += "lot_size = \"0.00001\"\n";
    t += "min_qty = \"0.00001\"\n";
    t += "min_notional = \"5\"\n\n";
    t += "[[strategy]]\n";
    t += "name = \"ema\"\n";
    t += "type = \"ema_crossover\"\n";
    t += "connector = \"history\"\n";
    t += "instruments = [\"BTC/USDT\"]\n";
    t += "timeframe = \"" + timeframe + "\"\n";
    t += "fast = " + fast + "\n";
    t += "slow = 26\n";
    t += "rsi_period = 14\n";
    t += "rsi_max = 70\n";
    t += "fraction = 0.95\n";
    t += "stop_loss_pct = " + stop_loss_pct + "\n";
    t += strategy_extra;
    t += "\n" + risks + "\n";
    t += "[[notifier]]\ntype = \"log\"\non = [\"fill\", \"rejected\", \"error\", \"summary\"]\n";
    return t;
  }
};

/// The default bot's config (config/bots/ema_crossover.toml) as shipped, with its data path made
/// absolute, state/out kept inside the temp dir and the plugin directory added.
std::string default_config_text() {
  std::string src = read_file(kDefaultConfig);
  std::string out;
  for (const auto& l : split(src, '\n')) {
    if (l.rfind("state =", 0) == 0) out += "state = \"state.sqlite\"\n";
    else if (l.rfind("out =", 0) == 0) out += "out = \"out\"\n";
    else {
      std::string x = l;
      for (size_t p; (p = x.find("\"../../data/")) != std::string::npos;) x.replace(p, 12, "\"" + kSourceDir + "/data/");
      out += x + "\n";
    }
  }
  out += "\n[plugins]\npaths = [\"" + kPluginDir + "\"]\n";
  return out;
}

// ---------------------------------------------------------------------------------------------
// report.json

/// Parsed with numbers kept as their exact text (money is printed exactly).
struct Report {
  rapidjson::Document doc;
  bool ok = false;
  explicit Report(const fs::path& p) {
    const std::string text = read_file(p);
    doc.Parse<rapidjson::kParseNumbersAsStringsFlag>(text.c_str());
    ok = !doc.HasParseError() && doc.IsObject();
  }
  bool has(const char* k) const { return ok && doc.HasMember(k); }
  std::string raw(const char* k) const {
    if (!has(k)) return "<missing>";
    const auto& v = doc[k];
    if (v.IsNull()) return "null";
    if (v.IsString()) return v.GetString();
    return "<not a scalar>";
  }
  double num(const char* k) const { return std::strtod(raw(k).c_str(), nullptr); }
};

// ---------------------------------------------------------------------------------------------
// A backtest run and the rows the tests check.

struct Fill {
  int64_t fill_id = 0, order_id = 0, ts_ns = 0;
  std::string side, liquidity, price_s, qty_s, fee_s;
  i128 price = 0;  // 10^-2
  i128 qty = 0;    // 10^-8
  i128 fee = 0;    // 10^-8
};

std::vector<Fill> load_fills(const Db& db) {
  std::vector<Fill> out;
  for (const auto& r : db.rows("SELECT fill_id, order_id, ts_ns, side, liquidity, price, qty, fee FROM fills ORDER BY fill_id")) {
    Fill f;
    f.fill_id = std::stoll(col(r, 0));
    f.order_id = std::stoll(col(r, 1));
    f.ts_ns = std::stoll(col(r, 2));
    f.side = col(r, 3);
    f.liquidity = col(r, 4);
    f.price_s = col(r, 5);
    f.qty_s = col(r, 6);
    f.fee_s = col(r, 7);
    f.price = dec_or_fail(f.price_s, 2);
    f.qty = dec_or_fail(f.qty_s, 8);
    f.fee = dec_or_fail(f.fee_s, 8);
    out.push_back(f);
  }
  return out;
}

struct Backtest {
  std::unique_ptr<TempDir> dir;
  fs::path config, out;
  std::string config_text;
  Result result;
  fs::path state() const { return out / "state.sqlite"; }
};

Backtest run_backtest(const std::string& config_text, std::vector<std::string> extra = {}) {
  Backtest b;
  b.dir = std::make_unique<TempDir>();
  b.config = *b.dir / "bot.toml";
  b.out = *b.dir / "run-out";
  b.config_text = config_text;
  write_file(b.config, config_text);
  std::vector<std::string> args = {"backtest", b.config.string(), "--out", b.out.string()};
  args.insert(args.end(), extra.begin(), extra.end());
  b.result = run(args, b.dir->path());
  return b;
}

const Backtest& default_backtest() {
  static const Backtest b = run_backtest(default_config_text());
  return b;
}

/// The default bot with a 1 % stop-loss, so that STOP_MARKET orders are placed, canceled and
/// (on this data) some of them triggered.
const Backtest& stop_loss_backtest() {
  static const Backtest b = [] {
    Cfg c;
    c.stop_loss_pct = "1";
    return run_backtest(c.text());
  }();
  return b;
}

// The default config's values the hand calculations below rely on.
void expect_default_costs(const std::string& text) {
  for (const char* line : {"initial_cash = \"10000\"", "maker_fee_bps = 10", "taker_fee_bps = 10", "slippage_bps = 1",
                           "tick_size = \"0.01\"", "lot_size = \"0.00001\""})
    EXPECT_TRUE(contains(text, line)) << "the default config no longer has `" << line
                                      << "`; the expectations of this test assume it";
}

// =============================================================================================
// 1. The default bot on the real data

TEST(CliBacktest, DefaultBotWritesCompleteReport) {
  const Backtest& b = default_backtest();
  expect_default_costs(b.config_text);
  ASSERT_EQ(b.result.rc, 0) << b.result.both();
  EXPECT_TRUE(contains(b.result.out, "Backtest btc-ema (run 1)")) << b.result.out;

  Report rep(b.out / "report.json");
  ASSERT_TRUE(rep.ok) << read_file(b.out / "report.json");
  for (const char* k : {"bars", "trades", "win_rate", "total_return", "buy_and_hold_return", "max_drawdown", "sharpe",
                        "sortino", "profit_factor", "fees_paid", "exposure_time", "elapsed_s", "bars_per_second"}) {
    ASSERT_TRUE(rep.has(k)) << "report.json lacks " << k;
    EXPECT_TRUE(rep.doc[k].IsString() || rep.doc[k].IsNull()) << k;  // numbers parsed as text
  }
  for (const char* k : {"bars", "trades", "win_rate", "total_return", "buy_and_hold_return", "max_drawdown", "sharpe",
                        "sortino", "fees_paid", "exposure_time", "elapsed_s"})
    EXPECT_NE(rep.raw(k), "null") << k << " is null on a run with trades";

  // bars: one per CSV row (10999 rows after the header; no gaps in the file).
  const auto& csv = candles();
  EXPECT_EQ(csv.rows.size(), 10999u);
  EXPECT_EQ(rep.raw("bars"), std::to_string(csv.rows.size()));

  // trades == rows of trades.csv minus the header.
  const auto trade_lines = lines_of(read_file(b.out / "trades.csv"));
  ASSERT_FALSE(trade_lines.empty());
  EXPECT_EQ(trade_lines[0], "instrument,side,entry_time,exit_time,qty,entry_price,exit_price,pnl,fees,return_pct");
  const int64_t trades = std::stoll(rep.raw("trades"));
  EXPECT_GT(trades, 0);
  EXPECT_EQ(trades, static_cast<int64_t>(trade_lines.size()) - 1);

  // buy and hold = last close / first open - 1 of the file.
  const double first_open = static_cast<double>(csv.rows.front().open) / 100.0;
  const double last_close = static_cast<double>(csv.rows.back().close) / 100.0;
  EXPECT_NEAR(rep.num("buy_and_hold_return"), last_close / first_open - 1.0, 1e-12);

  // Ranges and identities of the definitions in docs/metrics.md.
  EXPECT_GE(rep.num("win_rate"), 0.0);
  EXPECT_LE(rep.num("win_rate"), 1.0);
  EXPECT_NEAR(rep.num("win_rate"), std::stod(rep.raw("winning_trades")) / static_cast<double>(trades), 1e-12);
  EXPECT_GE(rep.num("exposure_time"), 0.0);
  EXPECT_LE(rep.num("exposure_time"), 1.0);
  EXPECT_GE(rep.num("max_drawdown"), 0.0);
  EXPECT_GT(std::stod(rep.raw("fees_paid")), 0.0);
  EXPECT_NEAR(rep.num("total_return"), rep.num("final_equity") / rep.num("initial_equity") - 1.0, 1e-12);

  Db db(b.state());
  EXPECT_EQ(db.text("SELECT status FROM runs"), "completed");
  EXPECT_EQ(db.num("SELECT count(*) FROM runs"), 1);

  // A round trip closes each time the position returns to flat (fills, independently).
  i128 pos = 0;
  int64_t closes = 0;
  for (const Fill& f : load_fills(db)) {
    pos += f.side == "buy" ? f.qty : -f.qty;
    if (pos == 0) ++closes;
  }
  EXPECT_EQ(trades, closes);
}

// The report's curve metrics recomputed from an equity curve built here: cash and position from
// the fills table (fills trade at a bar's open), marked at each bar's close from the CSV file;
// formulas from docs/metrics.md (per-bar returns, sample stdev, target downside deviation over
// all n bars, P = 105120 for 5m bars).
TEST(CliBacktest, DefaultBotMetricsMatchTheEquityCurve) {
  const Backtest& b = default_backtest();
  ASSERT_EQ(b.result.rc, 0) << b.result.both();
  Db db(b.state());
  Report rep(b.out / "report.json");
  ASSERT_TRUE(rep.ok);
  const auto fills = load_fills(db);
  std::map<int64_t, std::vector<const Fill*>> fills_at;
  for (const Fill& f : fills) fills_at[f.ts_ns].push_back(&f);
  std::map<int64_t, i128> equity_at_close;  // ns -> equity at 10^-10
  i128 cash = i128(10000) * 10'000'000'000LL, qty = 0;
  std::vector<long double> eq{10000.0L};
  int64_t exposed = 0;
  for (const Candle& k : candles().rows) {
    const int64_t open_ns = k.open_ms * 1'000'000;
    const bool open_before = qty != 0;
    if (auto it = fills_at.find(open_ns); it != fills_at.end())
      for (const Fill* f : it->second) {
        const i128 n = f->price * f->qty;
        cash += f->side == "buy" ? -n : n;
        cash -= f->fee * 100;
        qty += f->side == "buy" ? f->qty : -f->qty;
      }
    exposed += open_before || qty != 0;
    const i128 e = cash + qty * k.close;
    equity_at_close[open_ns + kBarNs] = e;
    eq.push_back(static_cast<long double>(e) / 1e10L);
  }
  const size_t n = eq.size() - 1;
  ASSERT_EQ(n, 10999u);
  long double sum = 0, down = 0, peak = eq[0], mdd = 0;
  std::vector<long double> r(n);
  for (size_t t = 1; t <= n; ++t) {
    r[t - 1] = eq[t] / eq[t - 1] - 1;
    sum += r[t - 1];
    if (r[t - 1] < 0) down += r[t - 1] * r[t - 1];
    peak = std::max(peak, eq[t]);
    mdd = std::max(mdd, (peak - eq[t]) / peak);
  }
  const long double mean = sum / n;
  long double ss = 0;
  for (long double x : r) ss += (x - mean) * (x - mean);
  const long double sqrt_p = std::sqrt(105120.0L);
  const long double sharpe = mean / std::sqrt(ss / (n - 1)) * sqrt_p;
  const long double sortino = mean / std::sqrt(down / n) * sqrt_p;
  EXPECT_NEAR(rep.num("sharpe"), static_cast<double>(sharpe), 1e-9 * std::fabs(static_cast<double>(sharpe)));
  EXPECT_NEAR(rep.num("sortino"), static_cast<double>(sortino), 1e-9 * std::fabs(static_cast<double>(sortino)));
  EXPECT_NEAR(rep.num("max_drawdown"), static_cast<double>(mdd), 1e-12);
  EXPECT_NEAR(rep.num("total_return"), static_cast<double>(eq.back() / eq[0] - 1), 1e-12);
  EXPECT_NEAR(rep.num("exposure_time"), static_cast<double>(exposed) / static_cast<double>(n), 1e-12);
  EXPECT_EQ(rep.raw("periods_per_year"), "105120.0");
  EXPECT_EQ(dec_or_fail(rep.raw("final_equity"), 10), equity_at_close.rbegin()->second);
  // Persisted equity rows are points of the same curve.
  const auto rows = db.rows("SELECT ts_ns, equity FROM equity ORDER BY ts_ns");
  EXPECT_FALSE(rows.empty());
  for (const auto& row : rows) {
    auto it = equity_at_close.find(std::stoll(col(row, 0)));
    ASSERT_NE(it, equity_at_close.end()) << "equity row at a time that is no bar close: " << col(row, 0);
    EXPECT_EQ(dec_or_fail(col(row, 1), 10), it->second) << "equity row at " << col(row, 0);
  }
}

// =============================================================================================
// 2. Reconciliation of cash, fees and the order journal

void expect_reconciles(const Backtest& b) {
  ASSERT_EQ(b.result.rc, 0) << b.result.both();
  Db db(b.state());
  Report rep(b.out / "report.json");
  ASSERT_TRUE(rep.ok);
  const auto fills = load_fills(db);
  ASSERT_FALSE(fills.empty());

  // Cash at 10^-10 (price 10^-2 x qty 10^-8): exact.
  i128 cash = i128(10000) * 10'000'000'000LL;
  i128 fees = 0, pos = 0;
  std::map<int64_t, std::string> order_type;
  for (const auto& r : db.rows("SELECT order_id, type FROM orders")) order_type[std::stoll(col(r, 0))] = col(r, 1);
  for (const Fill& f : fills) {
    SCOPED_TRACE("fill " + std::to_string(f.fill_id) + " " + f.side + " " + f.qty_s + " @ " + f.price_s + " fee " + f.fee_s);
    const i128 notional = f.price * f.qty;  // 10^-10
    cash += f.side == "buy" ? -notional : notional;
    cash -= f.fee * 100;
    fees += f.fee;
    pos += f.side == "buy" ? f.qty : -f.qty;
    // fee = price x qty x 10 / 10000, rounded up to 10^-8: ceil(notional[10^-10] / 10^5).
    EXPECT_EQ(f.fee, ceil_div(notional, 100'000)) << "expected fee " << str128(ceil_div(notional, 100'000), 8);
    // Market and stop-market orders take liquidity.
    const std::string& t = order_type[f.order_id];
    EXPECT_TRUE(t == "market" || t == "stop_market") << t;
    EXPECT_EQ(f.liquidity, "taker");
    EXPECT_GT(f.qty, 0);
    EXPECT_EQ(f.qty % 1000, 0) << "qty not a multiple of the lot 0.00001";
    EXPECT_GE(pos, 0) << "spot position went short";
  }
  const i128 equity = cash + pos * candles().rows.back().close;  // open position at the last close
  const i128 reported = dec_or_fail(rep.raw("final_equity"), 10);
  const i128 tolerance = static_cast<i128>(fills.size()) * 100;  // 1e-8 per fill
  const i128 diff = equity > reported ? equity - reported : reported - equity;
  EXPECT_LE(diff, tolerance) << "equity from fills " << str128(equity, 10) << " vs report final_equity "
                             << rep.raw("final_equity");
  EXPECT_EQ(dec_or_fail(rep.raw("fees_paid"), 8), fees) << "report fees_paid " << rep.raw("fees_paid") << " vs sum of fills "
                                                        << str128(fees, 8);
  EXPECT_EQ(dec_or_fail(rep.raw("initial_equity"), 8), i128(10000) * 100'000'000);

  // The run's stored summary says the same as report.json.
  rapidjson::Document summary;
  const std::string sj = db.text("SELECT summary_json FROM runs");
  summary.Parse<rapidjson::kParseNumbersAsStringsFlag>(sj.c_str());
  ASSERT_FALSE(summary.HasParseError()) << sj;
  EXPECT_EQ(std::string(summary["final_equity"].GetString()), rep.raw("final_equity"));
  EXPECT_EQ(std::string(summary["fees_paid"].GetString()), rep.raw("fees_paid"));

  // The stored position is what the fills add up to.
  const auto prow = db.rows("SELECT qty FROM positions WHERE instrument = 'BTC/USDT'");
  ASSERT_EQ(prow.size(), 1u);
  EXPECT_EQ(dec_or_fail(col(prow[0], 0), 8), pos);

  // Order journal: every order has a chain that starts in PENDING_NEW and only takes legal steps.
  static const std::set<std::pair<std::string, std::string>> kLegal = {
      {"PENDING_NEW", "NEW"},           {"PENDING_NEW", "REJECTED"},
      {"NEW", "PARTIALLY_FILLED"},      {"NEW", "FILLED"},
      {"NEW", "CANCELED"},              {"NEW", "EXPIRED"},
      {"PARTIALLY_FILLED", "PARTIALLY_FILLED"}, {"PARTIALLY_FILLED", "FILLED"},
      {"PARTIALLY_FILLED", "CANCELED"}, {"PARTIALLY_FILLED", "EXPIRED"}};
  std::map<int64_t, std::vector<Row>> chains;
  for (auto& r : db.rows("SELECT order_id, from_state, to_state, ts_ns, filled_qty FROM order_events ORDER BY event_id"))
    chains[std::stoll(col(r, 0))].push_back(r);
  std::map<int64_t, i128> filled_by_fills;
  for (const Fill& f : fills) filled_by_fills[f.order_id] += f.qty;
  const auto orders = db.rows("SELECT order_id, state, filled_qty, qty, created_ns FROM orders ORDER BY order_id");
  ASSERT_FALSE(orders.empty());
  std::set<int64_t> order_ids;
  for (const auto& o : orders) {
    const int64_t id = std::stoll(col(o, 0));
    order_ids.insert(id);
    SCOPED_TRACE("order " + std::to_string(id));
    auto it = chains.find(id);
    ASSERT_NE(it, chains.end()) << "order without a journal row";
    const auto& ch = it->second;
    EXPECT_FALSE(ch[0][1].has_value()) << "first journal row has a from_state";
    EXPECT_EQ(col(ch[0], 2), "PENDING_NEW");
    EXPECT_EQ(col(ch[0], 3), col(o, 4)) << "PENDING_NEW journaled at another time than the order's creation";
    for (size_t i = 1; i < ch.size(); ++i) {
      EXPECT_EQ(col(ch[i], 1), col(ch[i - 1], 2)) << "journal step " << i << " does not start where the last ended";
      EXPECT_TRUE(kLegal.count({col(ch[i], 1), col(ch[i], 2)})) << col(ch[i], 1) << " -> " << col(ch[i], 2);
      EXPECT_GE(std::stoll(col(ch[i], 3)), std::stoll(col(ch[i - 1], 3))) << "journal time went backwards";
    }
    EXPECT_EQ(col(ch.back(), 2), col(o, 1)) << "orders.state differs from the last journal entry";
    EXPECT_EQ(dec_or_fail(col(o, 2), 8), filled_by_fills[id]) << "filled_qty vs sum of fills";
    if (col(o, 1) == "FILLED") {
      EXPECT_EQ(dec_or_fail(col(o, 2), 8), dec_or_fail(col(o, 3), 8));
    }
  }
  for (const auto& [id, ch] : chains) EXPECT_TRUE(order_ids.count(id)) << "journal rows for unknown order " << id;
  for (const Fill& f : fills) EXPECT_TRUE(order_ids.count(f.order_id)) << "fill of unknown order " << f.order_id;
}

TEST(CliBacktest, DefaultBotReconcilesCashFeesAndJournal) {
  expect_default_costs(default_backtest().config_text);
  expect_reconciles(default_backtest());
}

TEST(CliBacktest, StopLossBotReconcilesCashFeesAndJournal) {
  const Backtest& b = stop_loss_backtest();
  ASSERT_EQ(b.result.rc, 0) << b.result.both();
  Db db(b.state());
  EXPECT_GT(db.num("SELECT count(*) FROM orders WHERE type = 'stop_market' AND state = 'FILLED'"), 0)
      << "no stop was triggered: this run no longer covers stop fills";
  EXPECT_GT(db.num("SELECT count(*) FROM orders WHERE type = 'stop_market' AND state = 'CANCELED'"), 0);
  expect_reconciles(b);
}

// =============================================================================================
// 3. No look-ahead: fills trade on bars after the decision, at that bar's open (+/- slippage)

// 1 bp against the trader, then to the 0.01 tick against the trader. Prices in cents.
i128 slipped_buy(i128 px) { return ceil_div(px * 10001, 10000); }
i128 slipped_sell(i128 px) { return floor_div(px * 9999, 10000); }

void expect_no_lookahead(const Backtest& b) {
  ASSERT_EQ(b.result.rc, 0) << b.result.both();
  Db db(b.state());
  const auto& csv = candles();
  const auto rows = db.rows(
      "SELECT f.fill_id, f.ts_ns, f.side, f.price, d.ts_ns, o.type, o.trigger_price, d.risk_verdict "
      "FROM fills f JOIN orders o ON o.order_id = f.order_id AND o.run_id = f.run_id "
      "LEFT JOIN decisions d ON d.order_id = f.order_id AND d.run_id = f.run_id ORDER BY f.fill_id");
  ASSERT_EQ(static_cast<int64_t>(rows.size()), db.num("SELECT count(*) FROM fills")) << "a fill joins to several decisions";
  ASSERT_FALSE(rows.empty());
  int market = 0, stops = 0;
  for (const auto& r : rows) {
    SCOPED_TRACE("fill " + col(r, 0));
    ASSERT_TRUE(r[4].has_value()) << "fill without the decision that produced its order";
    EXPECT_EQ(col(r, 7), "approved");
    const int64_t fill_ts = std::stoll(col(r, 1));
    const int64_t decision_ts = std::stoll(col(r, 4));
    EXPECT_GE(fill_ts, decision_ts) << "filled on a bar that opened before the decision was made";
    auto it = csv.by_open_ns.find(fill_ts);
    ASSERT_NE(it, csv.by_open_ns.end()) << "fill time is not a bar open time of the data";
    const Candle& bar = csv.rows[it->second];
    const i128 price = dec_or_fail(col(r, 3), 2);
    const bool buy = col(r, 2) == "buy";
    if (col(r, 5) == "market") {
      ++market;
      // The very next bar: it opens when the decision's bar closed (the file has no gaps).
      EXPECT_EQ(fill_ts, decision_ts);
      const i128 want = buy ? slipped_buy(bar.open) : slipped_sell(bar.open);
      EXPECT_EQ(price, want) << "open " << str128(bar.open, 2) << " -> expected " << str128(want, 2) << ", got "
                             << col(r, 3);
    } else {
      ASSERT_EQ(col(r, 5), "stop_market");
      ASSERT_FALSE(buy);
      ++stops;
      const i128 trigger = dec_or_fail(col(r, 6), 2);
      EXPECT_LE(bar.low, trigger) << "stop filled on a bar that never traded at its trigger";
      const i128 want = slipped_sell(std::min(bar.open, trigger));
      EXPECT_EQ(price, want) << "trigger " << str128(trigger, 2) << " open " << str128(bar.open, 2);
      // It had not triggered on an earlier bar since it was placed.
      for (size_t i = csv.by_open_ns.at(decision_ts); i < it->second; ++i)
        EXPECT_GT(csv.rows[i].low, trigger) << "stop should have triggered on the bar opening at " << csv.rows[i].open_ms;
    }
  }
  EXPECT_GT(market, 0);
  if (b.config_text.find("stop_loss_pct = 1") != std::string::npos) {
    EXPECT_GT(stops, 0);
  }
}

TEST(CliBacktest, DefaultBotFillsNextBarOpenWithSlippage) {
  expect_default_costs(default_backtest().config_text);
  expect_no_lookahead(default_backtest());
}

TEST(CliBacktest, StopLossFillsNeverPrecedeTheirDecision) { expect_no_lookahead(stop_loss_backtest()); }

// =============================================================================================
// 4. --from / --to

int64_t rows_in(int64_t from_ms, int64_t to_ms) {
  int64_t n = 0;
  for (const Candle& c : candles().rows) n += c.open_ms >= from_ms && c.open_ms < to_ms;
  return n;
}

TEST(CliBacktest, FromToWindowCountsBarsOpeningInside) {
  Cfg c;
  const Backtest b = run_backtest(c.text(), {"--from", "2023-01-10", "--to", "2023-01-20T12:00:00Z"});
  ASSERT_EQ(b.result.rc, 0) << b.result.both();
  const int64_t from = utc_ms(2023, 1, 10), to = utc_ms(2023, 1, 20, 12);
  const int64_t n = rows_in(from, to);
  EXPECT_EQ(n, 10 * 288 + 12 * 12);  // 10.5 days of 5m bars, no gaps in the file
  Report rep(b.out / "report.json");
  ASSERT_TRUE(rep.ok);
  EXPECT_EQ(rep.raw("bars"), std::to_string(n));
  EXPECT_EQ(rep.raw("first_bar"), "2023-01-10T00:05:00Z");  // first bar opens 00:00, closes 00:05
  EXPECT_EQ(rep.raw("last_bar"), "2023-01-20T12:00:00Z");   // last bar opens 11:55
  // Buy and hold over the window: first open and last close inside it.
  const Candle *first = nullptr, *last = nullptr;
  for (const Candle& k : candles().rows)
    if (k.open_ms >= from && k.open_ms < to) {
      if (!first) first = &k;
      last = &k;
    }
  ASSERT_TRUE(first && last);
  EXPECT_NEAR(rep.num("buy_and_hold_return"), static_cast<double>(last->close) / static_cast<double>(first->open) - 1, 1e-12);
  Db db(b.state());
  EXPECT_EQ(db.text("SELECT status FROM runs"), "completed");
  EXPECT_EQ(db.num("SELECT count(*) FROM fills WHERE ts_ns < " + std::to_string(from * 1'000'000) +
                   " OR ts_ns >= " + std::to_string(to * 1'000'000)),
            0);
}

TEST(CliBacktest, FromWithOffsetAndUnalignedBoundary) {
  Cfg c;
  // 01:02:30+01:00 is 00:02:30 UTC: the first bar inside opens at 00:05.
  const Backtest b = run_backtest(c.text(), {"--from", "2023-01-10T01:02:30+01:00", "--to", "2023-01-11T00:00:00Z"});
  ASSERT_EQ(b.result.rc, 0) << b.result.both();
  const int64_t n = rows_in(utc_ms(2023, 1, 10, 0, 2, 30), utc_ms(2023, 1, 11));
  EXPECT_EQ(n, 287);
  Report rep(b.out / "report.json");
  ASSERT_TRUE(rep.ok);
  EXPECT_EQ(rep.raw("bars"), std::to_string(n));
  EXPECT_EQ(rep.raw("first_bar"), "2023-01-10T00:10:00Z");
}

// docs/metrics.md: "`run.from` is inclusive and `run.to` exclusive, as requested for the run;
// `first_bar` and `last_bar` are what the data actually held."
TEST(CliBacktest, ReportRunWindowIsTheRequestedOne) {
  struct Case {
    std::string from, to, want_from, want_to;
  };
  const std::vector<Case> cases = {
      // an unaligned start, an end after the data
      {"2023-01-10T01:02:30+01:00", "2023-03-01", "2023-01-10T00:02:30Z", "2023-03-01T00:00:00Z"},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.from + " .. " + k.to);
    Cfg c;
    const Backtest b = run_backtest(c.text(), {"--from", k.from, "--to", k.to});
    ASSERT_EQ(b.result.rc, 0) << b.result.both();
    rapidjson::Document doc;
    doc.Parse(read_file(b.out / "report.json").c_str());
    ASSERT_FALSE(doc.HasParseError());
    ASSERT_TRUE(doc.HasMember("run") && doc["run"].IsObject());
    EXPECT_EQ(std::string(doc["run"]["from"].GetString()), k.want_from);
    EXPECT_EQ(std::string(doc["run"]["to"].GetString()), k.want_to);
    EXPECT_FALSE(contains(b.result.out, "1970-01-01")) << b.result.out;
  }
}

// A window that holds no bar of the data is a mistake, not an empty run: refused before anything
// is written, naming both the window and what the data covers.
TEST(CliBacktest, WindowWithoutDataIsRefused) {
  Cfg c;
  const Backtest b = run_backtest(c.text(), {"--from", "2024-01-01", "--to", "2024-01-02"});
  EXPECT_EQ(b.result.rc, 2) << b.result.both();
  EXPECT_TRUE(contains(b.result.err, "no bars in the requested window 2024-01-01T00:00:00Z -> 2024-01-02T00:00:00Z"))
      << b.result.err;
  // The data's first bar opens 2023-01-02 16:45 UTC (open_time_ms 1672677900000, the CSV's first row).
  EXPECT_TRUE(contains(b.result.err, "2023-01-02T16:45:00Z")) << b.result.err;
  EXPECT_FALSE(fs::exists(b.out / "state.sqlite"));
  EXPECT_FALSE(fs::exists(b.out / "report.json"));
}

// =============================================================================================
// 5. Bad input: exit 2, a message naming the problem, nothing written

struct BadCase {
  std::string config_text;
  std::vector<std::string> expect;  // substrings of stderr
};

void expect_rejected(const TempDir& dir, const std::string& config_text, const std::vector<std::string>& expect,
                     const std::string& command = "backtest") {
  const fs::path cfg = dir / "bot.toml";
  write_file(cfg, config_text);
  const auto before = files_under(dir.path());
  std::vector<std::string> args = {command, cfg.string()};
  if (command == "backtest") args.insert(args.end(), {"--out", (dir / "run-out").string()});
  const Result r = run(args, dir.path());
  EXPECT_EQ(r.rc, 2) << r.both();
  for (const auto& e : expect) EXPECT_TRUE(contains(r.err, e)) << "stderr lacks \"" << e << "\":\n" << r.err;
  EXPECT_TRUE(contains(r.err, "error")) << r.err;
  EXPECT_FALSE(fs::exists(dir / "run-out" / "state.sqlite"));
  EXPECT_FALSE(fs::exists(dir / "state.sqlite"));
  EXPECT_EQ(files_under(dir.path()), before) << "files were written";
  EXPECT_TRUE(r.out.empty() || !contains(r.out, "report:")) << r.out;
}

/// The first `n` lines of the real data file (header included).
std::string head_of_data(size_t n) {
  auto ls = lines_of(read_file(kDataFile));
  std::string out;
  for (size_t i = 0; i < n && i < ls.size(); ++i) out += ls[i] + "\n";
  return out;
}

TEST(CliBadInput, MissingDataFile) {
  TempDir d;
  Cfg c;
  c.data = (d / "no-such-candles.csv").string();
  expect_rejected(d, c.text(), {c.data, "cannot read", "No such file"});
}

TEST(CliBadInput, MalformedNumberNamesFileAndLine) {
  TempDir d;
  auto ls = split(head_of_data(40), '\n');
  // Line 3 of the file (header = line 1): the low price becomes "16705.0x".
  auto f = split(ls[2], ',');
  ASSERT_EQ(f.size(), 6u);
  f[3] += "x";
  ls[2] = f[0] + "," + f[1] + "," + f[2] + "," + f[3] + "," + f[4] + "," + f[5];
  std::string text;
  for (const auto& l : ls) text += l + (l.empty() ? "" : "\n");
  const fs::path data = d / "corrupt.csv";
  write_file(data, text);
  Cfg c;
  c.data = data.string();
  expect_rejected(d, c.text(), {data.string() + ":3", "16705.0x"});
}

TEST(CliBadInput, UnknownPluginType) {
  TempDir d;
  Cfg c;
  c.risks = "[[risk]]\ntype = \"max_positon\"\nmax_notional = \"15000\"\n";
  const std::string text = c.text();
  const std::string cfg = (d / "bot.toml").string();
  const std::string pos = cfg + ":" + std::to_string(line_of(text, "type = \"max_positon\"")) + ":" +
                          std::to_string(col_of(text, "max_positon", "\""));
  expect_rejected(d, text, {pos, "unknown risk type 'max_positon'"});
}

TEST(CliBadInput, PluginPathWithoutPlugins) {
  TempDir d;
  fs::create_directories(d / "empty-plugins");
  Cfg c;
  c.plugin_dir = (d / "empty-plugins").string();
  const std::string text = c.text();
  const std::string cfg = (d / "bot.toml").string();
  expect_rejected(d, text,
                  {cfg + ":" + std::to_string(line_of(text, "type = \"replay\"")) + ":", "unknown connector type 'replay'",
                   "unknown strategy type 'ema_crossover'", "no plugins were loaded"});
}

TEST(CliBadInput, MalformedToml) {
  TempDir d;
  Cfg c;
  c.risks = "[[risk]\ntype = \"max_position\"\nmax_notional = \"15000\"\n";  // unclosed header
  const std::string text = c.text();
  const std::string cfg = (d / "bot.toml").string();
  expect_rejected(d, text, {cfg + ":" + std::to_string(line_of(text, "[[risk]")) + ":", "expected ']'"});
}

TEST(CliBadInput, UnknownKeyListsValidKeys) {
  TempDir d;
  Cfg c;
  c.strategy_extra = "fastt = 12\n";
  const std::string text = c.text();
  const std::string cfg = (d / "bot.toml").string();
  expect_rejected(d, text,
                  {cfg + ":" + std::to_string(line_of(text, "fastt")) + ":1:", "unknown key 'fastt'", "valid keys",
                   "fast", "slow", "rsi_period", "rsi_max", "fraction", "stop_loss_pct"});
}

TEST(CliBadInput, WronglyTypedValue) {
  TempDir d;
  Cfg c;
  c.fast = "\"12\"";
  const std::string text = c.text();
  const std::string cfg = (d / "bot.toml").string();
  const std::string pos = cfg + ":" + std::to_string(line_of(text, "fast = \"12\"")) + ":" +
                          std::to_string(col_of(text, "fast = \"12\"", "\""));
  expect_rejected(d, text, {pos, "'fast'", "integer", "string"});
}

/// The first 40 rows of the bundled data with line 2's open (the first candle's, 16727.3) changed
/// to 16727.35, written to DIR/off-tick.csv.
fs::path write_off_tick_data(const TempDir& d) {
  auto ls = split(head_of_data(40), '\n');
  auto f = split(ls[1], ',');
  EXPECT_EQ(f.size(), 6u);
  EXPECT_EQ(f[1], "16727.3");
  f[1] = "16727.35";
  ls[1] = f[0] + "," + f[1] + "," + f[2] + "," + f[3] + "," + f[4] + "," + f[5];
  std::string text;
  for (const auto& l : ls) text += l + (l.empty() ? "" : "\n");
  const fs::path data = d / "off-tick.csv";
  write_file(data, text);
  return data;
}

TEST(CliBadInput, PriceOffTheTickSize) {
  TempDir d;
  const fs::path data = write_off_tick_data(d);
  Cfg c;
  c.data = data.string();
  c.tick = "0.1";
  expect_rejected(d, c.text(), {data.string() + ":2", "16727.35"});
}

// The message for a price off the tick must speak the config's language: the replay connector's
// key is `tick_size`. It must not tell the trader to set keys that do not exist in the config.
TEST(CliBadInput, PriceOffTheTickSizeAdvisesConfigKeysOnly) {
  TempDir d;
  const fs::path data = write_off_tick_data(d);
  for (const char* tick : {"0.1", "0.25"}) {
    SCOPED_TRACE(std::string("tick_size = ") + tick);
    Cfg c;
    c.data = data.string();
    c.tick = tick;
    write_file(d / "bot.toml", c.text());
    const Result r = run({"check", (d / "bot.toml").string()}, d.path());
    EXPECT_EQ(r.rc, 2) << r.both();
    EXPECT_TRUE(contains(r.err, "16727.35")) << r.err;
    EXPECT_TRUE(contains(r.err, "tick_size")) << r.err;
    EXPECT_FALSE(contains(r.err, "price_scale")) << "advises a key the replay connector does not have:\n" << r.err;
    EXPECT_FALSE(contains(r.err, "tick_size_raw")) << "advises a key the replay connector does not have:\n" << r.err;
  }
}

TEST(CliBadInput, ZeroTickSize) {
  TempDir d;
  Cfg c;
  c.tick = "0";
  const std::string text = c.text();
  const std::string cfg = (d / "bot.toml").string();
  expect_rejected(d, text, {"tick_size must be positive", cfg + ":" + std::to_string(line_of(text, "[[connector]]")) + ":1:",
                            "connector 'history'"});
}

TEST(CliBadInput, TimeframeDoesNotMatchTheData) {
  TempDir d;
  Cfg c;
  c.timeframe = "1m";
  const std::string text = c.text();
  const std::string cfg = (d / "bot.toml").string();
  const std::string pos = cfg + ":" + std::to_string(line_of(text, "timeframe = \"1m\"")) + ":" +
                          std::to_string(col_of(text, "timeframe = \"1m\"", "\""));
  expect_rejected(d, text, {pos, "1m", "5m bars", "timeframe = \"5m\""});
}

// =============================================================================================
// 6. `check` and `plugins --json`

TEST(CliCheck, DefaultConfigIsValidAndWritesNothing) {
  // The shipped config, unchanged, in the same relative layout (config/bots/ and data/).
  TempDir d;
  fs::create_directories(d / "config/bots");
  fs::create_directories(d / "data");
  fs::copy_file(kDefaultConfig, d / "config/bots/ema_crossover.toml");
  fs::create_symlink(kDataFile, d / "data/BTCUSDT-5m-20230102-20230209.csv");
  const auto before = files_under(d.path());
  const Result r = run({"check", "config/bots/ema_crossover.toml"}, d.path(), {{"TRADEHOST_PLUGIN_PATH", kPluginDir}});
  EXPECT_EQ(r.rc, 0) << r.both();
  EXPECT_TRUE(contains(r.out, "config/bots/ema_crossover.toml: ok (bot btc-ema")) << r.out;
  EXPECT_EQ(files_under(d.path()), before) << "check wrote files";
  EXPECT_FALSE(fs::exists(d / "var")) << "check created the state directory";
  EXPECT_FALSE(fs::exists(d / "out")) << "check created the output directory";
}

TEST(CliPlugins, JsonListsEveryComponent) {
  TempDir d;
  const Result r = run({"plugins", "--json", "--path", kPluginDir}, d.path());
  EXPECT_EQ(r.rc, 0) << r.both();
  rapidjson::Document doc;
  doc.Parse(r.out.c_str());
  ASSERT_FALSE(doc.HasParseError()) << r.out;
  ASSERT_TRUE(doc.IsObject() && doc.HasMember("components") && doc["components"].IsArray()) << r.out;
  ASSERT_TRUE(doc.HasMember("problems") && doc["problems"].IsArray());
  EXPECT_EQ(doc["problems"].Size(), 0u);
  struct Want {
    const char* kind;
    std::vector<const char*> keys;
  };
  const std::map<std::string, Want> want = {
      {"replay", {"connector", {"files", "symbol", "tick_size", "lot_size", "min_qty", "min_notional"}}},
      {"ema_crossover", {"strategy", {"fast", "slow", "rsi_period", "rsi_max", "fraction", "stop_loss_pct"}}},
      {"max_position", {"risk", {"max_qty", "max_notional"}}},
      {"max_daily_loss", {"risk", {"max_loss"}}},
      {"log", {"notifier", {"prefix"}}},
  };
  std::set<std::string> seen;
  for (const auto& c : doc["components"].GetArray()) {
    ASSERT_TRUE(c.IsObject());
    for (const char* k : {"type", "kind", "plugin", "version", "abi"}) ASSERT_TRUE(c.HasMember(k) && c[k].IsString()) << k;
    const std::string type = c["type"].GetString();
    auto it = want.find(type);
    if (it == want.end()) continue;
    SCOPED_TRACE(type);
    EXPECT_TRUE(seen.insert(type).second) << "listed twice";
    EXPECT_EQ(std::string(c["kind"].GetString()), it->second.kind);
    EXPECT_FALSE(std::string(c["plugin"].GetString()).empty());
    EXPECT_FALSE(std::string(c["version"].GetString()).empty());
    EXPECT_EQ(std::string(c["abi"].GetString()), "1.4");
    ASSERT_TRUE(c.HasMember("config") && c["config"].IsArray());
    std::set<std::string> keys;
    for (const auto& f : c["config"].GetArray()) {
      ASSERT_TRUE(f.HasMember("key") && f["key"].IsString() && f.HasMember("type") && f["type"].IsString());
      keys.insert(f["key"].GetString());
    }
    for (const char* k : it->second.keys) EXPECT_TRUE(keys.count(k)) << "config key " << k << " missing";
  }
  EXPECT_EQ(seen.size(), want.size()) << r.out;
}

// =============================================================================================
// 7. Risk rules on the real data

TEST(CliRisk, MaxNotionalRejectsEveryEntry) {
  Cfg c;
  c.risks = "[[risk]]\ntype = \"max_position\"\nmax_notional = \"100\"\n";
  const Backtest b = run_backtest(c.text());
  ASSERT_EQ(b.result.rc, 0) << b.result.both();
  Db db(b.state());
  EXPECT_EQ(db.text("SELECT status FROM runs"), "completed");
  EXPECT_EQ(db.num("SELECT count(*) FROM fills"), 0);
  EXPECT_EQ(db.num("SELECT count(*) FROM orders"), 0);
  const auto rej = db.rows("SELECT ts_ns, rule, reason, order_json FROM rejections ORDER BY rejection_id");
  ASSERT_GT(rej.size(), 0u);
  const auto& csv = candles();
  for (const auto& r : rej) {
    SCOPED_TRACE(col(r, 3));
    EXPECT_EQ(col(r, 1), "max_position");
    EXPECT_TRUE(contains(col(r, 2), "max_notional 100")) << col(r, 2);
    EXPECT_TRUE(contains(col(r, 3), "\"side\":\"buy\""));
    // The order is sized from the untouched 10000 USDT: qty = floor(0.95 x 10000 / close, 0.00001),
    // valued at the bar's close, which is what the reason must say.
    const int64_t ts = std::stoll(col(r, 0));
    auto it = csv.by_open_ns.find(ts - kBarNs);
    ASSERT_NE(it, csv.by_open_ns.end()) << "rejection time is not a bar close";
    const i128 close = csv.rows[it->second].close;                   // cents
    const i128 qty = (i128(950'000'000'000) * 100 / close) / 1000 * 1000;  // 10^-8, floored to the lot
    const std::string oj = col(r, 3);
    const auto q0 = oj.find("\"qty\":\"") + 7;
    EXPECT_EQ(dec_or_fail(oj.substr(q0, oj.find('"', q0) - q0), 8), qty) << "expected qty " << str128(qty, 8);
    const i128 value = ceil_div(qty * close, 100);  // 10^-8
    EXPECT_TRUE(contains(col(r, 2), "position value would be " + trimmed(value, 8) + " USDT"))
        << "expected value " << str128(value, 8) << " in: " << col(r, 2);
  }
  // Every entry decision says it was rejected, and none produced an order.
  const auto buys = db.rows("SELECT risk_verdict, order_id FROM decisions WHERE action = 'buy'");
  EXPECT_EQ(buys.size(), rej.size());
  for (const auto& d : buys) {
    EXPECT_EQ(col(d, 0).rfind("rejected", 0), 0u) << col(d, 0);
    EXPECT_TRUE(contains(col(d, 0), "max_notional")) << col(d, 0);
    EXPECT_FALSE(d[1].has_value());
  }
  Report rep(b.out / "report.json");
  EXPECT_EQ(rep.raw("trades"), "0");
  EXPECT_EQ(dec_or_fail(rep.raw("final_equity"), 8), i128(10000) * 100'000'000);
}

TEST(CliRisk, DailyLossStopsEntriesButNotExits) {
  Cfg c;
  c.risks = "[[risk]]\ntype = \"max_daily_loss\"\nmax_loss = \"0.01\"\n";
  const Backtest b = run_backtest(c.text());
  ASSERT_EQ(b.result.rc, 0) << b.result.both();
  Db db(b.state());
  EXPECT_EQ(db.text("SELECT status FROM runs"), "completed");

  // Rejections: all entries (buys) by the daily loss rule.
  const auto rej = db.rows("SELECT ts_ns, rule, reason, order_json FROM rejections ORDER BY rejection_id");
  ASSERT_GT(rej.size(), 0u) << "the rule never fired";
  std::map<int64_t, int> rejected_at;
  for (const auto& r : rej) {
    EXPECT_EQ(col(r, 1), "max_daily_loss");
    EXPECT_TRUE(contains(col(r, 3), "\"side\":\"buy\"")) << "an exit was rejected: " << col(r, 3);
    EXPECT_TRUE(contains(col(r, 2), "exceeds max_loss 0.01")) << col(r, 2);
    ++rejected_at[std::stoll(col(r, 0))];
  }
  // Exits all passed and filled; no sell order was refused.
  EXPECT_EQ(db.num("SELECT count(*) FROM orders WHERE side = 'sell' AND state <> 'FILLED'"), 0);
  EXPECT_EQ(db.num("SELECT count(*) FROM decisions WHERE action = 'sell' AND (risk_verdict IS NULL OR risk_verdict <> 'approved')"), 0);
  // No position is left stuck: a position open at the end had no exit signal after its entry.
  const auto fills = load_fills(db);
  i128 pos = 0;
  int64_t last_buy_ts = 0;
  for (const Fill& f : fills) {
    pos += f.side == "buy" ? f.qty : -f.qty;
    if (f.side == "buy") last_buy_ts = f.ts_ns;
  }
  if (pos != 0) {
    EXPECT_EQ(db.num("SELECT count(*) FROM decisions WHERE action = 'sell' AND ts_ns >= " + std::to_string(last_buy_ts)), 0);
  }

  // The rule, recomputed from the fills and the candles: equity = cash + position x last mark.
  // The day's start equity is the first observation of the UTC day (the fills of a bar, marked at
  // the previous close, then the bar's close). An entry at a bar close passes iff
  // day start - equity <= 0.01.
  std::map<int64_t, std::vector<const Fill*>> fills_at;
  for (const Fill& f : fills) fills_at[f.ts_ns].push_back(&f);
  std::map<int64_t, int> buys_at;
  for (const auto& r : db.rows("SELECT created_ns FROM orders WHERE side = 'buy'")) ++buys_at[std::stoll(col(r, 0))];
  const i128 max_loss = 100'000'000;  // 0.01 at 10^-10
  i128 cash = i128(10000) * 10'000'000'000LL, qty = 0, prev_close = 0;
  int64_t day = INT64_MIN;
  i128 day_start = 0;
  auto observe = [&](int64_t ts, i128 equity) {
    if (ts / kDayNs != day) {
      day = ts / kDayNs;
      day_start = equity;
    }
  };
  int checked_rejections = 0, checked_entries = 0;
  for (const Candle& k : candles().rows) {
    const int64_t open_ns = k.open_ms * 1'000'000, close_ns = open_ns + kBarNs;
    if (auto it = fills_at.find(open_ns); it != fills_at.end()) {
      for (const Fill* f : it->second) {
        const i128 n = f->price * f->qty;
        cash += f->side == "buy" ? -n : n;
        cash -= f->fee * 100;
        qty += f->side == "buy" ? f->qty : -f->qty;
      }
      observe(close_ns, cash + qty * prev_close);
    }
    const i128 equity = cash + qty * k.close;
    observe(close_ns, equity);
    prev_close = k.close;
    const i128 loss = day_start - equity;
    if (auto it = rejected_at.find(close_ns); it != rejected_at.end()) {
      checked_rejections += it->second;
      EXPECT_GT(loss, max_loss) << "entry rejected at " << close_ns << " with a day loss of only " << str128(loss, 10);
    }
    if (auto it = buys_at.find(close_ns); it != buys_at.end()) {
      checked_entries += it->second;
      EXPECT_LE(loss, max_loss) << "entry approved at " << close_ns << " with a day loss of " << str128(loss, 10);
    }
  }
  EXPECT_EQ(checked_rejections, static_cast<int>(rej.size())) << "rejections at times that are not bar closes";
  EXPECT_EQ(checked_entries, static_cast<int>(db.num("SELECT count(*) FROM orders WHERE side = 'buy'")));
  EXPECT_GT(checked_entries, 0);
}

// =============================================================================================
// 8. Paper mode, stopped with Ctrl-C

TEST(CliPaper, CtrlCStopsCleanlyAndSaves) {
  TempDir d;
  Cfg c;
  c.mode = "paper";
  // 10000x: the 38 days of data would take ~5.5 minutes; the first entry fills ~4 s in.
  c.bot_extra = "speed = 10000\n";
  const fs::path cfg = d / "bot.toml";
  write_file(cfg, c.text());
  Child child({kExe, "run", cfg.string()}, d.path());
  // Wait for the first fill: the run loop (and its signal handler) is up by then.
  const bool started = child.read_until([&] { return contains(child.err, "topic=fill"); }, std::chrono::seconds(60));
  ASSERT_TRUE(started) << "no fill within 60 s\nstdout:\n" << child.out << "\nstderr:\n" << child.err;
  EXPECT_TRUE(contains(child.err, "mode=paper")) << child.err;
  child.signal(SIGINT);
  const int rc = child.wait(std::chrono::seconds(60));
  EXPECT_EQ(rc, 0) << "stdout:\n" << child.out << "\nstderr:\n" << child.err;
  EXPECT_TRUE(contains(child.out, "Total return")) << child.out;
  EXPECT_TRUE(contains(child.out, "stopped")) << child.out;

  ASSERT_TRUE(fs::exists(d / "state.sqlite")) << "state not at [bot] state";
  Db db(d / "state.sqlite");
  EXPECT_EQ(db.text("SELECT status FROM runs"), "stopped");
  EXPECT_EQ(db.text("SELECT mode FROM runs"), "paper");
  EXPECT_NE(db.text("SELECT summary_json FROM runs"), "<null>");
  EXPECT_GE(db.num("SELECT count(*) FROM fills"), 1);
  Report rep(d / "out" / "report.json");
  ASSERT_TRUE(rep.ok) << "report.json not written to [bot] out";
  const int64_t bars = std::stoll(rep.raw("bars"));
  EXPECT_GT(bars, 0);
  EXPECT_LT(bars, static_cast<int64_t>(candles().rows.size()));
  EXPECT_TRUE(fs::exists(d / "out" / "trades.csv"));
}

// Ctrl-C while the run is starting: the state database is open and the run row exists ("store
// migrated" is logged by the store as it opens), but the run loop is not up yet. The run must
// still stop cleanly: exit 0 and no run left in status 'running' (which crash recovery would
// take for a crashed run).
TEST(CliPaper, CtrlCDuringStartupLeavesNoRunningRun) {
  TempDir d;
  Cfg c;
  c.mode = "paper";
  c.bot_extra = "speed = 10000\n";
  const fs::path cfg = d / "bot.toml";
  write_file(cfg, c.text());
  Child child({kExe, "run", cfg.string()}, d.path());
  const bool opened = child.read_until([&] { return contains(child.err, "store migrated"); }, std::chrono::seconds(60));
  ASSERT_TRUE(opened) << "stderr:\n" << child.err;
  child.signal(SIGINT);
  const int rc = child.wait(std::chrono::seconds(60));
  EXPECT_EQ(rc, 0) << (rc < 0 ? "killed by signal " + std::to_string(-rc) : "exit " + std::to_string(rc))
                   << "\nstdout:\n" << child.out << "\nstderr:\n" << child.err;
  if (fs::exists(d / "state.sqlite")) {
    Db db(d / "state.sqlite");
    EXPECT_EQ(db.num("SELECT count(*) FROM runs WHERE status = 'running'"), 0)
        << "a run interrupted by Ctrl-C is left as 'running'";
  }
}

}  // namespace
