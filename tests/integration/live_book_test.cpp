// Order books end to end: the real `tradehost` (paper mode) with the real `binance_spot` connector
// on the real exchange simulator (build/exchange-sim), both child processes. The live_probe
// strategy asks for events = ["bar", "book"], keeps a tradehost::OrderBook from the SNAPSHOT and
// DELTA events and logs it after each one:
//   probe book <update_id> <snapshot|delta> bids=<n> asks=<n> best=<bid>/<ask> top=<p>:<q>,...|<p>:<q>,...
// The tests move the simulator's clock (POST /_sim/advance), inject its faults and synchronise on
// the bot's log lines: no sleeps.
//
// Expected books are worked out by hand from the candle file and the simulator's documented book
// (tools/exchange-sim/README.md "Market model"): best bid = the candle's close, best ask = close +
// 0.01, then --book-levels levels each side one tick (0.01) apart with --level-qty (2) each;
// lastUpdateId starts at 1 and grows by one per step. With --book-levels 5 and the connector's
// book_depth = 3, the probe holds exactly the best 3 levels, so a 5-level venue book also checks
// that levels leaving the window are removed. Closes of data/BTCUSDT-5m-20230102-20230209.csv:
//   candle 0: 16726.1   1: 16707.5   2: 16704.1   3: 16709.9   4: 16709.9   5: 16705.2
// Each line is also checked against the simulator's own GET /api/v3/depth answer.
#include "sim_process.hpp"

namespace {

using namespace tradehost_it;

/// The probe's book line after "probe book <id> <kind> ": three levels a side, 2 BTC each.
std::string book_at(const std::string& bid, const std::string& b2, const std::string& b3, const std::string& ask,
                    const std::string& a2, const std::string& a3) {
  return "bids=3 asks=3 best=" + bid + "/" + ask + " top=" + bid + ":2," + b2 + ":2," + b3 + ":2|" + ask + ":2," + a2 +
         ":2," + a3 + ":2";
}
const std::string kCandle0 = book_at("16726.1", "16726.09", "16726.08", "16726.11", "16726.12", "16726.13");
const std::string kCandle1 = book_at("16707.5", "16707.49", "16707.48", "16707.51", "16707.52", "16707.53");
const std::string kCandle3 = book_at("16709.9", "16709.89", "16709.88", "16709.91", "16709.92", "16709.93");
const std::string kCandle5 = book_at("16705.2", "16705.19", "16705.18", "16705.21", "16705.22", "16705.23");

/// The same line from the simulator's GET /api/v3/depth?limit=3 (prices at 2 decimals, quantities
/// at 5: the BTCUSDT tick and step).
std::string venue_book(SimProcess& sim) {
  const SimReply r = sim.request("GET", "/api/v3/depth?symbol=BTCUSDT&limit=3");
  if (r.status != 200 || !r.json.IsObject()) return "HTTP " + std::to_string(r.status) + " " + r.body;
  const auto side = [](const rapidjson::Value& levels) {
    std::string out;
    for (const auto& l : levels.GetArray())
      out += (out.empty() ? "" : ",") + trimmed(dec_or_fail(l[0].GetString(), 2), 2) + ":" +
             trimmed(dec_or_fail(l[1].GetString(), 5), 5);
    return out;
  };
  const auto& bids = r.json["bids"];
  const auto& asks = r.json["asks"];
  const auto best = [](const rapidjson::Value& levels) {
    return levels.Empty() ? std::string("-") : trimmed(dec_or_fail(levels[0][0].GetString(), 2), 2);
  };
  return "bids=" + std::to_string(bids.Size()) + " asks=" + std::to_string(asks.Size()) + " best=" + best(bids) + "/" +
         best(asks) + " top=" + side(bids) + "|" + side(asks);
}

/// A paper bot whose probe asks for bars and books of BTC/USDT from binance_spot on the simulator.
class BookBot {
 public:
  BookBot(TempDir& d, SimProcess& sim) {
    std::string toml = "[bot]\nname = \"book-it\"\nmode = \"paper\"\ninitial_cash = \"10000\"\n";
    toml += "state = \"state.sqlite\"\nout = \"out\"\n\n";
    toml += "[plugins]\npaths = [\"" + kPluginDir + "\", \"" + std::string(TH_BINARY_DIR) + "/live_fixtures\"]\n\n";
    toml += "[[connector]]\nname = \"binance\"\ntype = \"binance_spot\"\nbook_depth = 3\n";
    toml += "rest_url = \"" + sim.http_url() + "\"\nws_url = \"" + sim.ws_url() + "\"\n\n";
    toml += "[[strategy]]\nname = \"probe\"\ntype = \"live_probe\"\nconnector = \"binance\"\n";
    toml += "instruments = [\"BTC/USDT\"]\ntimeframe = \"5m\"\nevents = [\"bar\", \"book\"]\nsubmit_on_bar = 0\n";
    write_file(d / "bot.toml", toml);
    child_ = std::make_unique<Child>(std::vector<std::string>{kExe, "run", (d / "bot.toml").string()}, d.path());
  }

  /// Waits for a whole log line holding `needle` (at or after `from`); returns the rest of that
  /// line after the needle and sets `end` to where the line ends. Empty (and a failure) when none
  /// comes.
  std::string await_line(const std::string& needle, size_t from = 0, size_t* end = nullptr) {
    size_t at = std::string::npos, eol = std::string::npos;
    const bool seen = child_->read_until(
        [&] {
          at = child_->err.find(needle, from);
          eol = at == std::string::npos ? at : child_->err.find('\n', at);
          return eol != std::string::npos;
        },
        std::chrono::seconds(90));
    EXPECT_TRUE(seen) << "no '" << needle << "' in the bot's log\n" << child_->err;
    if (!seen) return {};
    if (end) *end = eol;
    return child_->err.substr(at + needle.size(), eol - at - needle.size());
  }
  size_t count(const std::string& needle) const { return occurrences(child_->err, needle); }
  int stop() {
    child_->signal(SIGINT);
    return child_->wait(std::chrono::seconds(60));
  }
  const std::string& log() const { return child_->err; }

 private:
  std::unique_ptr<Child> child_;
};

int64_t last_update_id(const SimReply& r) { return r.json["lastUpdateId"].GetInt64(); }

TEST(LiveBook, ProbeBookFollowsTheVenueAndIsReplacedAfterTheStreamDrops) {
  TempDir d;
  SimProcess sim(d.path(), {"--book-levels", "5"});
  ASSERT_EQ(last_update_id(sim.state()), 1);
  BookBot bot(d, sim);

  // The first synchronisation: the snapshot of candle 0's book.
  EXPECT_EQ(bot.await_line("probe book 1 "), "snapshot " + kCandle0);
  EXPECT_EQ(venue_book(sim), kCandle0);

  // Each step's diff moves the whole book; the probe applies the deltas.
  ASSERT_EQ(sim.advance().status, 200);
  EXPECT_EQ(bot.await_line("probe book 2 "), "delta " + kCandle1);
  EXPECT_EQ(venue_book(sim), kCandle1);
  ASSERT_EQ(sim.advance().status, 200);
  EXPECT_EQ(bot.await_line("probe book 3 "),
            "delta " + book_at("16704.1", "16704.09", "16704.08", "16704.11", "16704.12", "16704.13"));
  ASSERT_EQ(sim.advance().status, 200);
  size_t at = 0;
  EXPECT_EQ(bot.await_line("probe book 4 ", 0, &at), "delta " + kCandle3);
  EXPECT_EQ(venue_book(sim), kCandle3);

  // Drop the market streams, and move the price down 4.7 while the bot is (most likely) still
  // reconnecting: bids of candle 3's book would stand above the new best bid if any survived.
  ASSERT_EQ(sim.fault(R"({"ws_drop":"market"})").status, 200);
  bot.await_line("book resync BTCUSDT: market stream closed", at, &at);
  const SimReply moved = sim.advance(2);
  ASSERT_EQ(moved.status, 200);
  ASSERT_EQ(last_update_id(sim.state()), 6);
  // After the reconnect a fresh snapshot replaces the probe's book (whether it came before or
  // after the two steps, the book at update id 6 is candle 5's, and nothing else).
  const std::string first = bot.await_line("probe book ", at);
  EXPECT_NE(first.find(" snapshot bids="), std::string::npos) << first;
  bot.await_line("book synchronised BTCUSDT at update id", at);
  const std::string last = bot.await_line("probe book 6 ", at);
  EXPECT_EQ(last, (bot.count("probe book 6 snapshot") ? "snapshot " : "delta ") + kCandle5);
  EXPECT_EQ(venue_book(sim), kCandle5);
  EXPECT_EQ(bot.count("probe book 6 "), 1u);
  EXPECT_EQ(bot.count(" snapshot bids="), 2u);  // the first synchronisation and the resynchronisation
  EXPECT_EQ(bot.stop(), 0) << bot.log();
}

TEST(LiveBook, ConnectorNoticesASkippedDiffAndResynchronises) {
  TempDir d;
  SimProcess sim(d.path(), {"--book-levels", "5"});
  BookBot bot(d, sim);
  EXPECT_EQ(bot.await_line("probe book 1 "), "snapshot " + kCandle0);
  ASSERT_EQ(sim.advance().status, 200);
  size_t at = 0;
  EXPECT_EQ(bot.await_line("probe book 2 ", 0, &at), "delta " + kCandle1);

  // Update 3 (candle 2) is never sent. depth_gap counts the simulator's depth publications, two
  // per step here (it publishes each diff as <symbol>@depth and <symbol>@depth@100ms); a
  // simulator that counts steps instead also swallows update 4. Either way the three steps
  // happen in one /_sim/advance, so the snapshot the connector asks for after noticing the gap
  // is the book at update 5 (candle 4, whose close equals candle 3's).
  ASSERT_EQ(sim.fault(R"({"depth_gap":2})").status, 200);
  ASSERT_EQ(sim.advance(3).status, 200);
  const std::string gap = bot.await_line("book resync BTCUSDT: sequence gap: diff U=", at, &at);
  EXPECT_NE(gap.find(" after update id 2"), std::string::npos) << gap;
  EXPECT_EQ(bot.await_line("probe book 5 ", at), "snapshot " + kCandle3);
  EXPECT_EQ(venue_book(sim), kCandle3);
  bot.await_line("book synchronised BTCUSDT at update id 5", at);

  // The chain goes on from the new snapshot.
  ASSERT_EQ(sim.advance().status, 200);
  EXPECT_EQ(bot.await_line("probe book 6 ", at), "delta " + kCandle5);
  EXPECT_EQ(venue_book(sim), kCandle5);
  EXPECT_EQ(bot.count("probe book 3 "), 0u);  // the skipped update never reached the probe
  EXPECT_EQ(bot.count("probe book 4 "), 0u);
  EXPECT_EQ(bot.stop(), 0) << bot.log();
}

}  // namespace
