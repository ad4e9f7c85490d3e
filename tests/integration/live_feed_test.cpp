// Paper trading on live market data, end to end: the real exchange simulator (build/exchange-sim,
// a Binance-spot-compatible server replaying the bundled real candles) as a child process, and
// the real `tradehost` running config/bots/binance_sim_paper.toml: the `binance_spot` connector
// gets its instruments from GET /api/v3/exchangeInfo and its bars from the kline stream, through
// the host's HTTP and WebSocket services; orders fill in the host's simulated matching engine.
// Synchronisation is by reading both processes' output (no sleeps).
//
// Expected values come from the candle file itself: every bar the bot saw must be a candle of
// the file (its close at the candle's close time), and the first entry must fill at the open of
// the candle after the one that produced the decision, plus the config's 1 bp slippage.
#include "cli_harness.hpp"

namespace {

using namespace tradehost_it;

const std::string kSimExe = std::string(TH_BINARY_DIR) + "/exchange-sim";

struct Candle {
  int64_t close_ns = 0;
  i128 open = 0, close = 0;  // cents
};

std::vector<Candle> candles_of_file() {
  std::vector<Candle> out;
  const auto ls = lines_of(read_file(kDataFile));
  for (size_t i = 1; i < ls.size(); ++i) {
    const auto c = split(ls[i], ',');
    out.push_back(Candle{(std::stoll(c.at(0)) + 300'000) * 1'000'000, dec_or_fail(c.at(1), 2), dec_or_fail(c.at(4), 2)});
  }
  return out;
}

TEST(LiveFeed, PaperBotTradesOnBarsFromTheSimulatorsKlineStream) {
  TempDir d;
  Child sim({kSimExe, "--candles", kDataFile, "--pace-ms", "10"}, d.path());
  ASSERT_TRUE(sim.read_until([&] { return contains(sim.out, "\n"); }, std::chrono::seconds(60))) << sim.err;
  const std::string prefix = "listening http://";
  ASSERT_EQ(sim.out.rfind(prefix, 0), 0u) << sim.out;
  const std::string host_port = sim.out.substr(prefix.size(), sim.out.find('\n') - prefix.size());

  // The bundled config, with state and output moved into the scratch folder.
  std::string cfg = read_file(kSourceDir + "/config/bots/binance_sim_paper.toml");
  cfg.replace(cfg.find("state = \"../../var/btc-ema-simfeed.sqlite\""), 42, "state = \"" + (d / "state.sqlite").string() + "\"");
  cfg.replace(cfg.find("out = \"../../out/btc-ema-simfeed\""), 33, "out = \"" + (d / "out").string() + "\"");
  cfg += "\n[plugins]\npaths = [\"" + kPluginDir + "\"]\n";
  write_file(d / "bot.toml", cfg);
  Child bot({kExe, "run", (d / "bot.toml").string()}, d.path(),
            {{"TRADEHOST_SIM_URL", "http://" + host_port}, {"TRADEHOST_SIM_WS", "ws://" + host_port}});
  const bool ready = bot.read_until([&] { return contains(bot.err, "instruments from http://" + host_port); }, std::chrono::seconds(60));
  ASSERT_TRUE(ready) << bot.err;
  const bool filled = bot.read_until([&] { return contains(bot.err, "topic=fill"); }, std::chrono::seconds(120));
  ASSERT_TRUE(filled) << "no fill\n" << bot.err;
  bot.signal(SIGINT);
  EXPECT_EQ(bot.wait(std::chrono::seconds(60)), 0) << bot.err;
  sim.signal(SIGTERM);
  sim.wait(std::chrono::seconds(30));

  const auto file = candles_of_file();
  std::map<int64_t, size_t> by_close;
  for (size_t i = 0; i < file.size(); ++i) by_close[file[i].close_ns] = i;

  Db db(d / "state.sqlite");
  EXPECT_EQ(db.text("SELECT mode FROM runs"), "paper");
  // Every decision sits at the close of a candle of the file, and its recorded close is that
  // candle's close: the bars came through the stream intact.
  const auto decisions = db.rows("SELECT ts_ns, inputs_json FROM decisions ORDER BY decision_id");
  ASSERT_FALSE(decisions.empty());
  for (const auto& r : decisions) {
    const int64_t ts = std::stoll(col(r, 0));
    ASSERT_TRUE(by_close.count(ts)) << "decision at " << ts << " is not at a candle close of the file";
    const std::string inputs = col(r, 1);
    const auto at = inputs.find("\"close\":");
    if (at == std::string::npos) continue;
    const std::string close_text = inputs.substr(at + 8, inputs.find(',', at) - at - 8);
    EXPECT_EQ(dec_or_fail(close_text, 2), file[by_close[ts]].close) << inputs;
  }
  // The first entry: a buy decision at candle k's close fills at candle k+1's open, 1 bp worse
  // (buy: up), rounded to the 0.01 tick against the trader (ceiling).
  const auto entry = db.rows("SELECT d.ts_ns, f.price FROM decisions d JOIN fills f ON f.order_id = d.order_id "
                             "WHERE d.action = 'buy' ORDER BY d.decision_id LIMIT 1");
  ASSERT_EQ(entry.size(), 1u);
  const size_t k = by_close.at(std::stoll(col(entry[0], 0)));
  ASSERT_LT(k + 1, file.size());
  const i128 expected = ceil_div(file[k + 1].open * 10001, 10000);
  EXPECT_EQ(dec_or_fail(col(entry[0], 1), 2), expected) << "fill price vs next candle's open " << str128(file[k + 1].open, 2);
}

}  // namespace
