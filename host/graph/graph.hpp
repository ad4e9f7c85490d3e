// The bot graph: a TOML file naming the bot, where plugins live, and the connector, strategy,
// risk and notifier components to wire. Loaded in two passes so that everything is checked
// before any component starts (ARCHITECTURE.md, "TOML graph"):
//
//   Graph g = parse_graph(path);         // pass 1: TOML syntax, [bot], [plugins], layout
//   ... load the plugins found under g.plugin_paths ...
//   validate_graph(g, lookup);           // pass 2: every component table against its schema
//
// Both passes collect every error they find and then throw one GraphError listing them all,
// each as "file:line:col: message" (line and column 1-based; columns count UTF-8 code points,
// as TOML++ does), sorted by position.
//
// PATHS   Relative paths resolve against the DIRECTORY OF THE CONFIG FILE, not the working
//   directory, and are stored absolute and lexically normalised: [plugins] paths, [bot] state
//   and out, and every component string (or string-list) key named "file", "files", "path", or
//   ending in "_file", "_path" or "_dir" -- defaults included.
// ${ENV}  Every string value in the file (host keys, component keys, list elements) has
//   `${NAME}` replaced by the environment variable NAME; an unset variable is an error at that
//   value; `$${` is a literal `${`. Declared defaults are not interpolated.
// SECRETS The value of a field declared TH_CFG_SECRET never appears in an error message.
#pragma once

#include <tradehost/plugin.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "graph/literals.hpp"
#include "tradehost/plugin.h"

namespace tradehost::graph {

/// A config field's type; the values are the TH_CFG_* constants, so a th_config_field::type
/// converts with static_cast once checked to be in Str..StrList.
enum class FieldType {
  Str = TH_CFG_STR,
  I64 = TH_CFG_I64,
  F64 = TH_CFG_F64,            ///< accepts TOML integers too
  Bool = TH_CFG_BOOL,
  Decimal = TH_CFG_DECIMAL,    ///< a TOML string holding a decimal literal, or a TOML integer
  Duration = TH_CFG_DURATION,  ///< a TOML string such as "5m" (see parse_duration)
  StrList = TH_CFG_STR_LIST    ///< a TOML array of strings
};

/// One key a component accepts: the host's copy of a th_config_field.
struct FieldSpec {
  std::string key;
  FieldType type = FieldType::Str;
  std::string default_value;  ///< TOML literal text ("12", "\"5m\"", "[\"a\"]"); "" = none
  std::string description;    ///< says the unit; quoted when the key is missing
  bool required = false;      ///< TH_CFG_REQUIRED: must be written in the file
  bool secret = false;        ///< TH_CFG_SECRET: never echoed or logged
  std::string unit{};         ///< of the value ("bps", "quote currency", ...); "" = none
  bool credential = false;    ///< TH_CFG_CREDENTIAL (ABI 1.2): names a credential store entry
};

/// The declared schema of one component type (one th_component).
struct ComponentSchema {
  int kind = 0;               ///< TH_KIND_*
  std::string type_name;      ///< the TOML `type`
  std::string plugin_file;    ///< the shared library that registered it (for messages)
  std::vector<FieldSpec> fields;
};

/// Finds the schema of a component type; nullptr when no loaded plugin registered it.
using SchemaLookup = std::function<const ComponentSchema*(std::string_view type_name)>;

/// Where something was written: the config path as given to parse_graph, 1-based line/column.
struct SourcePos {
  std::string file;
  int line = 0, col = 0;
};

/// A validated config value. Which members hold it depends on `type`:
/// Str: str; I64: i64; F64: f64; Bool: b; Decimal: str (the exact decimal text, e.g. "0.001");
/// Duration: i64 (nanoseconds) and str (the text as written, e.g. "5m"); StrList: list.
/// Strings are after ${ENV} interpolation and, for path keys, resolved to absolute paths.
struct Value {
  FieldType type = FieldType::Str;
  std::string str;
  int64_t i64 = 0;
  double f64 = 0;
  bool b = false;
  std::vector<std::string> list;
  SourcePos pos;              ///< of the value; of the component's table when from_default
  bool from_default = false;  ///< not written in the file: the declared default
  bool secret = false;        ///< the field is TH_CFG_SECRET: do not print `str` / `list`
};

enum class Mode { Backtest, Paper, Live };

/// "backtest", "paper" or "live".
std::string_view to_string(Mode mode);

/// "connector", "strategy", "risk", "notifier" for TH_KIND_*; "component" otherwise.
std::string_view kind_name(int kind);

/// The [bot] table. Money in the quote currency; fees and slippage in basis points.
struct Bot {
  std::string name;              ///< ^[A-Za-z0-9_-]{1,20}$: client order ids are
                                 ///< <bot>-<run>-<seq>, at most 36 characters on Binance
  Mode mode = Mode::Backtest;
  std::filesystem::path state;   ///< SQLite file, absolute; default <config dir>/var/<name>.sqlite
  std::string initial_cash = "10000";  ///< exact decimal text, not negative
  double maker_fee_bps = 10;     ///< may be negative (maker rebates)
  double taker_fee_bps = 10;
  double slippage_bps = 0;       ///< >= 0
  double speed = 1;              ///< > 0; paper replay pacing factor (2 = twice real time)
  std::string from, to;          ///< ISO 8601 text as written ("" = not given); the caller parses
                                 ///< it. A native TOML date/date-time is kept in ISO 8601 form.
  int64_t equity_interval_ns = 3'600'000'000'000;  ///< how often equity rows are persisted
  std::filesystem::path out;     ///< output directory, absolute; default <config dir>/out/<name>
  bool watch_plugins = true;     ///< paper: hot-reload a strategy when its .so is replaced
  /// After the run's summary notification, how long (wall clock, ns) notifiers may still finish
  /// their HTTP requests and retry timers before they are stopped; 0 = stop them at once.
  int64_t notifier_drain_ns = 10'000'000'000;
  std::filesystem::path tls_ca_file;  ///< extra trusted CA (PEM) for the host's HTTPS and WSS, absolute; empty = system store only
  /// paper/live: while this file exists the kill switch is moved to the state its first word
  /// names ("reducing"; anything else or empty: HALTED). Polled every second. Absolute; empty = none.
  std::filesystem::path kill_file;
  bool flatten_on_halt = false;  ///< entering HALTED also closes every position with market orders
  SourcePos pos;                 ///< of the [bot] header
  std::map<std::string, SourcePos> key_pos;  ///< value position of each key written in [bot]

  /// Position of a key's value when it was written, else of the [bot] header.
  const SourcePos& where(std::string_view key) const;
};

/// The [control] table: the control API (host/control), paper and live mode only.
struct Control {
  bool enabled = false;           ///< a [control] table is present
  std::string host = "127.0.0.1"; ///< bind address (an IP literal or "localhost")
  uint16_t port = 0;              ///< 0 = any free port (the URL is written to <state>.control)
  std::string token_credential;   ///< credential store entry (type token) holding the bearer token
  std::filesystem::path tls_cert, tls_key;  ///< PEM, absolute; both or neither; required off loopback
  SourcePos pos;                  ///< of the [control] header
};

/// One [[connector]], [[strategy]], [[risk]] or [[notifier]] table.
struct Node {
  int kind = 0;                  ///< TH_KIND_*
  std::string name;              ///< unique within its kind; risk/notifier default: the type
  std::string type;              ///< the component type, as registered by a plugin
  SourcePos pos;                 ///< of the table header
  std::map<std::string, Value> config;  ///< the component's own keys, defaults filled in

  // [[strategy]] only
  std::string connector;         ///< name of a declared [[connector]]
  std::vector<std::string> instruments;  ///< unified symbols, "BASE/QUOTE" or "BASE/QUOTE:SETTLE"
  std::string timeframe;         ///< as written, default "1m"
  int64_t timeframe_ns = 0;      ///< > 0
  /// TH_EV_MASK bits of the market events it receives (`events`, default ["bar"]); bars are
  /// subscribed with `timeframe`. Its own order and fill events always reach it.
  uint32_t event_mask = TH_EV_MASK(TH_EV_BAR);

  // [[notifier]] only
  std::vector<std::string> on;   ///< topics; default all of notifier_topics()

  std::map<std::string, SourcePos> key_pos;  ///< value position of each host key written

  /// Position of a host key's value when it was written, else of the table header.
  const SourcePos& where(std::string_view key) const;
};

/// The keys the host itself reads in a component table of `kind` (TH_KIND_*), `name` and `type`
/// first (e.g. a strategy's connector, instruments, timeframe); empty for an unknown kind.
/// The same list validate_graph checks against.
const std::vector<FieldSpec>& host_fields(int kind);

/// The topics a [[notifier]] may subscribe to with `on`.
const std::vector<std::string>& notifier_topics();

struct Document;  ///< the parsed TOML, kept from parse_graph for validate_graph

struct Graph {
  Bot bot;
  Control control;
  std::vector<std::string> plugin_paths;  ///< absolute, in file order
  std::vector<Node> connectors, strategies, risks, notifiers;  ///< filled by validate_graph
  std::filesystem::path file;             ///< the config file, absolute
  std::shared_ptr<const Document> document;
};

/// Every problem found in a graph. `errors` holds one "file:line:col: message" per problem
/// (a file that cannot be read gives "file: message"); what() joins them with '\n'.
class GraphError : public std::runtime_error {
 public:
  explicit GraphError(std::vector<std::string> errors);
  std::vector<std::string> errors;
};

/// Pass 1, no plugins needed: reads and parses the file, validates [bot] and [plugins] and
/// that the top level holds only [bot], [plugins], [[connector]], [[strategy]], [[risk]] and
/// [[notifier]]. Component tables are left for validate_graph.
/// Throws GraphError for an unreadable file, malformed TOML, or any error in the above.
Graph parse_graph(const std::filesystem::path& file);

/// Pass 2: validates every component table -- host keys (name, type, connector, instruments,
/// timeframe, on), that each type is known and of the table's kind, and each other key against
/// the type's schema -- and fills the Node vectors (Node::config with defaults filled in).
/// Collects all errors, then throws GraphError; on success `g` is complete.
/// Precondition: `g` comes from parse_graph (std::logic_error otherwise).
void validate_graph(Graph& g, const SchemaLookup& lookup);

}  // namespace tradehost::graph
