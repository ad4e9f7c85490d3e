// live_bot.hpp -- the real `tradehost` executable as a live bot (a child process) trading through a
// Binance connector against the exchange simulator (sim_process.hpp), with the live_probe fixture
// strategy (fixtures/live_probe.cpp) whose log lines the tests wait for. live_trading_test.cpp
// (binance_spot) and usdm_live_trading_test.cpp (binance_usdm) drive it.
#pragma once

#include "sim_process.hpp"

#include <cstdlib>
#include <fstream>
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

  /// Adds a token credential (the control API's bearer token) named `name`.
  void add_token(const std::string& name, const std::string& token) {
    write_file(d_ / "token.txt", token + "\n");
    Result add = run({"credentials", "add", name, "--type", "token"}, d_.path(), env_, std::chrono::seconds(60), d_ / "token.txt");
    if (add.rc != 0) throw std::runtime_error("credentials add (token) failed: " + add.both());
    fs::remove(d_ / "token.txt");
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

  /// TRADEHOST_CRASH_AT for the next starts (host/fault/crash_point.hpp); "" clears it.
  void crash_at(const std::string& spec) {
    if (spec.empty()) env_.erase("TRADEHOST_CRASH_AT");
    else env_["TRADEHOST_CRASH_AT"] = spec;
  }
  /// Starts the bot without waiting for anything.
  void launch() {
    child_ = std::make_unique<Child>(std::vector<std::string>{kExe, "run", (d_ / "bot.toml").string()}, d_.path(), env_);
  }
  /// Waits for the bot to end by itself (a crash point); its exit code or -signal.
  int wait_exit() { return child_->wait(std::chrono::seconds(90)); }

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
  /// Waits until `a` or `b` stands in the log after `from`; true when `b` came (or the bot ended).
  bool await_either(const std::string& a, const std::string& b, size_t from) {
    bool got_b = false;
    const bool seen = child_->read_until(
        [&] {
          got_b = child_->err.find(b, from) != std::string::npos;
          return got_b || child_->err.find(a, from) != std::string::npos;
        },
        std::chrono::seconds(90));
    return got_b || !seen;
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
  void signal(int sig) { child_->signal(sig); }
  /// SIGKILL, then reap: a crash at whatever point the bot was.
  int crash() {
    child_->signal(SIGKILL);
    return child_->wait(std::chrono::seconds(60));
  }
  /// The control API's URL, as the running bot wrote it next to its state database.
  std::string control_url() const {
    std::ifstream in((d_ / "state.sqlite.control").string());
    std::string url;
    in >> url;
    return url;
  }
  fs::path state() const { return d_ / "state.sqlite"; }

 private:
  TempDir& d_;
  SimProcess& sim_;
  LiveVenue venue_;
  std::map<std::string, std::string> env_;
  std::unique_ptr<Child> child_;
};

/// What curl got: the HTTP status (0 when no answer) and the body.
struct HttpAnswer {
  int status = 0;
  std::string body;
};

/// One request with the real curl client. `token` empty: no Authorization header.
inline HttpAnswer curl(const std::string& method, const std::string& url, const std::string& token = "", const std::string& body = "",
                       const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{"/usr/bin/curl", "-sS", "-o", "-", "-w", "\n%{http_code}", "-X", method, "--max-time", "30"};
  if (!token.empty()) args.insert(args.end(), {"-H", "Authorization: Bearer " + token});
  if (!body.empty()) args.insert(args.end(), {"-H", "Content-Type: application/json", "--data", body});
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(url);
  Child c(args, fs::current_path());
  c.wait(std::chrono::seconds(60));
  HttpAnswer a;
  const size_t nl = c.out.rfind('\n');
  if (nl == std::string::npos) return a;
  a.body = c.out.substr(0, nl);
  a.status = std::atoi(c.out.c_str() + nl + 1);
  return a;
}

}  // namespace tradehost_it
