// Test 8: `tradehost plugins inspect FILE [--json]` and `tradehost plugins schema TYPE`, through the
// real executable (a child process) on the real plugins and the ABI fixtures. Expected values come
// from the plugins' source declarations, copied here by hand, and from the coreutils `sha256sum`
// tool; the snippets `schema` prints are parsed with toml++ and fed back to the host's validation.
#include "backtest_harness.hpp"

#include <gtest/gtest.h>

#include <rapidjson/document.h>
#include <toml++/toml.h>

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace abi = tradehost::abi_test;
namespace fs = std::filesystem;

const std::string kExe = TH_TRADEHOST_EXE;
const std::string kPluginDir = TH_PLUGIN_DIR;

std::string quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Result {
  int rc = -1;
  std::string out, err;
  std::string both() const { return "stdout:\n" + out + "\nstderr:\n" + err; }
};

/// Runs the tradehost executable with `args`; TRADEHOST_PLUGIN_PATH is unset unless
/// `plugin_path` is given (tests are hermetic).
Result run(const std::vector<std::string>& args, const std::string& plugin_path = "") {
  abi::ScratchDir tmp;
  const fs::path err_file = tmp.path() / "stderr";
  std::string cmd = plugin_path.empty() ? "env -u TRADEHOST_PLUGIN_PATH " : "env TRADEHOST_PLUGIN_PATH=" + quoted(plugin_path) + " ";
  cmd += quoted(kExe);
  for (const auto& a : args) {
    cmd += ' ';
    cmd += quoted(a);
  }
  cmd += " 2>" + quoted(err_file.string());
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("cannot run " + cmd);
  Result r;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = ::pclose(p);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = read_text(err_file);
  return r;
}

std::string sha256sum(const std::string& file) {
  FILE* p = ::popen(("sha256sum " + quoted(file)).c_str(), "r");
  if (!p) throw std::runtime_error("cannot run sha256sum");
  char buf[256] = {};
  const size_t n = std::fread(buf, 1, sizeof buf - 1, p);
  if (::pclose(p) != 0 || n < 64) throw std::runtime_error("sha256sum failed on " + file);
  return std::string(buf, 64);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l)) out.push_back(l);
  return out;
}

/// The one line of `text` starting with `prefix`; fails the test when there is not exactly one.
std::string line_starting(const std::string& text, const std::string& prefix) {
  std::vector<std::string> found;
  for (const auto& l : lines_of(text))
    if (l.rfind(prefix, 0) == 0) found.push_back(l);
  EXPECT_EQ(found.size(), 1u) << "lines starting with '" << prefix << "' in:\n" << text;
  return found.empty() ? std::string() : found[0];
}

/// `text` with its one line starting with `prefix` replaced by `line`.
std::string replace_line(const std::string& text, const std::string& prefix, const std::string& line) {
  std::string out;
  int replaced = 0;
  for (const auto& l : lines_of(text)) {
    if (l.rfind(prefix, 0) == 0) {
      out += line + "\n";
      ++replaced;
    } else {
      out += l + "\n";
    }
  }
  EXPECT_EQ(replaced, 1) << "'" << prefix << "' in:\n" << text;
  return out;
}

#define EXPECT_HAS(text, part) EXPECT_NE((text).find(part), std::string::npos) << "missing \"" << (part) << "\" in:\n" << (text)

rapidjson::Document parse_json(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  EXPECT_FALSE(doc.HasParseError()) << text;
  return doc;
}

/// config[] of a component in inspect/plugins JSON, by key.
std::map<std::string, const rapidjson::Value*> fields_by_key(const rapidjson::Value& component) {
  std::map<std::string, const rapidjson::Value*> out;
  for (const auto& f : component["config"].GetArray()) out[f["key"].GetString()] = &f;
  return out;
}

// ---- plugins inspect -------------------------------------------------------------------------

TEST(CliInspect, JsonDescribesAFrozenV1_0PluginWithEmptyUnits) {
  const Result r = run({"plugins", "inspect", TH_ABI_FIXTURE_V1_0_PLUGIN, "--json"});
  ASSERT_EQ(r.rc, 0) << r.both();
  const auto doc = parse_json(r.out);
  ASSERT_TRUE(doc.IsObject());
  EXPECT_EQ(std::string(doc["file"].GetString()), fs::absolute(TH_ABI_FIXTURE_V1_0_PLUGIN).string());
  EXPECT_EQ(std::string(doc["plugin"].GetString()), "v1_0_plugin");
  EXPECT_EQ(std::string(doc["version"].GetString()), "1.0.3");
  EXPECT_EQ(std::string(doc["abi"]["declared"].GetString()), "1.0");
  EXPECT_EQ(std::string(doc["abi"]["host"].GetString()), "1.4");
  EXPECT_EQ(std::string(doc["abi"]["negotiated"].GetString()), "1.0");
  const std::string sha = sha256sum(TH_ABI_FIXTURE_V1_0_PLUGIN);
  EXPECT_EQ(std::string(doc["build_id"]["declared"].GetString()), "frozen-abi-1.0");
  EXPECT_EQ(std::string(doc["build_id"]["sha256"].GetString()), sha);
  EXPECT_EQ(std::string(doc["build_id"]["audit"].GetString()), "frozen-abi-1.0/" + sha);
  const auto& comps = doc["components"];
  ASSERT_EQ(comps.Size(), 2u);
  EXPECT_EQ(std::string(comps[0]["type"].GetString()), "v10_round_trip");
  EXPECT_EQ(std::string(comps[0]["kind"].GetString()), "strategy");
  EXPECT_EQ(std::string(comps[1]["type"].GetString()), "v10_lot_cap");
  EXPECT_EQ(std::string(comps[1]["kind"].GetString()), "risk");
  auto f = fields_by_key(comps[0]);
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(std::string((*f["lots"])["default"].GetString()), "20");
  EXPECT_EQ(std::string((*f["tag"])["default"].GetString()), "\"v1.0\"");
  for (const auto& [key, field] : f) EXPECT_EQ(std::string((*field)["unit"].GetString()), "") << key;
  auto g = fields_by_key(comps[1]);
  ASSERT_EQ(g.count("max_lots"), 1u);
  EXPECT_TRUE((*g["max_lots"])["required"].GetBool());
  EXPECT_FALSE((*g["max_lots"])["secret"].GetBool());
  EXPECT_EQ(std::string((*g["max_lots"])["type"].GetString()), "i64");
}

// The same type names are also on the plugin path (TRADEHOST_PLUGIN_PATH = the real plugin
// folder, which holds this very file): inspect loads the file on its own and still works. The
// units are those declared in plugins/strategy/ema_crossover/ema_crossover.cpp.
TEST(CliInspect, JsonShowsTheUnitsOfACurrentPluginWhileItsTypesAreOnThePath) {
  const std::string file = kPluginDir + "/libth_ema_crossover.so";
  const Result r = run({"plugins", "inspect", file, "--json"}, kPluginDir);
  ASSERT_EQ(r.rc, 0) << r.both();
  const auto doc = parse_json(r.out);
  EXPECT_EQ(std::string(doc["plugin"].GetString()), "ema_crossover");
  EXPECT_EQ(std::string(doc["abi"]["declared"].GetString()), "1.4");
  EXPECT_EQ(std::string(doc["abi"]["negotiated"].GetString()), "1.4");
  EXPECT_EQ(std::string(doc["build_id"]["audit"].GetString()), "tradehost-ema-crossover-1/" + sha256sum(file));
  ASSERT_EQ(doc["components"].Size(), 1u);
  auto f = fields_by_key(doc["components"][0]);
  const std::map<std::string, std::pair<std::string, std::string>> want = {
      {"fast", {"12", "bars"}},       {"slow", {"26", "bars"}},
      {"rsi_period", {"14", "bars"}}, {"rsi_max", {"70", ""}},
      {"fraction", {"0.95", "fraction of equity"}}, {"stop_loss_pct", {"0", "percent"}}};
  ASSERT_EQ(f.size(), want.size());
  for (const auto& [key, dv] : want) {
    ASSERT_EQ(f.count(key), 1u) << key;
    EXPECT_EQ(std::string((*f[key])["default"].GetString()), dv.first) << key;
    EXPECT_EQ(std::string((*f[key])["unit"].GetString()), dv.second) << key;
  }
}

TEST(CliInspect, HumanOutputIsATable) {
  const std::string file = kPluginDir + "/libth_max_daily_loss.so";
  const Result r = run({"plugins", "inspect", file});
  ASSERT_EQ(r.rc, 0) << r.both();
  EXPECT_HAS(r.out, "plugin      max_daily_loss 1.0.0\n");
  EXPECT_HAS(r.out, "abi         1.4 negotiated (plugin declares 1.4, host provides 1.4)\n");
  EXPECT_HAS(r.out, "build id    tradehost-max-daily-loss-1\n");
  EXPECT_HAS(r.out, "sha256      " + sha256sum(file) + "\n");
  EXPECT_HAS(r.out, "risk max_daily_loss: ");
  // Header and the one row, in aligned columns (max_daily_loss.cpp: required, no default).
  const std::string header = line_starting(r.out, "  KEY");
  const std::string row = line_starting(r.out, "  max_loss");
  EXPECT_TRUE(std::regex_match(header, std::regex(R"(  KEY\s+TYPE\s+DEFAULT\s+UNIT\s+FLAGS\s+DESCRIPTION)"))) << header;
  EXPECT_TRUE(std::regex_match(row, std::regex(R"(  max_loss\s+decimal\s+-\s+quote currency\s+required\s+largest loss per UTC day \(> 0\))")))
      << row;
  EXPECT_EQ(header.find("TYPE"), row.find("decimal"));
  EXPECT_EQ(header.find("UNIT"), row.find("quote currency"));
  EXPECT_EQ(header.find("FLAGS"), row.find("required"));
}

TEST(CliInspect, SecretDefaultsNeverAppear) {
  for (const std::vector<std::string>& extra : {std::vector<std::string>{}, std::vector<std::string>{"--json"}}) {
    std::vector<std::string> args = {"plugins", "inspect", TH_ABI_FIXTURE_SCHEMA_NOTIFIER};
    args.insert(args.end(), extra.begin(), extra.end());
    const Result r = run(args);
    ASSERT_EQ(r.rc, 0) << r.both();
    EXPECT_EQ(r.out.find("s3cr3t-default-token"), std::string::npos) << r.out;
    EXPECT_HAS(r.out, "webhook_token");
  }
}

// A refused file: the loader's one-line refusal on stderr, nothing on stdout, exit 2.
TEST(CliInspect, RefusedFileExitsTwoWithTheLoadersLine) {
  const Result r = run({"plugins", "inspect", TH_ABI_FIXTURE_ABI_MINOR_NEXT, "--json"});
  EXPECT_EQ(r.rc, 2) << r.both();
  EXPECT_EQ(r.out, "");
  const auto lines = lines_of(r.err);
  ASSERT_EQ(lines.size(), 1u) << r.err;
  EXPECT_EQ(lines[0].rfind("error: " + fs::absolute(TH_ABI_FIXTURE_ABI_MINOR_NEXT).string() + ": plugin needs ABI 1.5", 0), 0u)
      << lines[0];

  const Result not_a_plugin = run({"plugins", "inspect", abi::candle_file().string()});
  EXPECT_EQ(not_a_plugin.rc, 2) << not_a_plugin.both();
  EXPECT_HAS(not_a_plugin.err, "cannot load plugin");

  const Result missing = run({"plugins", "inspect", "/nonexistent/libth_nothing.so"});
  EXPECT_EQ(missing.rc, 2) << missing.both();
  EXPECT_EQ(missing.err, "error: /nonexistent/libth_nothing.so: no such plugin file (check the path)\n");
}

// ---- plugins schema --------------------------------------------------------------------------

TEST(CliSchema, HeaderFollowsTheKind) {
  const std::map<std::string, std::string> want = {
      {"replay", "[[connector]]"}, {"ema_crossover", "[[strategy]]"}, {"max_position", "[[risk]]"}, {"log", "[[notifier]]"}};
  for (const auto& [type, header] : want) {
    const Result r = run({"plugins", "schema", type, "--path", kPluginDir});
    ASSERT_EQ(r.rc, 0) << r.both();
    line_starting(r.out, header);
    line_starting(r.out, "type = \"" + type + "\"");
    line_starting(r.out, "name = ");
  }
}

// Defaults and units as declared in plugins/strategy/ema_crossover/ema_crossover.cpp, host keys
// as in host/graph/validate_graph.cpp; the snippet parses as TOML.
TEST(CliSchema, EmaCrossoverSnippetShowsTheDeclaredDefaults) {
  const Result r = run({"plugins", "schema", "ema_crossover", "--path", kPluginDir});
  ASSERT_EQ(r.rc, 0) << r.both();
  toml::table doc;
  try {
    doc = toml::parse(r.out);
  } catch (const toml::parse_error& e) {
    FAIL() << "not TOML: " << e.description() << "\n" << r.out;
  }
  const toml::array* arr = doc["strategy"].as_array();
  ASSERT_NE(arr, nullptr) << r.out;
  ASSERT_EQ(arr->size(), 1u);
  const toml::table& t = *arr->get(0)->as_table();
  EXPECT_EQ(t["type"].value<std::string>(), "ema_crossover");
  EXPECT_EQ(t["name"].value<std::string>(), "ema_crossover");
  EXPECT_EQ(t["timeframe"].value<std::string>(), "1m");
  EXPECT_EQ(t["fast"].value<int64_t>(), 12);
  EXPECT_EQ(t["slow"].value<int64_t>(), 26);
  EXPECT_EQ(t["rsi_period"].value<int64_t>(), 14);
  EXPECT_EQ(t["rsi_max"].value<double>(), 70.0);
  EXPECT_EQ(t["fraction"].value<double>(), 0.95);
  EXPECT_EQ(t["stop_loss_pct"].value<double>(), 0.0);
  // Required host keys without a value are commented-out placeholders, so absent from the table.
  EXPECT_FALSE(t.contains("connector"));
  EXPECT_FALSE(t.contains("instruments"));
  EXPECT_EQ(t.size(), 10u);  // name, type, timeframe, events and the six declared keys
  EXPECT_EQ(t["events"].as_array()->size(), 1u);  // default ["bar"]
  EXPECT_HAS(line_starting(r.out, "# connector = "), "# str, required: name of the [[connector]] giving its data");
  EXPECT_HAS(line_starting(r.out, "fast = 12 "), "# i64, bars: fast EMA period");
  EXPECT_HAS(line_starting(r.out, "fraction = 0.95 "), "# f64, fraction of equity: share of equity to buy with on an entry (0..1]");
  EXPECT_HAS(line_starting(r.out, "rsi_max = 70 "), "# f64: entries need RSI below this (0..100)");
}

// The snippets of a connector, a strategy, a risk rule and a notifier, pasted into a bot config
// with only their required values filled in, pass `tradehost check`. The data: a 1-minute Binance
// file, to match the snippet's default timeframe "1m".
TEST(CliSchema, SnippetsWithRequiredValuesFilledInPassCheck) {
  std::map<std::string, std::string> snippet;
  for (const char* type : {"replay", "ema_crossover", "max_daily_loss", "log"}) {
    const Result r = run({"plugins", "schema", type, "--path", kPluginDir});
    ASSERT_EQ(r.rc, 0) << r.both();
    snippet[type] = r.out;
  }
  const std::string data = std::string(TH_SOURCE_DIR) + "/tests/unit/replay/data/binance_um_futures_1m_header_ms.csv";
  std::string replay = replace_line(snippet["replay"], "# files = ", "files = [\"" + data + "\"]");
  std::string ema = replace_line(snippet["ema_crossover"], "# connector = ", "connector = \"replay\"");
  ema = replace_line(ema, "# instruments = ", "instruments = [\"BTC/USDT\"]");
  std::string loss = replace_line(snippet["max_daily_loss"], "# max_loss = ", "max_loss = \"500\"");

  abi::ScratchDir dir;
  const fs::path config = dir.path() / "bot.toml";
  std::ofstream(config) << "[bot]\nname = \"schema\"\nmode = \"backtest\"\n\n"
                        << replay << "\n" << ema << "\n" << loss << "\n" << snippet["log"] << "\n[plugins]\npaths = [\""
                        << kPluginDir << "\"]\n";
  const Result r = run({"check", config.string()});
  EXPECT_EQ(r.rc, 0) << r.both() << "\nconfig:\n" << read_text(config);
  EXPECT_HAS(r.out, "ok (bot schema, mode backtest, 1 connector(s), 1 strategy, 1 risk rule(s), 1 notifier(s))");
}

// Every config type, units, and secret keys (fixtures/schema_notifier.cpp): a secret's default
// never shows, secrets and keys without a default are commented out, and with the required key
// filled in the snippet passes the host's graph validation.
TEST(CliSchema, SecretKeysNeverShowAValue) {
  abi::ScratchDir dir;
  fs::copy_file(TH_ABI_FIXTURE_SCHEMA_NOTIFIER, dir.path() / fs::path(TH_ABI_FIXTURE_SCHEMA_NOTIFIER).filename());
  const Result r = run({"plugins", "schema", "fx_schema_notifier", "--path", dir.path().string()});
  ASSERT_EQ(r.rc, 0) << r.both();
  EXPECT_EQ(r.out.find("s3cr3t"), std::string::npos) << r.out;
  line_starting(r.out, "[[notifier]]");
  EXPECT_HAS(line_starting(r.out, "# api_key = \"...\" "), "# str, required, secret: account key");
  EXPECT_HAS(line_starting(r.out, "# webhook_token = \"...\" "), "# str, secret: token sent with every message");
  EXPECT_HAS(line_starting(r.out, "# room = \"...\" "), "# str: chat room; none = the account's default");
  EXPECT_HAS(line_starting(r.out, "max_per_minute = 30 "), "# i64, messages per minute: rate limit");
  EXPECT_HAS(line_starting(r.out, "min_notional = \"12.5\" "), "# decimal, USDT: only report fills above this");
  EXPECT_HAS(line_starting(r.out, "fee_bps = 7.5 "), "# f64, bps: fee shown in summaries");

  const toml::table doc = toml::parse(r.out);
  const toml::table& t = *doc["notifier"].as_array()->get(0)->as_table();
  EXPECT_FALSE(t.contains("api_key"));
  EXPECT_FALSE(t.contains("webhook_token"));
  EXPECT_FALSE(t.contains("room"));
  EXPECT_EQ(t["timeout"].value<std::string>(), "5s");
  EXPECT_EQ(t["dry_run"].value<bool>(), false);
  EXPECT_EQ(t["channels"].as_array()->size(), 2u);
  EXPECT_EQ(t["on"].as_array()->size(), tradehost::graph::notifier_topics().size());

  // The Backtest harness parses and validates the graph (validate_graph, as `check` does) in its
  // constructor and throws on any error.
  const std::string filled = replace_line(r.out, "# api_key = ", "api_key = \"k\"");
  EXPECT_NO_THROW({ abi::Backtest bt(filled, {TH_ABI_FIXTURE_SCHEMA_NOTIFIER}); }) << filled;
  // Without the required key it does not pass: the placeholder really is required.
  EXPECT_THROW({ abi::Backtest bt(r.out, {TH_ABI_FIXTURE_SCHEMA_NOTIFIER}); }, tradehost::graph::GraphError);
}

TEST(CliSchema, UnknownTypeListsTheKnownOnesAndExitsTwo) {
  const Result r = run({"plugins", "schema", "no_such_type", "--path", kPluginDir});
  EXPECT_EQ(r.rc, 2) << r.both();
  EXPECT_EQ(r.out, "");
  const auto lines = lines_of(r.err);
  ASSERT_EQ(lines.size(), 1u) << r.err;
  EXPECT_EQ(lines[0].rfind("error: unknown component type 'no_such_type'; known types: ", 0), 0u) << lines[0];
  // Sorted, so the real plugins' types appear in this order (others may sit between them).
  EXPECT_TRUE(std::regex_search(lines[0], std::regex("known types: (.*, )?ema_crossover, (.*, )?log, (.*, )?max_daily_loss, "
                                                     "(.*, )?max_position, (.*, )?replay[, ]")))
      << lines[0];
  EXPECT_HAS(lines[0], "(plugin paths: " + kPluginDir + ")");
}

}  // namespace
