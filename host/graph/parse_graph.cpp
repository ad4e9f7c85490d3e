// Pass 1: TOML syntax, the top-level layout, [bot] and [plugins].
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "graph/document.hpp"
#include "graph/field_conversion.hpp"
#include "graph/graph.hpp"

namespace tradehost::graph {
namespace {

const std::vector<FieldSpec>& bot_fields() {
  static const std::vector<FieldSpec> fields{
      {"name", FieldType::Str, "", "1-20 characters of A-Z a-z 0-9 _ -", true, false},
      {"mode", FieldType::Str, "", "\"backtest\", \"paper\" or \"live\"", true, false},
      {"state", FieldType::Str, "", "SQLite file; default \"var/<name>.sqlite\"", false, false},
      {"initial_cash", FieldType::Decimal, "\"10000\"", "in the quote currency", false, false},
      {"maker_fee_bps", FieldType::F64, "10", "basis points", false, false},
      {"taker_fee_bps", FieldType::F64, "10", "basis points", false, false},
      {"slippage_bps", FieldType::F64, "0", "basis points", false, false},
      {"speed", FieldType::F64, "1", "paper replay pacing factor", false, false},
      {"from", FieldType::Str, "", "ISO 8601 start", false, false},
      {"to", FieldType::Str, "", "ISO 8601 end", false, false},
      {"equity_interval", FieldType::Duration, "\"1h\"", "how often equity rows are persisted",
       false, false},
      {"out", FieldType::Str, "", "output directory; default \"out/<name>\"", false, false},
      {"tls_ca_file", FieldType::Str, "",
       "extra CA certificates (PEM) trusted for HTTPS/WSS besides the system store", false, false},
      {"watch_plugins", FieldType::Bool, "true",
       "paper: reload a strategy when its library file is replaced", false, false},
      {"notifier_drain", FieldType::Duration, "\"10s\"",
       "after the run, how long notifiers may still deliver (HTTP requests, retry timers)", false,
       false},
      {"kill_file", FieldType::Str, "",
       "paper/live: while this file exists the kill switch is HALTED (or REDUCING if it says so)",
       false, false},
      {"flatten_on_halt", FieldType::Bool, "false",
       "entering HALTED also closes every position with market orders", false, false},
  };
  return fields;
}

const std::vector<FieldSpec>& control_fields() {
  static const std::vector<FieldSpec> fields{
      {"listen", FieldType::Str, "\"127.0.0.1:0\"", "HOST:PORT of the control API; port 0 = any free port", false, false},
      {"token_credential", FieldType::Str, "", "credential store entry (type token) holding the bearer token", true, false},
      {"tls_cert", FieldType::Str, "", "PEM certificate chain; with tls_key the API speaks HTTPS only", false, false},
      {"tls_key", FieldType::Str, "", "PEM private key of tls_cert", false, false},
  };
  return fields;
}

const std::vector<FieldSpec>& plugins_fields() {
  static const std::vector<FieldSpec> fields{
      {"paths", FieldType::StrList, "", "directories holding plugin .so files", false, false}};
  return fields;
}

bool is_component_section(std::string_view key) {
  return key == "connector" || key == "strategy" || key == "risk" || key == "notifier";
}

bool valid_bot_name(std::string_view name) {
  if (name.empty() || name.size() > 20) return false;
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string read_file(const std::filesystem::path& file, const std::string& display) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec))
    throw GraphError({fmt::format("{}: cannot read the config: it is a directory", display)});
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw GraphError(
        {fmt::format("{}: cannot read the config: {}", display, std::strerror(errno))});
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return std::move(ss).str();
}

// Top level: only the six known sections, each of the right shape.
void check_layout(const Document& doc, Diagnostics& diag) {
  for (auto&& [key, node] : doc.root) {
    const std::string_view k = key.str();
    if (k == "bot" || k == "plugins" || k == "control") {
      if (!node.is_table()) {
        diag.add(doc.pos(key), fmt::format("'{}' must be a table: write [{}] on its own line and "
                                           "its keys below it; got {}",
                                           k, k, describe_toml_type(node)));
      }
      continue;
    }
    if (is_component_section(k)) {
      if (node.is_table()) {
        diag.add(doc.pos(node), fmt::format("write [[{}]] (an array of tables, one per {}), not "
                                            "[{}]",
                                            k, k, k));
      } else if (const toml::array* arr = node.as_array()) {
        for (const toml::node& e : *arr) {
          if (!e.is_table()) {
            diag.add(doc.pos(e), fmt::format("each {} must be a table: write [[{}]] followed by "
                                             "its keys; got {}",
                                             k, k, describe_toml_type(e)));
          }
        }
      } else {
        diag.add(doc.pos(key), fmt::format("'{}' must be written as [[{}]] tables; got {}", k, k,
                                           describe_toml_type(node)));
      }
      continue;
    }
    const bool is_section = node.is_table() || node.is_array_of_tables();
    std::string msg = is_section ? fmt::format("unknown table [{}]", k)
                                 : fmt::format("unknown top-level key '{}'", k);
    msg += "; a bot file holds [bot], [plugins], [control], [[connector]], [[strategy]], [[risk]] "
           "and [[notifier]]";
    if (!is_section) msg += " (keys above the first [table] belong to none)";
    for (std::string_view known :
         {"bot", "plugins", "control", "connector", "strategy", "risk", "notifier"}) {
      if (looks_like(k, known)) msg += fmt::format(" (did you mean '{}'?)", known);
    }
    diag.add(is_section ? doc.pos(node) : doc.pos(key), std::move(msg));
  }
}

// from / to: a string, or a native TOML date or date-time kept as its ISO 8601 text.
void read_time_bound(const toml::table& t, std::string_view key, const FieldContext& ctx,
                     Bot& bot, std::string& out) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return;
  std::ostringstream text;
  if (const auto* dt = n->as_date_time()) {
    text << dt->get();
  } else if (const auto* d = n->as_date()) {
    text << d->get();
  } else if (n->is_string()) {
    FieldSpec spec{std::string(key), FieldType::Str, "", "", false, false};
    if (std::optional<Value> v = convert_field(*n, spec, ctx)) text << v->str;
    else return;
  } else {
    ctx.report(ctx.doc.pos(*n),
               fmt::format("'{}' in [bot] must be an ISO 8601 date or date-time, e.g. {} = "
                           "\"2024-01-01T00:00:00Z\"; got {}",
                           key, key, describe_toml_type(*n)));
    return;
  }
  out = std::move(text).str();
  bot.key_pos[std::string(key)] = ctx.doc.pos(*n);
}

Bot read_bot(const Document& doc, Diagnostics& diag) {
  Bot bot;
  const toml::table* t = doc.root.get_as<toml::table>("bot");
  if (t == nullptr) {
    if (!doc.root.contains("bot")) {
      diag.add(doc.start(), "missing [bot] table; add [bot] with name = \"...\" and mode = "
                            "\"backtest\", \"paper\" or \"live\"");
    }
    return bot;  // a [bot] of the wrong shape was reported by check_layout
  }
  bot.pos = doc.pos(*t);
  const Report report = [&](const SourcePos& p, std::string m) { diag.add(p, std::move(m)); };
  const FieldContext ctx{doc, "[bot]", report};
  std::map<std::string, Value> v = read_table(
      *t, bot_fields(), ctx, [](std::string_view k) { return k == "from" || k == "to"; });
  fill_defaults(*t, bot_fields(), bot.pos, "the host", ctx, v);
  for (const auto& [key, value] : v)
    if (!value.from_default) bot.key_pos[key] = value.pos;

  if (auto it = v.find("name"); it != v.end()) {
    bot.name = it->second.str;
    if (!valid_bot_name(bot.name)) {
      diag.add(it->second.pos,
               fmt::format("bot name \"{}\" must be 1-20 characters of A-Z a-z 0-9 _ - (client "
                           "order ids are <bot>-<run>-<seq>, at most 36 characters on Binance)",
                           bot.name));
    }
  }
  if (auto it = v.find("mode"); it != v.end()) {
    const std::string& m = it->second.str;
    if (m == "backtest") bot.mode = Mode::Backtest;
    else if (m == "paper") bot.mode = Mode::Paper;
    else if (m == "live") bot.mode = Mode::Live;
    else {
      diag.add(it->second.pos,
               fmt::format("mode in [bot] must be \"backtest\", \"paper\" or \"live\"; got \"{}\"",
                           m));
    }
  }
  const auto path_or = [&](const char* key, const std::string& fallback) {
    const auto it = v.find(key);
    if (it != v.end() && it->second.str.empty())
      diag.add(it->second.pos, fmt::format("{} in [bot] must not be empty; give a path or leave the key out", key));
    return std::filesystem::path(doc.resolve_path(it != v.end() && !it->second.str.empty() ? it->second.str : fallback));
  };
  bot.state = path_or("state", "var/" + bot.name + ".sqlite");
  bot.out = path_or("out", "out/" + bot.name);

  if (auto it = v.find("initial_cash"); it != v.end()) {
    bot.initial_cash = it->second.str;
    if (bot.initial_cash.starts_with('-'))
      diag.add(it->second.pos, "initial_cash in [bot] must not be negative");
  }
  const auto number = [&](const char* key, double& out) -> const Value* {
    const auto it = v.find(key);
    if (it == v.end()) return nullptr;
    out = it->second.f64;
    return &it->second;
  };
  number("maker_fee_bps", bot.maker_fee_bps);
  number("taker_fee_bps", bot.taker_fee_bps);
  if (const Value* s = number("slippage_bps", bot.slippage_bps); s && bot.slippage_bps < 0)
    diag.add(s->pos, "slippage_bps in [bot] must not be negative");
  if (const Value* s = number("speed", bot.speed); s && !(bot.speed > 0)) {
    diag.add(s->pos, "speed in [bot] must be greater than 0 (1 = real time, 2 = twice as fast)");
  }
  if (auto it = v.find("equity_interval"); it != v.end()) {
    bot.equity_interval_ns = it->second.i64;
    if (bot.equity_interval_ns <= 0)
      diag.add(it->second.pos, "equity_interval in [bot] must be longer than 0, e.g. \"1h\"");
  }
  if (auto it = v.find("watch_plugins"); it != v.end()) bot.watch_plugins = it->second.b;
  // A duration is never negative (parse_duration has no sign); "0s" means do not wait.
  if (auto it = v.find("notifier_drain"); it != v.end()) bot.notifier_drain_ns = it->second.i64;
  if (auto it = v.find("tls_ca_file"); it != v.end() && !it->second.str.empty())
    bot.tls_ca_file = doc.resolve_path(it->second.str);
  if (auto it = v.find("kill_file"); it != v.end() && !it->second.str.empty())
    bot.kill_file = doc.resolve_path(it->second.str);
  if (auto it = v.find("flatten_on_halt"); it != v.end()) bot.flatten_on_halt = it->second.b;
  read_time_bound(*t, "from", ctx, bot, bot.from);
  read_time_bound(*t, "to", ctx, bot, bot.to);
  return bot;
}

std::vector<std::string> read_plugins(const Document& doc, Diagnostics& diag) {
  const toml::table* t = doc.root.get_as<toml::table>("plugins");
  if (t == nullptr) return {};
  const Report report = [&](const SourcePos& p, std::string m) { diag.add(p, std::move(m)); };
  const FieldContext ctx{doc, "[plugins]", report};
  std::map<std::string, Value> v = read_table(*t, plugins_fields(), ctx);
  std::vector<std::string> paths;
  if (auto it = v.find("paths"); it != v.end())
    for (const std::string& p : it->second.list) {
      if (p.empty()) diag.add(it->second.pos, "paths in [plugins] must not hold an empty path");
      else paths.push_back(doc.resolve_path(p));
    }
  return paths;
}

Control read_control(const Document& doc, const Bot& bot, Diagnostics& diag) {
  Control c;
  const toml::table* t = doc.root.get_as<toml::table>("control");
  if (t == nullptr) return c;
  c.enabled = true;
  c.pos = doc.pos(*t);
  const Report report = [&](const SourcePos& p, std::string m) { diag.add(p, std::move(m)); };
  const FieldContext ctx{doc, "[control]", report};
  std::map<std::string, Value> v = read_table(*t, control_fields(), ctx);
  if (bot.mode == Mode::Backtest)
    diag.add(c.pos, "[control] serves a running paper or live bot; a backtest has nothing to control (remove the table or "
                    "set mode)");
  if (auto it = v.find("listen"); it != v.end()) {
    const std::string& l = it->second.str;
    const size_t colon = l.rfind(':');
    unsigned long port = 0;
    bool ok = colon != std::string::npos && colon > 0 && colon + 1 < l.size() && colon + 6 >= l.size();
    for (size_t i = colon + 1; ok && i < l.size(); ++i) ok = l[i] >= '0' && l[i] <= '9';
    if (ok) port = std::stoul(l.substr(colon + 1));
    if (!ok || port > 65535)
      diag.add(it->second.pos, fmt::format("listen in [control] must be HOST:PORT, e.g. \"127.0.0.1:8470\"; got \"{}\"", l));
    else {
      c.host = l.substr(0, colon);
      if (c.host.size() > 2 && c.host.front() == '[' && c.host.back() == ']') c.host = c.host.substr(1, c.host.size() - 2);
      c.port = static_cast<uint16_t>(port);
    }
  }
  if (auto it = v.find("token_credential"); it != v.end()) c.token_credential = it->second.str;
  if (auto it = v.find("tls_cert"); it != v.end() && !it->second.str.empty()) c.tls_cert = doc.resolve_path(it->second.str);
  if (auto it = v.find("tls_key"); it != v.end() && !it->second.str.empty()) c.tls_key = doc.resolve_path(it->second.str);
  if (c.tls_cert.empty() != c.tls_key.empty())
    diag.add(c.pos, "[control] needs both tls_cert and tls_key, or neither");
  return c;
}

}  // namespace

Graph parse_graph(const std::filesystem::path& file) {
  auto doc = std::make_shared<Document>();
  doc->display_path = file.string();
  const std::filesystem::path absolute = std::filesystem::absolute(file).lexically_normal();
  doc->dir = absolute.parent_path();
  const std::string text = read_file(file, doc->display_path);
  try {
    doc->root = toml::parse(text, std::string_view(doc->display_path));
  } catch (const toml::parse_error& e) {
    throw GraphError({fmt::format("{}:{}:{}: {}", doc->display_path, e.source().begin.line,
                                  e.source().begin.column, e.description())});
  }

  Diagnostics diag;
  check_layout(*doc, diag);
  Graph g;
  g.file = absolute;
  g.bot = read_bot(*doc, diag);
  g.plugin_paths = read_plugins(*doc, diag);
  g.control = read_control(*doc, g.bot, diag);
  diag.raise_if_any();
  g.document = std::move(doc);
  return g;
}

}  // namespace tradehost::graph
