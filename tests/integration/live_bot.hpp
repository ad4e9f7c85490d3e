// live_bot.hpp -- the real `tradehost` executable as a live bot (a child process) trading through a
// Binance connector against the exchange simulator (sim_process.hpp), with the live_probe fixture
// strategy (fixtures/live_probe.cpp) whose log lines the tests wait for. live_trading_test.cpp
// (binance_spot) and usdm_live_trading_test.cpp (binance_usdm) drive it.
#pragma once

#include "sim_process.hpp"

#include <map>
#include <memory>
#include <string>

namespace tradehost_it {

inline const std::string kMasterKey(64, 'b');

/// Which connector the bot trades through, and the instrument its probe trades.
struct LiveVenue {
  std::string connector = "binance_spot";
  std::string instrument = "BTC/USDT";
};

class LiveBot {
 public:
  LiveBot(TempDir& d, SimProcess& sim, LiveVenue venue = {}) : d_(d), sim_(sim), venue_(std::move(venue)) {
    env_ = {{"TRADEHOST_MASTER_KEY", kMasterKey}, {"TRADEHOST_CREDENTIALS", (d / "creds.enc").string()}};
    write_file(d / "secret.txt", std::string(SimProcess::kSecret) + "\n");
    Result add = run({"credentials", "add", "sim", "--type", "hmac", "--api-key", SimProcess::kKey}, d.path(), env_,
                     std::chrono::seconds(60), d / "secret.txt");
    if (add.rc != 0) throw std::runtime_error("credentials add failed: " + add.both());
    fs::remove(d / "secret.txt");
  }

  /// The probe's settings (TOML lines) for the next start.
  void write_config(const std::string& probe, const std::string& connector_extra = "", const std::string& bot_extra = "") {
    write_file(d_ / "bot.toml",
               "[bot]\nname = \"live-it\"\nmode = \"live\"\nstate = \"state.sqlite\"\nout = \"out\"\n" + bot_extra + "\n"
               "[plugins]\npaths = [\"" + kPluginDir + "\", \"" + std::string(TH_BINARY_DIR) + "/live_fixtures\"]\n\n"
               "[[connector]]\nname = \"binance\"\ntype = \"" + venue_.connector + "\"\nrest_url = \"" + sim_.http_url() + "\"\nws_url = \"" +
                   sim_.ws_url() + "\"\ncredential = \"sim\"\n" + connector_extra + "\n"
               "[[strategy]]\nname = \"probe\"\ntype = \"live_probe\"\nconnector = \"binance\"\ninstruments = [\"" +
                   venue_.instrument + "\"]\n"
               "timeframe = \"5m\"\n" + probe + "\n\n"
               "[[notifier]]\ntype = \"log\"\non = [\"fill\", \"rejected\", \"error\", \"order\", \"reconcile\"]\n");
  }

  /// Starts the bot and waits until it has reconciled and its `streams` WebSockets are open
  /// (default: klines and user data).
  void start(size_t streams = 2) {
    child_ = std::make_unique<Child>(std::vector<std::string>{kExe, "run", (d_ / "bot.toml").string()}, d_.path(), env_);
    await("reconciled:");
    const bool open = child_->read_until([&] { return count("websocket open url=") >= streams; }, std::chrono::seconds(60));
    ASSERT_TRUE(open) << child_->err;
  }
  /// Waits for `needle` in the bot's log (after `from`); returns where it ends.
  size_t await(const std::string& needle, size_t from = 0) {
    size_t at = std::string::npos;
    const bool seen = child_->read_until(
        [&] {
          at = child_->err.find(needle, from);
          return at != std::string::npos;
        },
        std::chrono::seconds(90));
    EXPECT_TRUE(seen) << "no '" << needle << "' in the bot's log\n" << child_->err;
    return seen ? at + needle.size() : std::string::npos;
  }
  /// Waits until `needle` stands `n` times in the bot's log.
  void await_count(const std::string& needle, size_t n) {
    const bool seen = child_->read_until([&] { return count(needle) >= n; }, std::chrono::seconds(90));
    EXPECT_TRUE(seen) << n << " x '" << needle << "' not in the bot's log\n" << child_->err;
  }
  size_t count(const std::string& needle) const {
    size_t n = 0;
    for (size_t at = child_->err.find(needle); at != std::string::npos; at = child_->err.find(needle, at + 1)) ++n;
    return n;
  }
  int stop() {
    child_->signal(SIGINT);
    return child_->wait(std::chrono::seconds(60));
  }
  const std::string& log() const { return child_->err; }
  fs::path state() const { return d_ / "state.sqlite"; }

 private:
  TempDir& d_;
  SimProcess& sim_;
  LiveVenue venue_;
  std::map<std::string, std::string> env_;
  std::unique_ptr<Child> child_;
};

}  // namespace tradehost_it
