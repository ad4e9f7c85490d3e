// Hot reload of a strategy while a paper bot runs, end to end: the real `tradehost` executable,
// the real replay connector on the bundled BTC/USDT candles, and the `reload_probe` strategy
// (fixtures/reload_probe.cpp) built in several variants that the tests copy over the running
// library. Synchronisation is by reading the bot's log as it is written (no sleeps); the
// outcome is read from the bot's SQLite state after a Ctrl-C stop.
//
// Expected values are independent of the host: bar close times and the EMA(10) of the closes
// are computed here from the CSV file with the textbook formulas (seed = SMA of the first 10
// closes, then e += 2/11 * (close - e)).
#include "cli_harness.hpp"

#include <cstdlib>
#include <rapidjson/document.h>

namespace {

using namespace tradehost_it;

const fs::path kFixtures = fs::path(TH_BINARY_DIR) / "reload_fixtures";
constexpr int kEmaPeriod = 10;

fs::path fixture(const std::string& variant) { return kFixtures / variant / "libth_reload_probe.so"; }

/// Rewrites `dst` in place with the bytes of `src` (same inode: what `cp` does).
void copy_in_place(const fs::path& src, const fs::path& dst) {
  fs::copy_file(src, dst, fs::copy_options::overwrite_existing);
}

/// Replaces `dst` by renaming a finished copy of `src` onto it (what `install` and most build
/// tools do).
void rename_over(const fs::path& src, const fs::path& dst) {
  const fs::path tmp = dst.parent_path() / (".incoming-" + dst.filename().string());
  fs::copy_file(src, tmp, fs::copy_options::overwrite_existing);
  fs::rename(tmp, dst);
}

struct Bar {
  int64_t close_ns = 0;
  double close = 0;
};

/// The candles of the bundled file, in file order.
const std::vector<Bar>& bars() {
  static const std::vector<Bar> all = [] {
    std::vector<Bar> out;
    const auto ls = lines_of(read_file(kDataFile));
    for (size_t i = 1; i < ls.size(); ++i) {
      const auto c = split(ls[i], ',');
      out.push_back(Bar{(std::stoll(c.at(0)) + 300'000) * 1'000'000, std::stod(c.at(4))});
    }
    return out;
  }();
  return all;
}

/// EMA(kEmaPeriod) of the closes after bar `n` (1-based); nullopt while warming up.
std::optional<double> reference_ema(int64_t n) {
  if (n < kEmaPeriod) return std::nullopt;
  double e = 0;
  for (int i = 0; i < kEmaPeriod; ++i) e += bars().at(i).close;
  e /= kEmaPeriod;
  const double alpha = 2.0 / (kEmaPeriod + 1);
  for (int64_t i = kEmaPeriod; i < n; ++i) e += alpha * (bars().at(static_cast<size_t>(i)).close - e);
  return e;
}

/// A paper bot in a temporary directory whose strategy library (plugins/libth_reload_probe.so)
/// starts as variant 1.
struct PaperBot {
  TempDir dir;
  fs::path plugins = dir / "plugins";
  fs::path library = plugins / "libth_reload_probe.so";
  fs::path config = dir / "bot.toml";

  explicit PaperBot(bool watch, const std::string& variant = "v1") {
    fs::create_directories(plugins);
    fs::copy_file(fixture(variant), library);
    // 20000x: a 5-minute bar every 15 ms, so the 11,000 bars of data outlast any test by far.
    write_file(config, std::string("[bot]\nname = \"reload-bot\"\nmode = \"paper\"\nspeed = 20000\n") +
                           "state = \"state.sqlite\"\nout = \"out\"\nwatch_plugins = " + (watch ? "true" : "false") +
                           "\n\n[plugins]\npaths = [\"" + kPluginDir + "\", \"" + plugins.string() + "\"]\n\n" +
                           "[[connector]]\nname = \"history\"\ntype = \"replay\"\nfiles = [\"" + kDataFile + "\"]\n" +
                           "symbol = \"BTC/USDT\"\nvenue = \"binance\"\ntick_size = \"0.01\"\nlot_size = \"0.00001\"\n" +
                           "min_qty = \"0.00001\"\nmin_notional = \"5\"\n\n" +
                           "[[strategy]]\nname = \"probe\"\ntype = \"reload_probe\"\nconnector = \"history\"\n" +
                           "instruments = [\"BTC/USDT\"]\ntimeframe = \"5m\"\nema_period = " + std::to_string(kEmaPeriod) +
                           "\n\n[[notifier]]\ntype = \"log\"\n");
  }
};

/// Waits until `needle` appears in the bot's stderr at or after offset `from`; returns the
/// offset just past it (the test fails and returns npos on timeout or exit).
size_t await(Child& child, const std::string& needle, size_t from = 0) {
  size_t at = std::string::npos;
  const bool seen = child.read_until(
      [&] {
        at = child.err.find(needle, from);
        return at != std::string::npos;
      },
      std::chrono::seconds(90));
  EXPECT_TRUE(seen) << "no '" << needle << "' in the bot's log\nstdout:\n" << child.out << "\nstderr:\n" << child.err;
  return seen ? at + needle.size() : std::string::npos;
}

void stop(Child& child) {
  child.signal(SIGINT);
  const int rc = child.wait(std::chrono::seconds(60));
  EXPECT_EQ(rc, 0) << "stdout:\n" << child.out << "\nstderr:\n" << child.err;
}

struct Decision {
  std::string reason;
  int64_t ts_ns = 0;
  int64_t bars_seen = 0;
  std::optional<double> ema;
};

std::vector<Decision> decisions(const Db& db) {
  std::vector<Decision> out;
  for (const Row& r : db.rows("SELECT reason, ts_ns, inputs_json FROM decisions WHERE strategy = 'probe' ORDER BY decision_id")) {
    Decision d;
    d.reason = col(r, 0);
    d.ts_ns = std::stoll(col(r, 1));
    rapidjson::Document j;
    j.Parse(col(r, 2).c_str());
    EXPECT_TRUE(j.IsObject() && j.HasMember("bars_seen") && j.HasMember("ema")) << col(r, 2);
    if (!j.IsObject() || !j.HasMember("bars_seen") || !j.HasMember("ema")) continue;
    d.bars_seen = j["bars_seen"].GetInt64();
    if (j["ema"].IsNumber()) d.ema = j["ema"].GetDouble();
    out.push_back(d);
  }
  return out;
}

/// Every bar reached exactly one build, in order, and each build's state (bar count and EMA)
/// continued from the previous one: decision k is bar k of the file, with the reference EMA.
void expect_continuous(const std::vector<Decision>& ds) {
  ASSERT_FALSE(ds.empty());
  for (size_t i = 0; i < ds.size(); ++i) {
    const Decision& d = ds[i];
    ASSERT_EQ(d.bars_seen, static_cast<int64_t>(i + 1)) << "decision " << i << " (" << d.reason << "): bar count restarted or skipped";
    EXPECT_EQ(d.ts_ns, bars().at(i).close_ns) << "decision " << i << " is not at the close of bar " << i + 1;
    const auto ref = reference_ema(d.bars_seen);
    ASSERT_EQ(d.ema.has_value(), ref.has_value()) << "bar " << d.bars_seen << " (" << d.reason << "): EMA warm-up state differs";
    if (ref) {
      EXPECT_NEAR(*d.ema, *ref, 1e-6) << "bar " << d.bars_seen << " (" << d.reason << ")";
    }
  }
}

// =============================================================================================

TEST(HotReload, ReplacedLibrarySwitchesBehaviourAndKeepsStateOrdersAndPosition) {
  PaperBot bot(/*watch=*/true);
  Child child({kExe, "run", bot.config.string()}, bot.dir.path());
  size_t at = await(child, "probe v1 placed orders");
  at = await(child, "probe v1 bar 3", at);  // the entry has filled (next bar's open) by now
  // `cp` over the running library: the bot runs a shadow copy, so this cannot touch its code.
  copy_in_place(fixture("v2"), bot.library);
  at = await(child, "strategy 'probe' reloaded", at);
  at = await(child, "probe v2 canceled resting order", at);
  await(child, "probe v2 bar", at);
  stop(child);

  Db db(bot.dir / "state.sqlite");
  // The audit: one applied reload from build v1 to build v2, and both libraries recorded.
  const auto reloads = db.rows("SELECT strategy, old_build_id, new_build_id, outcome, reason, ts_ns FROM reloads");
  ASSERT_EQ(reloads.size(), 1u);
  EXPECT_EQ(col(reloads[0], 0), "probe");
  EXPECT_EQ(col(reloads[0], 1).substr(0, 3), "v1/");
  EXPECT_EQ(col(reloads[0], 2).substr(0, 3), "v2/");
  EXPECT_EQ(col(reloads[0], 3), "applied");
  EXPECT_EQ(col(reloads[0], 4), "<null>");
  const int64_t reload_ts = std::stoll(col(reloads[0], 5));
  EXPECT_EQ(db.num("SELECT count(*) FROM plugins WHERE name = 'reload_probe'"), 2);

  // New behaviour, continued state: v1 decisions, then v2 decisions, no bar lost, repeated or
  // re-warmed.
  const auto ds = decisions(db);
  expect_continuous(ds);
  size_t first_v2 = 0;
  while (first_v2 < ds.size() && ds[first_v2].reason == "v1") ++first_v2;
  ASSERT_GE(first_v2, 3u);
  ASSERT_LT(first_v2, ds.size()) << "no decision from the new build";
  for (size_t i = first_v2; i < ds.size(); ++i) EXPECT_EQ(ds[i].reason, "v2") << "decision " << i;
  EXPECT_GT(ds[first_v2].ts_ns, reload_ts);

  // Host-owned position: the v1 entry filled once and is still held.
  EXPECT_EQ(db.num("SELECT count(*) FROM fills"), 1);
  EXPECT_EQ(db.text("SELECT qty FROM positions WHERE instrument = 'BTC/USDT'"), "0.01");
  // Host-owned open order: v1's resting limit buy survived the switch (it was still NEW) and v2,
  // knowing it only from the snapshot, cancelled it after the reload.
  const auto resting = db.rows("SELECT order_id, state, reason FROM orders WHERE type = 'limit'");
  ASSERT_EQ(resting.size(), 1u);
  EXPECT_EQ(col(resting[0], 1), "CANCELED");
  EXPECT_EQ(col(resting[0], 2), "canceled by strategy");
  EXPECT_GT(db.num("SELECT ts_ns FROM order_events WHERE order_id = " + col(resting[0], 0) + " AND to_state = 'CANCELED'"), reload_ts);
  EXPECT_TRUE(contains(child.err, "canceled resting order " + col(resting[0], 0) + " status 0")) << child.err;
  EXPECT_TRUE(contains(child.err, "topic=reload")) << "the log notifier was not told of the reload\n" << child.err;
}

TEST(HotReload, BrokenReplacementsLeaveTheRunningStrategyUntouched) {
  PaperBot bot(/*watch=*/true);
  Child child({kExe, "run", bot.config.string()}, bot.dir.path());
  size_t at = await(child, "probe v1 placed orders");
  // 1. A library without the entry symbol, renamed into place.
  rename_over(fixture("no_entry"), bot.library);
  at = await(child, "reload of strategy 'probe' failed: " + bot.library.string() + ": not a tradehost plugin", at);
  // 2. A real build whose restore() refuses the running state, copied in place.
  copy_in_place(fixture("v3"), bot.library);
  at = await(child, "reload of strategy 'probe' failed: restore() of the new build failed", at);
  // The old build is still trading after both.
  await(child, "probe v1 bar", at);
  stop(child);

  Db db(bot.dir / "state.sqlite");
  const auto reloads = db.rows("SELECT outcome, old_build_id, new_build_id, reason FROM reloads ORDER BY reload_id");
  ASSERT_EQ(reloads.size(), 2u);
  EXPECT_EQ(col(reloads[0], 0), "failed");
  EXPECT_EQ(col(reloads[0], 1).substr(0, 3), "v1/");
  EXPECT_EQ(col(reloads[0], 2), "");
  EXPECT_TRUE(contains(col(reloads[0], 3), "does not export 'th_plugin_entry'")) << col(reloads[0], 3);
  EXPECT_EQ(col(reloads[1], 0), "failed");
  EXPECT_EQ(col(reloads[1], 1).substr(0, 3), "v1/");
  EXPECT_EQ(col(reloads[1], 2).substr(0, 3), "v3/");
  EXPECT_TRUE(contains(col(reloads[1], 3), "restore() of the new build failed")) << col(reloads[1], 3);
  EXPECT_TRUE(contains(child.err, "probe v3 refuses every snapshot")) << "the plugin's own reason was not logged";

  const auto ds = decisions(db);
  expect_continuous(ds);
  for (const auto& d : ds) EXPECT_EQ(d.reason, "v1");
  EXPECT_EQ(db.text("SELECT state FROM orders WHERE type = 'limit'"), "NEW");
  EXPECT_EQ(db.text("SELECT qty FROM positions WHERE instrument = 'BTC/USDT'"), "0.01");
  EXPECT_EQ(db.num("SELECT count(*) FROM plugins WHERE name = 'reload_probe'"), 1);
}

TEST(HotReload, ReloadCommandWithoutFileWatching) {
  PaperBot bot(/*watch=*/false);
  Child child({kExe, "run", bot.config.string()}, bot.dir.path());
  size_t at = await(child, "probe v1 placed orders");
  // Nothing changed yet: the request is a no-op.
  Result r = run({"reload", bot.config.string()}, bot.dir.path());
  EXPECT_EQ(r.rc, 0) << r.both();
  EXPECT_TRUE(contains(r.out, "reload requested from bot 'reload-bot'")) << r.out;
  at = await(child, "is unchanged", at);
  // Replaced, and not watched: only the command picks it up.
  rename_over(fixture("v2"), bot.library);
  r = run({"reload", bot.config.string()}, bot.dir.path());
  EXPECT_EQ(r.rc, 0) << r.both();
  at = await(child, "strategy 'probe' reloaded", at);
  await(child, "probe v2 bar", at);
  stop(child);

  Db db(bot.dir / "state.sqlite");
  EXPECT_EQ(db.text("SELECT outcome FROM reloads"), "applied");
  EXPECT_EQ(db.num("SELECT count(*) FROM reloads"), 1);
  expect_continuous(decisions(db));
  EXPECT_FALSE(fs::exists(bot.dir / "state.sqlite.pid")) << "the pid file outlived the run";
}

TEST(HotReload, ReloadCommandRefusesWhatItCannotReload) {
  // Not running: no pid file.
  PaperBot bot(/*watch=*/true);
  Result r = run({"reload", bot.config.string()}, bot.dir.path());
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(r.err, "bot 'reload-bot' is not running")) << r.err;
  // A stale pid file naming a process that is not tradehost (this test).
  write_file(bot.dir / "state.sqlite.pid", std::to_string(::getpid()) + "\n");
  r = run({"reload", bot.config.string()}, bot.dir.path());
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(r.err, "not a tradehost process")) << r.err;
  // Live and backtest bots are never reloaded.
  for (const std::string mode : {"live", "backtest"}) {
    std::string text = read_file(bot.config);
    text.replace(text.find("mode = \"paper\""), 14, "mode = \"" + mode + "\"");
    const fs::path cfg = bot.dir / (mode + ".toml");
    write_file(cfg, text);
    r = run({"reload", cfg.string()}, bot.dir.path());
    EXPECT_EQ(r.rc, 2) << mode;
    EXPECT_TRUE(contains(r.err, "hot reload is only for paper mode; bot 'reload-bot' runs in " + mode + " mode")) << r.err;
  }
}

// What a plugin that crashes (a real segfault, not an exception) does to the host today, pinned
// down so docs/plugins.md stays true: plugins share the host's address space, so the whole
// process dies by SIGSEGV; nothing runs after it (no summary, no final state), the run row stays
// 'running', the pid file stays behind, and everything written before the crash is in the state
// database, because paper mode commits every journal write before acting on it (the decision of
// the callback that crashed is not: it is written when the callback returns).
TEST(Containment, ASegfaultingPluginKillsTheHostAndLeavesTheCommittedJournal) {
  PaperBot bot(/*watch=*/true, "v4");
  // The segfault is the point here: in the sanitizer build (tools/setup sanitize) AddressSanitizer
  // would catch it, report it as an error and exit 1; handle_segv=0 lets the signal kill the
  // process as it does in every other build (other builds ignore ASAN_OPTIONS).
  const char* asan = std::getenv("ASAN_OPTIONS");
  const std::string asan_options = std::string(asan != nullptr && *asan != '\0' ? std::string(asan) + ":" : "") +
                                   "handle_segv=0";
  Child child({kExe, "run", bot.config.string()}, bot.dir.path(), {{"ASAN_OPTIONS", asan_options}});
  const int rc = child.wait(std::chrono::seconds(120));
  EXPECT_EQ(rc, -SIGSEGV) << "stdout:\n" << child.out << "\nstderr:\n" << child.err;
  EXPECT_TRUE(contains(child.err, "probe v4 bar 5")) << child.err;
  EXPECT_FALSE(contains(child.out, "Total return")) << "a summary after a segfault?\n" << child.out;

  Db db(bot.dir / "state.sqlite");
  EXPECT_EQ(db.text("SELECT status FROM runs"), "running");
  // Bars 1-4. A decision is written when the callback that made it returns (or submits its
  // order); bar 5's was still pending when the callback crashed.
  EXPECT_EQ(db.num("SELECT count(*) FROM decisions"), 4);
  EXPECT_EQ(db.num("SELECT count(*) FROM orders"), 2);     // the entry and the resting limit of bar 1
  EXPECT_EQ(db.num("SELECT count(*) FROM fills"), 1);      // the entry filled at bar 2's open
  EXPECT_TRUE(fs::exists(bot.dir / "state.sqlite.pid"));
  const Result r = run({"reload", bot.config.string()}, bot.dir.path());
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(r.err, "not a tradehost process") || contains(r.err, "is not running")) << r.err;
}

}  // namespace
