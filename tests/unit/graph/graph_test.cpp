// parse_graph / validate_graph: a full valid graph, and every class of error with the exact
// file:line:col counted by hand in the TOML text next to it (line 1 = the first line of the
// raw string; columns 1-based).
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include <gtest/gtest.h>

#include "graph/graph.hpp"

namespace tradehost::graph {
namespace {

namespace fs = std::filesystem;

FieldSpec field(std::string key, FieldType type, std::string def = "", bool required = false,
                bool secret = false) {
  return {std::move(key), type, std::move(def), "unit: test", required, secret};
}

// Component types as plugins would declare them.
std::map<std::string, ComponentSchema, std::less<>> test_schemas() {
  std::map<std::string, ComponentSchema, std::less<>> m;
  m["replay"] = {TH_KIND_CONNECTOR,
                 "replay",
                 "/p/libth_replay.so",
                 {field("files", FieldType::StrList, "", true),
                  field("data_dir", FieldType::Str, "\"data\"")}};
  m["binance_spot"] = {TH_KIND_CONNECTOR,
                       "binance_spot",
                       "/p/libth_binance.so",
                       {field("testnet", FieldType::Bool, "true"),
                        field("api_key", FieldType::Str, "", true, true),
                        field("api_secret", FieldType::Str, "", true, true),
                        field("recv_window", FieldType::Duration, "\"5s\"")}};
  m["ema_crossover"] = {TH_KIND_STRATEGY,
                        "ema_crossover",
                        "/p/libth_ema.so",
                        {field("fast", FieldType::I64, "12"), field("slow", FieldType::I64, "26"),
                         field("qty", FieldType::Decimal, "", true),
                         field("threshold", FieldType::F64, "0.5"),
                         field("cooldown", FieldType::Duration, "\"5m\""),
                         field("hidden_amount", FieldType::Decimal, "", false, true)}};
  m["max_position"] = {TH_KIND_RISK,
                       "max_position",
                       "/p/libth_risk.so",
                       {field("max_notional", FieldType::Decimal, "", true)}};
  m["telegram"] = {TH_KIND_NOTIFIER,
                   "telegram",
                   "/p/libth_telegram.so",
                   {field("token", FieldType::Str, "", true, true),
                    field("chat_id", FieldType::Str, "", true)}};
  m["broken_default"] = {TH_KIND_RISK,
                         "broken_default",
                         "/p/libth_broken.so",
                         {field("limit", FieldType::I64, "\"ten\"")}};
  return m;
}

class GraphTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("th_graph_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes the bot file; the path returned is what every message starts with.
  fs::path write(std::string_view text, const char* name = "bot.toml") {
    const fs::path p = dir_ / name;
    std::ofstream(p) << text;
    file_ = p.string();
    return p;
  }
  std::string at(int line, int col) const {
    return file_ + ":" + std::to_string(line) + ":" + std::to_string(col) + ": ";
  }
  SchemaLookup lookup() const {
    return [this](std::string_view type) -> const ComponentSchema* {
      const auto it = schemas_.find(type);
      return it == schemas_.end() ? nullptr : &it->second;
    };
  }
  // Both passes; the errors of the first pass that throws.
  std::vector<std::string> errors_of(std::string_view text) {
    try {
      Graph g = parse_graph(write(text));
      validate_graph(g, lookup());
    } catch (const GraphError& e) {
      return e.errors;
    }
    ADD_FAILURE() << "no GraphError";
    return {};
  }
  Graph load(std::string_view text) {
    Graph g = parse_graph(write(text));
    validate_graph(g, lookup());
    return g;
  }

  fs::path dir_;
  std::string file_;
  std::map<std::string, ComponentSchema, std::less<>> schemas_ = test_schemas();
};

constexpr const char* kHeader = R"([bot]
name = "b"
mode = "paper"
)";  // 3 lines: component tables in the error tests below start at line 4

// ---- A valid graph -----------------------------------------------------------------------------

constexpr const char* kValid = R"([bot]
name = "btc-ema"
mode = "backtest"
initial_cash = "2500.50"
speed = 2
from = "2024-01-01T00:00:00Z"
to = 2024-02-01T00:00:00Z

[plugins]
paths = ["plugins", "/opt/th/plugins", "../shared/plugins"]

[[connector]]
name = "history"
type = "replay"
files = ["data/BTCUSDT-1m.csv", "/abs/x.csv"]

[[strategy]]
name = "ema"
type = "ema_crossover"
connector = "history"
instruments = ["BTC/USDT", "ETH/USDT"]
timeframe = "5m"
fast = 9
qty = "0.001"
threshold = 1

[[risk]]
type = "max_position"
max_notional = 1000

[[notifier]]
type = "telegram"
token = "${TH_GRAPH_TEST_TOKEN}"
chat_id = "$${not_a_var}"
on = ["fill", "kill_switch"]
)";

TEST_F(GraphTest, ValidGraphRoundTrips) {
  ::setenv("TH_GRAPH_TEST_TOKEN", "tok-123", 1);
  const Graph g = load(kValid);
  ::unsetenv("TH_GRAPH_TEST_TOKEN");
  const fs::path d = fs::absolute(dir_).lexically_normal();

  EXPECT_EQ(g.file, d / "bot.toml");
  EXPECT_EQ(g.bot.name, "btc-ema");
  EXPECT_EQ(g.bot.mode, Mode::Backtest);
  EXPECT_EQ(g.bot.state, d / "var" / "btc-ema.sqlite");  // default, relative to the config dir
  EXPECT_EQ(g.bot.out, d / "out" / "btc-ema");
  EXPECT_EQ(g.bot.initial_cash, "2500.50");
  EXPECT_EQ(g.bot.maker_fee_bps, 10.0);
  EXPECT_EQ(g.bot.taker_fee_bps, 10.0);
  EXPECT_EQ(g.bot.slippage_bps, 0.0);
  EXPECT_EQ(g.bot.speed, 2.0);
  EXPECT_EQ(g.bot.from, "2024-01-01T00:00:00Z");
  EXPECT_EQ(g.bot.to, "2024-02-01T00:00:00Z");  // a native TOML date-time, kept as text
  EXPECT_EQ(g.bot.equity_interval_ns, 3'600'000'000'000);  // default "1h" = 3600 s
  EXPECT_EQ(g.bot.notifier_drain_ns, 10'000'000'000);     // default "10s"
  EXPECT_EQ(g.bot.pos.line, 1);
  EXPECT_EQ(g.bot.where("speed").line, 5);
  EXPECT_EQ(g.bot.where("speed").col, 9);
  EXPECT_EQ(g.bot.where("to").line, 7);
  EXPECT_EQ(g.bot.where("to").col, 6);
  EXPECT_EQ(g.bot.where("state").line, 1);  // not written: the [bot] header

  ASSERT_EQ(g.plugin_paths.size(), 3u);
  EXPECT_EQ(g.plugin_paths[0], (d / "plugins").string());
  EXPECT_EQ(g.plugin_paths[1], "/opt/th/plugins");
  EXPECT_EQ(g.plugin_paths[2], (d.parent_path() / "shared" / "plugins").string());

  ASSERT_EQ(g.connectors.size(), 1u);
  const Node& c = g.connectors[0];
  EXPECT_EQ(c.kind, TH_KIND_CONNECTOR);
  EXPECT_EQ(c.name, "history");
  EXPECT_EQ(c.type, "replay");
  EXPECT_EQ(c.pos.line, 12);
  EXPECT_EQ(c.pos.col, 1);
  ASSERT_EQ(c.config.size(), 2u);
  EXPECT_EQ(c.config.at("files").list,
            (std::vector<std::string>{(d / "data" / "BTCUSDT-1m.csv").string(), "/abs/x.csv"}));
  EXPECT_FALSE(c.config.at("files").from_default);
  EXPECT_EQ(c.config.at("data_dir").str, (d / "data").string());  // a default path, resolved
  EXPECT_TRUE(c.config.at("data_dir").from_default);
  EXPECT_EQ(c.config.at("data_dir").pos.line, 12);  // defaults sit at the table header

  ASSERT_EQ(g.strategies.size(), 1u);
  const Node& s = g.strategies[0];
  EXPECT_EQ(s.name, "ema");
  EXPECT_EQ(s.type, "ema_crossover");
  EXPECT_EQ(s.connector, "history");
  EXPECT_EQ(s.where("connector").line, 20);
  EXPECT_EQ(s.where("connector").col, 13);
  EXPECT_EQ(s.instruments, (std::vector<std::string>{"BTC/USDT", "ETH/USDT"}));
  EXPECT_EQ(s.timeframe, "5m");
  EXPECT_EQ(s.timeframe_ns, 300'000'000'000);  // 5 * 60 s
  EXPECT_EQ(s.config.count("connector"), 0u);  // host keys are not component config
  EXPECT_EQ(s.config.size(), 5u);              // fast slow qty threshold cooldown
  EXPECT_EQ(s.config.at("fast").type, FieldType::I64);
  EXPECT_EQ(s.config.at("fast").i64, 9);
  EXPECT_EQ(s.config.at("fast").pos.line, 23);
  EXPECT_EQ(s.config.at("fast").pos.col, 8);
  EXPECT_EQ(s.config.at("slow").i64, 26);
  EXPECT_TRUE(s.config.at("slow").from_default);
  EXPECT_EQ(s.config.at("qty").type, FieldType::Decimal);
  EXPECT_EQ(s.config.at("qty").str, "0.001");
  EXPECT_EQ(s.config.at("threshold").f64, 1.0);  // F64 accepts a TOML integer
  EXPECT_FALSE(s.config.at("threshold").from_default);
  EXPECT_EQ(s.config.at("cooldown").i64, 300'000'000'000);
  EXPECT_EQ(s.config.at("cooldown").str, "5m");
  EXPECT_TRUE(s.config.at("cooldown").from_default);
  EXPECT_EQ(s.config.count("hidden_amount"), 0u);  // optional, no default: absent

  ASSERT_EQ(g.risks.size(), 1u);
  EXPECT_EQ(g.risks[0].name, "max_position");  // name defaults to the type
  EXPECT_EQ(g.risks[0].config.at("max_notional").str, "1000");  // Decimal from a TOML integer

  ASSERT_EQ(g.notifiers.size(), 1u);
  const Node& n = g.notifiers[0];
  EXPECT_EQ(n.name, "telegram");
  EXPECT_EQ(n.config.at("token").str, "tok-123");
  EXPECT_TRUE(n.config.at("token").secret);
  EXPECT_EQ(n.config.at("chat_id").str, "${not_a_var}");
  EXPECT_EQ(n.on, (std::vector<std::string>{"fill", "kill_switch"}));
}

TEST_F(GraphTest, HostDefaults) {
  ::setenv("TH_GRAPH_TEST_TOKEN", "tok-123", 1);
  const Graph g = load(std::string(kHeader) + R"(
[[notifier]]
type = "telegram"
token = "${TH_GRAPH_TEST_TOKEN}"
chat_id = "c"
)");
  const fs::path d = fs::absolute(dir_).lexically_normal();
  EXPECT_EQ(g.bot.mode, Mode::Paper);
  EXPECT_EQ(g.bot.initial_cash, "10000");
  EXPECT_EQ(g.bot.speed, 1.0);
  EXPECT_EQ(g.bot.from, "");
  EXPECT_EQ(g.bot.state, d / "var" / "b.sqlite");
  EXPECT_TRUE(g.plugin_paths.empty());
  EXPECT_TRUE(g.connectors.empty());
  ASSERT_EQ(g.notifiers.size(), 1u);
  EXPECT_EQ(g.notifiers[0].on, notifier_topics());
  EXPECT_EQ(notifier_topics(), (std::vector<std::string>{"fill", "rejected", "error", "summary",
                                                         "order", "kill_switch", "reload", "reconcile"}));
}

TEST_F(GraphTest, ExplicitBotPathsResolveAgainstTheConfigDirectory) {
  fs::create_directories(dir_ / "config");
  const Graph g = parse_graph(write(R"([bot]
name = "b"
mode = "paper"
state = "../var/state.sqlite"
out = "/tmp/th-out/"
)",
                                    "config/bot.toml"));
  const fs::path d = fs::absolute(dir_).lexically_normal();
  EXPECT_EQ(g.bot.state, d / "var" / "state.sqlite");  // not the working directory
  EXPECT_EQ(g.bot.out, fs::path("/tmp/th-out/"));
  EXPECT_EQ(g.bot.where("state").line, 4);
  EXPECT_EQ(g.bot.where("state").col, 9);
}

// ---- Pass 1 errors ----------------------------------------------------------------------------

TEST_F(GraphTest, BotErrorsAreReportedTogetherInOrder) {
  const auto errors = errors_of(R"([bot]
name = "this-name-is-far-too-long"
mode = "livee"
speed = 0
colour = "red"
initial_cash = 0.5
equity_interval = "1 hour"

[widgets]
size = 1
)");
  ASSERT_EQ(errors.size(), 7u);
  EXPECT_EQ(errors[0], at(2, 8) +
                           "bot name \"this-name-is-far-too-long\" must be 1-20 characters of "
                           "A-Z a-z 0-9 _ - (client order ids are <bot>-<run>-<seq>, at most "
                           "36 characters on Binance)");
  EXPECT_EQ(errors[1],
            at(3, 8) + "mode in [bot] must be \"backtest\", \"paper\" or \"live\"; got \"livee\"");
  EXPECT_EQ(errors[2], at(4, 9) + "speed in [bot] must be greater than 0 (1 = real time, 2 = "
                                  "twice as fast)");
  EXPECT_EQ(errors[3], at(5, 1) +
                           "unknown key 'colour' in [bot]; valid keys: name, mode, state, "
                           "initial_cash, maker_fee_bps, taker_fee_bps, slippage_bps, speed, "
                           "from, to, equity_interval, out, tls_ca_file, watch_plugins, notifier_drain, kill_file, "
                             "flatten_on_halt");
  EXPECT_EQ(errors[4], at(6, 16) + "'initial_cash' in [bot]: write decimals as strings, e.g. "
                                   "\"0.001\", so they stay exact");
  EXPECT_EQ(errors[5].rfind(at(7, 19) + "'equity_interval' in [bot] must be a duration", 0), 0u)
      << errors[5];
  EXPECT_NE(errors[5].find("\"1 hour\" is not"), std::string::npos);
  EXPECT_EQ(errors[6].rfind(at(9, 1) + "unknown table [widgets]", 0), 0u) << errors[6];

  // what() carries the same lines.
  try {
    parse_graph(file_);
  } catch (const GraphError& e) {
    EXPECT_EQ(std::string(e.what()).find(errors[0] + "\n" + errors[1] + "\n"), 0u);
  }
}

TEST_F(GraphTest, MissingBotTable) {
  const auto errors = errors_of(R"([plugins]
paths = []
)");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], at(1, 1) + "missing [bot] table; add [bot] with name = \"...\" and mode "
                                  "= \"backtest\", \"paper\" or \"live\"");
}

TEST_F(GraphTest, MissingRequiredBotKeys) {
  const auto errors = errors_of(R"(
  [bot]
state = "s.sqlite"
)");
  ASSERT_EQ(errors.size(), 2u);
  // Both at the [bot] header: line 2, column 3 (indented).
  EXPECT_EQ(errors[0].rfind(at(2, 3) + "missing required key 'name' in [bot]", 0), 0u);
  EXPECT_EQ(errors[1].rfind(at(2, 3) + "missing required key 'mode' in [bot]", 0), 0u);
}

TEST_F(GraphTest, MalformedToml) {
  const auto errors = errors_of(R"([bot]
name = "b"
mode = paper
)");
  ASSERT_EQ(errors.size(), 1u);
  // The bare word starts at line 3, column 8; the text after the position is TOML++'s.
  EXPECT_EQ(errors[0].rfind(at(3, 8), 0), 0u) << errors[0];
  EXPECT_GT(errors[0].size(), at(3, 8).size());
}

TEST_F(GraphTest, DuplicateTomlKeyIsASyntaxError) {
  const auto errors = errors_of(R"([bot]
name = "b"
name = "c"
mode = "paper"
)");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rfind(file_ + ":3:", 0), 0u) << errors[0];
}

TEST_F(GraphTest, UnreadableFile) {
  try {
    parse_graph(dir_ / "nope.toml");
    FAIL() << "no GraphError";
  } catch (const GraphError& e) {
    ASSERT_EQ(e.errors.size(), 1u);
    EXPECT_EQ(e.errors[0], (dir_ / "nope.toml").string() +
                               ": cannot read the config: No such file or directory");
  }
}

TEST_F(GraphTest, ComponentSectionMustBeAnArrayOfTables) {
  const auto errors = errors_of(std::string(kHeader) + R"(
[connector]
name = "x"
risk = 5
)");
  // Line 5: "[connector]" (kHeader is 3 lines, then an empty line).
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], at(5, 1) + "write [[connector]] (an array of tables, one per connector), "
                                  "not [connector]");
}

TEST_F(GraphTest, UnknownTopLevelKeySuggestsTheSection) {
  const auto errors = errors_of(R"(bots = 1
[bot]
name = "b"
mode = "live"
[[strategies]]
name = "x"
)");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].rfind(at(1, 1) + "unknown top-level key 'bots'", 0), 0u) << errors[0];
  EXPECT_NE(errors[0].find("(did you mean 'bot'?)"), std::string::npos);
  EXPECT_EQ(errors[1].rfind(at(5, 1) + "unknown table [strategies]", 0), 0u) << errors[1];
  EXPECT_NE(errors[1].find("(did you mean 'strategy'?)"), std::string::npos);
}

TEST_F(GraphTest, PluginPathsMustBeStrings) {
  const auto errors = errors_of(std::string(kHeader) + R"([plugins]
paths = ["ok", 3]
dirs = ["x"]
)");
  ASSERT_EQ(errors.size(), 2u);
  // Line 5: paths = ["ok", 3] -> the 3 is at column 16.
  EXPECT_EQ(errors[0], at(5, 16) + "element 2 of 'paths' in [plugins] must be a string; got an "
                                   "integer");
  EXPECT_EQ(errors[1], at(6, 1) + "unknown key 'dirs' in [plugins]; valid keys: paths");
}

// ---- Pass 2 errors ----------------------------------------------------------------------------

constexpr const char* kHistory = R"([[connector]]
name = "history"
type = "replay"
files = ["a.csv"]
)";  // lines 4-7 after kHeader

TEST_F(GraphTest, UnknownKeyListsValidKeys) {
  const auto errors = errors_of(std::string(kHeader) + kHistory + R"(
[[strategy]]
name = "ema"
type = "ema_crossover"
connector = "history"
instruments = ["BTC/USDT"]
qty = "1"
slwo = 30
)");
  // kHeader 1-3, kHistory 4-7, empty 8, [[strategy]] 9, ... slwo 15.
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], at(15, 1) +
                           "unknown key 'slwo' in [[strategy]] 'ema' (type ema_crossover); "
                           "valid keys: name, type, connector, instruments, timeframe, events, fast, "
                           "slow, qty, threshold, cooldown, hidden_amount (did you mean 'slow'?)");
}

TEST_F(GraphTest, ComponentErrorsAreReportedTogetherInOrder) {
  const auto errors = errors_of(std::string(kHeader) + R"(
[[connector]]
name = "history"
type = "replay"
files = "a.csv"

[[connector]]
name = "history"
type = "ema_crossover"

[[strategy]]
name = "ema"
type = "ema_crossover"
connector = "histroy"
instruments = ["BTC/USDT", "BTCUSDT"]
fast = 1.5
timeframe = "5 minutes"

[[risk]]
type = "no_such_risk"
)");
  // Line numbers: kHeader 1-3, empty 4, [[connector]] 5, name 6, type 7, files 8, empty 9,
  // [[connector]] 10, name 11, type 12, empty 13, [[strategy]] 14, name 15, type 16,
  // connector 17, instruments 18, fast 19, timeframe 20, empty 21, [[risk]] 22, type 23.
  ASSERT_EQ(errors.size(), 9u) << ::testing::PrintToString(errors);
  EXPECT_EQ(errors[0], at(8, 9) +
                           "'files' in [[connector]] 'history' (type replay) must be a list of "
                           "strings, e.g. files = [\"a\", \"b\"]; got a string");
  EXPECT_EQ(errors[1], at(11, 8) +
                           "duplicate [[connector]] name 'history' (first declared at line 5); "
                           "give each [[connector]] a distinct name = \"...\"");
  EXPECT_EQ(errors[2], at(12, 8) + "type 'ema_crossover' is a strategy, not a connector; "
                                   "declare it in a [[strategy]] table");
  EXPECT_EQ(errors[3], at(14, 1) + "missing required key 'qty' in [[strategy]] 'ema' (type "
                                   "ema_crossover); add e.g. qty = \"0.001\" (unit: test)");
  EXPECT_EQ(errors[4], at(17, 13) + "[[strategy]] 'ema' uses connector 'histroy', which is not "
                                    "declared; declared connectors: history");
  EXPECT_EQ(errors[5], at(18, 28) + "instrument \"BTCUSDT\" in [[strategy]] 'ema' (type "
                                    "ema_crossover) must be BASE/QUOTE (or BASE/QUOTE:SETTLE "
                                    "for derivatives), e.g. \"BTC/USDT\"");
  EXPECT_EQ(errors[6], at(19, 8) + "'fast' in [[strategy]] 'ema' (type ema_crossover) must be an "
                                   "integer, e.g. fast = 12; got a float");
  EXPECT_EQ(errors[7].rfind(at(20, 13) + "'timeframe' in [[strategy]] 'ema' (type ema_crossover) "
                                         "must be a duration",
                            0),
            0u)
      << errors[7];
  EXPECT_EQ(errors[8], at(23, 8) + "unknown risk type 'no_such_risk'; run `tradehost plugins` "
                                   "to list the available types, and check that [plugins] "
                                   "paths include the directory of the plugin that provides it");
}

TEST_F(GraphTest, MissingNameTypeAndConnector) {
  const auto errors = errors_of(std::string(kHeader) + R"(
[[connector]]
files = ["a.csv"]

[[strategy]]
name = "s"
type = "ema_crossover"
qty = "1"
)");
  // [[connector]] at line 5, [[strategy]] at line 8.
  ASSERT_EQ(errors.size(), 4u) << ::testing::PrintToString(errors);
  EXPECT_EQ(errors[0].rfind(at(5, 1) + "missing required key 'name' in [[connector]] #1", 0), 0u);
  EXPECT_EQ(errors[1].rfind(at(5, 1) + "missing required key 'type' in [[connector]] #1", 0), 0u);
  EXPECT_EQ(errors[2].rfind(at(8, 1) + "missing required key 'connector' in [[strategy]] 's'", 0),
            0u);
  EXPECT_EQ(errors[3].rfind(at(8, 1) + "missing required key 'instruments' in [[strategy]] 's'",
                            0),
            0u);
}

TEST_F(GraphTest, ConnectorReferenceWithNoConnectors) {
  const auto errors = errors_of(std::string(kHeader) + R"([[strategy]]
name = "s"
type = "ema_crossover"
connector = "binance"
instruments = ["BTC/USDT"]
qty = "1"
)");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], at(7, 13) + "[[strategy]] 's' uses connector 'binance', but no "
                                   "[[connector]] is declared");
}

TEST_F(GraphTest, TypeChecksPerFieldType) {
  const auto errors = errors_of(std::string(kHeader) + kHistory + R"([[strategy]]
name = "s"
type = "ema_crossover"
connector = "history"
instruments = []
slow = "3"
qty = 0.001
threshold = true
cooldown = 5
timeframe = "0s"
)");
  // [[strategy]] at line 8; instruments 12, slow 13, qty 14, threshold 15, cooldown 16,
  // timeframe 17.
  const std::string w = "in [[strategy]] 's' (type ema_crossover)";
  ASSERT_EQ(errors.size(), 6u) << ::testing::PrintToString(errors);
  EXPECT_EQ(errors[0], at(12, 15) + "'instruments' " + w +
                           " must list at least one instrument, e.g. instruments = "
                           "[\"BTC/USDT\"]");
  EXPECT_EQ(errors[1], at(13, 8) + "'slow' " + w +
                           " must be an integer, e.g. slow = 12; got a string (write it "
                           "without quotes)");
  EXPECT_EQ(errors[2], at(14, 7) + "'qty' " + w +
                           ": write decimals as strings, e.g. \"0.001\", so they stay exact");
  EXPECT_EQ(errors[3], at(15, 13) + "'threshold' " + w +
                           " must be a number, e.g. threshold = 1.5; got a boolean");
  EXPECT_EQ(errors[4].rfind(at(16, 12) + "'cooldown' " + w + " must be a duration string", 0),
            0u)
      << errors[4];
  EXPECT_NE(errors[4].find("got an integer"), std::string::npos);
  EXPECT_EQ(errors[5], at(17, 13) + "'timeframe' " + w + " must be longer than 0, e.g. \"1m\"");
}

TEST_F(GraphTest, QuotedNumbersGetAHintOnlyWhenUnquotingWouldFixThem) {
  const auto errors = errors_of(std::string(kHeader) + kHistory + R"([[strategy]]
name = "s"
type = "ema_crossover"
connector = "history"
instruments = ["BTC/USDT"]
qty = "1"
fast = "1.5"
threshold = "1.5"
)");
  // fast at line 14, threshold at line 15.
  ASSERT_EQ(errors.size(), 2u) << ::testing::PrintToString(errors);
  EXPECT_EQ(errors[0], at(14, 8) + "'fast' in [[strategy]] 's' (type ema_crossover) must be an "
                                   "integer, e.g. fast = 12; got a string");
  EXPECT_EQ(errors[1], at(15, 13) + "'threshold' in [[strategy]] 's' (type ema_crossover) must "
                                    "be a number, e.g. threshold = 1.5; got a string (write it "
                                    "without quotes)");
}

TEST_F(GraphTest, DecimalStringMustBeADecimalLiteral) {
  const auto errors = errors_of(std::string(kHeader) + R"([[risk]]
type = "max_position"
max_notional = "1000 USDT"
)");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], at(6, 16) + "'max_notional' in [[risk]] 'max_position' (type "
                                   "max_position) must be a decimal such as \"0.001\", "
                                   "\"-12.50\" or \"10000\" (digits, optional '-' and '.'); "
                                   "\"1000 USDT\" is not");
}

TEST_F(GraphTest, SecretValuesAreNeverEchoed) {
  const auto errors = errors_of(std::string(kHeader) + R"([[connector]]
name = "binance"
type = "binance_spot"
api_key = 987654321
api_secret = ["s3cr3t-list"]
apikey = "unknown-key-value"

[[strategy]]
name = "s"
type = "ema_crossover"
connector = "binance"
instruments = ["BTC/USDT"]
qty = "1"
hidden_amount = "hunter2"
)");
  ASSERT_EQ(errors.size(), 5u) << ::testing::PrintToString(errors);
  EXPECT_EQ(errors[0].rfind(at(7, 11) + "'api_key' in [[connector]] 'binance'", 0), 0u);
  // A key named like a secret is refused whatever its value (the raw-secret rule), then typed.
  EXPECT_EQ(errors[1].rfind(at(8, 1) + "[[connector]] 'binance' (type binance_spot): 'api_secret' looks like a secret", 0), 0u);
  EXPECT_EQ(errors[2].rfind(at(8, 14) + "'api_secret' in [[connector]] 'binance'", 0), 0u);
  EXPECT_EQ(errors[3].rfind(at(9, 1) + "unknown key 'apikey'", 0), 0u);
  EXPECT_NE(errors[3].find("(did you mean 'api_key'?)"), std::string::npos);
  EXPECT_EQ(errors[4], at(17, 17) + "'hidden_amount' in [[strategy]] 's' (type ema_crossover) "
                                    "must be a decimal such as \"0.001\", \"-12.50\" or \"10000\" "
                                    "(digits, optional '-' and '.'); the value is not");
  for (const std::string& e : errors) {
    for (const char* secret : {"987654321", "s3cr3t", "unknown-key-value", "hunter2"})
      EXPECT_EQ(e.find(secret), std::string::npos) << e;
  }
}

// Secrets live in the credential store: a config that writes one is refused with a pointer to
// `tradehost credentials`; an environment reference ("${VAR}") is not a secret in the file.
TEST_F(GraphTest, RawSecretsInTheConfigAreRefused) {
  ::setenv("TH_GRAPH_TEST_TOKEN", "tok-123", 1);
  const auto errors = errors_of(std::string(kHeader) + R"([[notifier]]
type = "telegram"
token = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"
chat_id = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI\n-----END PRIVATE KEY-----"
)");
  ASSERT_EQ(errors.size(), 2u) << ::testing::PrintToString(errors);
  EXPECT_EQ(errors[0].rfind(at(6, 1) + "[[notifier]] 'telegram' (type telegram): 'token' looks like a secret", 0), 0u) << errors[0];
  EXPECT_NE(errors[0].find("`tradehost credentials add NAME ...`"), std::string::npos);
  EXPECT_EQ(errors[1].rfind(at(7, 1) + "[[notifier]] 'telegram' (type telegram): 'chat_id' looks like a secret", 0), 0u) << errors[1];
  for (const std::string& e : errors) EXPECT_EQ(e.find("ABC-DEF"), std::string::npos) << e;
  const Graph g = load(std::string(kHeader) + "[[notifier]]\ntype = \"telegram\"\ntoken = \"${TH_GRAPH_TEST_TOKEN}\"\nchat_id = \"c\"\n");
  EXPECT_EQ(g.notifiers.at(0).config.at("token").str, "tok-123");
}

TEST_F(GraphTest, EnvironmentInterpolation) {
  ::setenv("TH_GRAPH_TEST_KEY", "key-from-env", 1);
  ::setenv("TH_GRAPH_TEST_DATA", "csv", 1);
  ::unsetenv("TH_GRAPH_TEST_UNSET_SECRET");
  ::unsetenv("TH_GRAPH_TEST_UNSET_FILE");
  const std::string text = std::string(kHeader) + R"([[connector]]
name = "binance"
type = "binance_spot"
api_key = "${TH_GRAPH_TEST_KEY}"
api_secret = "${TH_GRAPH_TEST_UNSET_SECRET}"

[[connector]]
name = "history"
type = "replay"
files = ["${TH_GRAPH_TEST_DATA}/a.csv", "${TH_GRAPH_TEST_UNSET_FILE}"]
)";
  const auto errors = errors_of(text);
  // api_secret value at line 8 column 14; the second list element at line 13 column 41
  // (files = [ is 10 columns, "${TH_GRAPH_TEST_DATA}/a.csv" 29 more, then ", ").
  ASSERT_EQ(errors.size(), 2u) << ::testing::PrintToString(errors);
  EXPECT_EQ(errors[0], at(8, 14) + "environment variable TH_GRAPH_TEST_UNSET_SECRET is not set "
                                   "(in 'api_secret' of [[connector]] 'binance' (type "
                                   "binance_spot))");
  EXPECT_EQ(errors[1], at(13, 41) + "environment variable TH_GRAPH_TEST_UNSET_FILE is not set "
                                    "(in 'files' of [[connector]] 'history' (type replay))");

  ::setenv("TH_GRAPH_TEST_UNSET_SECRET", "sec", 1);
  ::setenv("TH_GRAPH_TEST_UNSET_FILE", "/abs/b.csv", 1);
  const Graph g = load(text);
  const fs::path d = fs::absolute(dir_).lexically_normal();
  EXPECT_EQ(g.connectors[0].config.at("api_key").str, "key-from-env");
  EXPECT_EQ(g.connectors[0].config.at("api_secret").str, "sec");
  EXPECT_EQ(g.connectors[1].config.at("files").list,
            (std::vector<std::string>{(d / "csv" / "a.csv").string(), "/abs/b.csv"}));
  for (const char* v : {"TH_GRAPH_TEST_KEY", "TH_GRAPH_TEST_DATA", "TH_GRAPH_TEST_UNSET_SECRET",
                        "TH_GRAPH_TEST_UNSET_FILE"})
    ::unsetenv(v);
}

TEST_F(GraphTest, EnvironmentInterpolationInHostKeys) {
  ::setenv("TH_GRAPH_TEST_MODE", "live", 1);
  ::unsetenv("TH_GRAPH_TEST_NOPE");
  Graph g = parse_graph(write(R"([bot]
name = "b"
mode = "${TH_GRAPH_TEST_MODE}"
)"));
  EXPECT_EQ(g.bot.mode, Mode::Live);
  const auto errors = errors_of(R"([bot]
name = "b-${TH_GRAPH_TEST_NOPE}"
mode = "paper"
)");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], at(2, 8) + "environment variable TH_GRAPH_TEST_NOPE is not set (in 'name' "
                                  "of [bot])");
  ::unsetenv("TH_GRAPH_TEST_MODE");
}

TEST_F(GraphTest, RiskAndNotifierNames) {
  ::setenv("TH_GRAPH_TEST_TOKEN", "tok-123", 1);
  const auto errors = errors_of(std::string(kHeader) + R"([[risk]]
type = "max_position"
max_notional = "10"

[[risk]]
type = "max_position"
max_notional = "20"

[[notifier]]
type = "telegram"
token = "${TH_GRAPH_TEST_TOKEN}"
chat_id = "c"
on = ["fill", "fills"]
)");
  // Second [[risk]] at line 8; with no name, the duplicate is reported at its type (line 9,
  // column 8). "fills" at line 16 column 15.
  ASSERT_EQ(errors.size(), 2u) << ::testing::PrintToString(errors);
  EXPECT_EQ(errors[0], at(9, 8) + "duplicate [[risk]] name 'max_position', taken from its "
                                  "type (first declared at line 4); give each [[risk]] a distinct name = \"...\"");
  EXPECT_EQ(errors[1], at(16, 15) + "unknown topic \"fills\" in 'on' of [[notifier]] 'telegram' "
                                    "(type telegram); topics: fill, rejected, error, summary, "
                                    "order, kill_switch, reload, reconcile");
}

TEST_F(GraphTest, KindMismatchInEachDirection) {
  const auto errors = errors_of(std::string(kHeader) + R"([[notifier]]
type = "max_position"
[[risk]]
type = "telegram"
)");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], at(5, 8) + "type 'max_position' is a risk, not a notifier; declare it in "
                                  "a [[risk]] table");
  EXPECT_EQ(errors[1], at(7, 8) + "type 'telegram' is a notifier, not a risk; declare it in a "
                                  "[[notifier]] table");
}

TEST_F(GraphTest, InvalidDeclaredDefaultIsReportedAsAPluginBug) {
  const auto errors = errors_of(std::string(kHeader) + R"([[risk]]
type = "broken_default"
)");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rfind(at(4, 1) + "type 'broken_default' (plugin /p/libth_broken.so) "
                                       "declares an invalid default for 'limit' (a plugin bug;",
                            0),
            0u)
      << errors[0];
  // With the key written, the bad default is never used.
  EXPECT_NO_THROW(load(std::string(kHeader) + R"([[risk]]
type = "broken_default"
limit = 10
)"));
}

TEST_F(GraphTest, SchemaKeyCollidingWithAHostKeyIsReportedOnce) {
  schemas_["ema_crossover"].fields.push_back(field("connector", FieldType::I64));
  const auto errors = errors_of(std::string(kHeader) + kHistory + R"([[strategy]]
name = "a"
type = "ema_crossover"
connector = "history"
instruments = ["BTC/USDT"]
qty = "1"
[[strategy]]
name = "b"
type = "ema_crossover"
connector = "history"
instruments = ["BTC/USDT"]
qty = "1"
)");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], at(10, 8) + "type 'ema_crossover' (plugin /p/libth_ema.so) declares key "
                                   "'connector', which the host reserves in [[strategy]]; the "
                                   "plugin must rename it");
}

TEST_F(GraphTest, ValidateRequiresAParsedGraph) {
  Graph g;
  EXPECT_THROW(validate_graph(g, lookup()), std::logic_error);
}

}  // namespace
}  // namespace tradehost::graph
