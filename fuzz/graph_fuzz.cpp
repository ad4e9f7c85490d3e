// Fuzz target: the TOML bot graph loader (host/graph): parse_graph (TOML syntax, [bot],
// [plugins], the layout) and validate_graph (every component table against its schema), on the
// input written to a scratch file, since parse_graph reads a path.
// The schemas stand in for the bundled plugins' (the types and keys config/bots/*.toml use, one
// of each field type, required, secret and credential fields, a broken default).
// Invariants: the only exception is GraphError, with at least one message, each
// "<file>:<line>:<col>: ..." (or "<file>: ...") and sorted by position; an accepted graph has a valid
// bot name, finite fees, non-negative slippage, a positive speed and equity interval, absolute
// state / out / plugin paths, strategies with a positive timeframe on a
// declared connector, and every required key and no undeclared key in each component's config.
#include "fuzz_check.hpp"

#include "graph/graph.hpp"

#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <string_view>

using namespace tradehost::graph;
namespace fs = std::filesystem;

namespace {

FieldSpec field(std::string key, FieldType type, std::string def = "", bool required = false, bool secret = false,
                bool credential = false) {
  FieldSpec f{std::move(key), type, std::move(def), "unit: test", required, secret};
  f.credential = credential;
  return f;
}

const std::map<std::string, ComponentSchema, std::less<>>& schemas() {
  static const std::map<std::string, ComponentSchema, std::less<>> m = [] {
    std::map<std::string, ComponentSchema, std::less<>> s;
    s["replay"] = {TH_KIND_CONNECTOR, "replay", "/p/libth_replay.so",
                   {field("files", FieldType::StrList, "", true), field("symbol", FieldType::Str, "", true),
                    field("venue", FieldType::Str, "\"binance\""), field("tick_size", FieldType::Decimal, "", true),
                    field("lot_size", FieldType::Decimal, "", true), field("min_qty", FieldType::Decimal, "\"0\""),
                    field("min_notional", FieldType::Decimal, "\"0\""), field("data_dir", FieldType::Str, "\"data\"")}};
    s["binance_spot"] = {TH_KIND_CONNECTOR, "binance_spot", "/p/libth_binance_spot.so",
                         {field("testnet", FieldType::Bool, "true"), field("credential", FieldType::Str, "", false, false, true),
                          field("api_secret", FieldType::Str, "", false, true),
                          field("recv_window", FieldType::Duration, "\"5s\""),
                          field("book_depth", FieldType::I64, "20")}};
    s["binance_usdm"] = {TH_KIND_CONNECTOR, "binance_usdm", "/p/libth_binance_usdm.so",
                         {field("testnet", FieldType::Bool, "true"), field("credential", FieldType::Str, "", false, false, true),
                          field("margin_type", FieldType::Str, ""), field("leverage", FieldType::I64, "0")}};
    s["ema_crossover"] = {TH_KIND_STRATEGY, "ema_crossover", "/p/libth_ema_crossover.so",
                          {field("fast", FieldType::I64, "12"), field("slow", FieldType::I64, "26"),
                           field("rsi_period", FieldType::I64, "14"), field("rsi_max", FieldType::F64, "70"),
                           field("fraction", FieldType::F64, "0.95"), field("stop_loss_pct", FieldType::F64, "0"),
                           field("cooldown", FieldType::Duration, "\"5m\"")}};
    s["max_position"] = {TH_KIND_RISK, "max_position", "/p/libth_max_position.so",
                         {field("max_notional", FieldType::Decimal, "", true)}};
    s["max_daily_loss"] = {TH_KIND_RISK, "max_daily_loss", "/p/libth_max_daily_loss.so",
                           {field("max_loss", FieldType::Decimal, "", true)}};
    s["log"] = {TH_KIND_NOTIFIER, "log", "/p/libth_log_notifier.so", {field("level", FieldType::Str, "\"info\"")}};
    s["telegram"] = {TH_KIND_NOTIFIER, "telegram", "/p/libth_telegram_notifier.so",
                     {field("token", FieldType::Str, "", true, true), field("chat_id", FieldType::Str, "", true)}};
    s["broken_default"] = {TH_KIND_RISK, "broken_default", "/p/libth_broken.so",
                           {field("limit", FieldType::I64, "\"ten\"")}};
    return s;
  }();
  return m;
}

const ComponentSchema* lookup(std::string_view type) {
  auto it = schemas().find(type);
  return it == schemas().end() ? nullptr : &it->second;
}

void check_errors(const GraphError& e, const std::string& path) {
  FUZZ_CHECK(!e.errors.empty(), "GraphError without a message");
  std::pair<long, long> prev{0, 0};
  for (const std::string& m : e.errors) {
    FUZZ_CHECK(m.starts_with(path + ":"), "message without the file: %s", m.c_str());
    // "path:line:col: " -- positions in order.
    const char* p = m.c_str() + path.size() + 1;
    char* end = nullptr;
    const long line = std::strtol(p, &end, 10);
    if (end != p && *end == ':') {
      const long col = std::strtol(end + 1, &end, 10);
      FUZZ_CHECK(line >= 1 && col >= 1, "position %ld:%ld in: %s", line, col, m.c_str());
      FUZZ_CHECK(std::pair(line, col) >= prev, "messages out of order at: %s", m.c_str());
      prev = {line, col};
    }
  }
}

void check_graph(const Graph& g) {
  FUZZ_CHECK(!g.bot.name.empty() && g.bot.name.size() <= 20, "bot name '%s'", g.bot.name.c_str());
  FUZZ_CHECK(g.bot.state.is_absolute() && g.bot.out.is_absolute(), "relative state or out path");
  FUZZ_CHECK(std::isfinite(g.bot.maker_fee_bps) && std::isfinite(g.bot.taker_fee_bps) &&
                 std::isfinite(g.bot.slippage_bps) && g.bot.slippage_bps >= 0 && std::isfinite(g.bot.speed) &&
                 g.bot.speed > 0 && g.bot.equity_interval_ns > 0 && g.bot.notifier_drain_ns >= 0,
             "[bot] numbers out of range");
  FUZZ_CHECK(!g.bot.initial_cash.starts_with('-'), "negative initial_cash %s", g.bot.initial_cash.c_str());
  for (const std::string& p : g.plugin_paths) FUZZ_CHECK(fs::path(p).is_absolute(), "relative plugin path %s", p.c_str());
  for (const auto* nodes : {&g.connectors, &g.strategies, &g.risks, &g.notifiers})
    for (const Node& n : *nodes) {
      const ComponentSchema* s = lookup(n.type);
      FUZZ_CHECK(s != nullptr && s->kind == n.kind, "node of unknown type '%s' accepted", n.type.c_str());
      for (const FieldSpec& f : s->fields)
        if (f.required) FUZZ_CHECK(n.config.count(f.key) == 1, "required '%s' missing", f.key.c_str());
      for (const auto& [key, value] : n.config) {
        bool declared = false;
        for (const FieldSpec& f : s->fields) declared |= f.key == key;
        FUZZ_CHECK(declared, "undeclared key '%s' in the config of '%s'", key.c_str(), n.name.c_str());
        if (value.type == FieldType::Decimal && !value.from_default)
          FUZZ_CHECK(tradehost::fuzz::read_decimal(value.str).has_value(), "'%s' = \"%s\" is not a decimal",
                     key.c_str(), value.str.c_str());
        if (value.type == FieldType::Duration) FUZZ_CHECK(value.i64 >= 0, "negative duration '%s'", key.c_str());
        if (value.type == FieldType::F64) FUZZ_CHECK(std::isfinite(value.f64), "'%s' is not finite", key.c_str());
      }
    }
  for (const Node& s : g.strategies) {
    FUZZ_CHECK(s.timeframe_ns > 0, "timeframe_ns %lld", static_cast<long long>(s.timeframe_ns));
    bool found = false;
    for (const Node& c : g.connectors) found |= c.name == s.connector;
    FUZZ_CHECK(found, "strategy '%s' on undeclared connector '%s'", s.name.c_str(), s.connector.c_str());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fs::path dir = [] {
    ::setenv("TH_FUZZ_VALUE", "from-the-environment", 1);
    fs::path d = fs::temp_directory_path() / ("th_graph_fuzz_" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
  }();
  const fs::path file = dir / "bot.toml";
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  const std::string path = file.string();
  try {
    Graph g = parse_graph(file);
    validate_graph(g, lookup);
    check_graph(g);
  } catch (const GraphError& e) {
    check_errors(e, path);
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, "exception other than GraphError: %s", e.what());
  }
  return 0;
}
