// The rows of the state database (schema v1, store/schema.cpp), as plain structs.
//
// Units everywhere: times are int64 nanoseconds since the Unix epoch, UTC. Prices, quantities
// and money are exact decimal TEXT the caller formats from its fixed-point integers ("16727.3",
// "0.00150000"), never floats: the database is read by people. std::optional is SQL NULL.
#pragma once

#include <tradehost/plugin.h>

#include <cstdint>
#include <optional>
#include <string>

namespace tradehost::store {

/// One run of a bot (one `tradehost run|backtest` invocation).
struct RunRow {
  int64_t run_id = 0;  // assigned by Store::begin_run; ignored on input
  std::string bot;     // [bot] name
  std::string mode;    // "backtest" | "paper" | "live"
  std::string config_path;
  std::optional<std::string> config_sha256;  // hex digest of the TOML as loaded
  int64_t started_ns = 0;
  std::optional<int64_t> finished_ns;
  std::string status = "running";  // "running" | "completed" | "failed" | "stopped"
  std::optional<std::string> error;
  std::optional<std::string> summary_json;
};

/// A plugin library loaded for a run: what code produced the decisions.
struct PluginRow {
  int64_t run_id = 0;
  std::string name;      // plugin name from its info
  std::string version;   // plugin's own version
  std::string abi;       // negotiated ABI, "1.0"
  std::string file;      // path of the loaded .so (the original, not the shadow copy)
  std::string build_id;  // GNU build-id or file hash; "" when unknown
};

/// An order as the host knows it. insert_order writes it (normally in PENDING_NEW, before it is
/// sent: write-ahead); record_transition moves it.
struct OrderRow {
  int64_t run_id = 0;
  int64_t order_id = 0;                      // host id, unique within the run
  std::string client_order_id;               // unique across all runs of the database
  std::string strategy;                      // graph node name
  std::string instrument;                    // unified symbol "BTC/USDT"
  std::string side;                          // "buy" | "sell"
  std::string type;                          // "market", "limit", "stop_limit", ...
  std::string tif;                           // "GTC", "IOC", "FOK", "GTX"
  std::string qty;                           // base asset, decimal text
  std::optional<std::string> price;          // limit price; NULL for market orders
  std::optional<std::string> trigger_price;  // stop/take-profit trigger
  std::string tag;                           // the strategy's own label
  int32_t state = TH_ORDER_PENDING_NEW;      // TH_ORDER_*; stored as its name
  std::string filled_qty = "0";
  std::optional<std::string> avg_fill_price;
  std::optional<std::string> reason;  // last rejection/cancel reason
  int64_t created_ns = 0;
  int64_t updated_ns = 0;
};

/// One journal entry: one transition of one order. The first entry of an order (written by
/// insert_order) has no from_state.
struct OrderEventRow {
  int64_t event_id = 0;  // strictly increasing (journal rows are never deleted)
  int64_t run_id = 0;
  int64_t order_id = 0;
  int64_t ts_ns = 0;
  std::optional<int32_t> from_state;  // TH_ORDER_*
  int32_t to_state = 0;               // TH_ORDER_*
  std::string filled_qty;
  std::optional<std::string> reason;
};

/// One execution of an order.
struct FillRow {
  int64_t fill_id = 0;  // assigned by Store::record_fill; ignored on input
  int64_t run_id = 0;
  int64_t order_id = 0;
  std::string client_order_id;
  std::string trade_id;  // venue trade id (simulator: "sim-<n>")
  int64_t ts_ns = 0;
  std::string instrument;
  std::string side;  // "buy" | "sell"
  std::string price;
  std::string qty;
  std::string fee;  // in fee_asset
  std::string fee_asset;
  std::string liquidity;  // "maker" | "taker"
};

/// The position in one instrument after a change (upserted: one row per run and instrument).
struct PositionRow {
  int64_t run_id = 0;
  std::string instrument;
  std::string qty;              // signed, long > 0
  std::string avg_entry_price;  // "0" when flat
  std::string realized_pnl;     // quote currency
  int64_t updated_ns = 0;
};

/// A strategy decision with its inputs, so the audit log can answer "why".
struct DecisionRow {
  int64_t decision_id = 0;  // assigned by Store::record_decision
  int64_t run_id = 0;
  int64_t ts_ns = 0;
  std::string strategy;
  std::string instrument;
  std::string action;  // "buy" | "sell" | "hold"
  std::string reason;
  std::string inputs_json;                  // indicator values etc., a JSON object
  std::optional<int64_t> order_id;          // the order it produced, if any
  std::optional<std::string> risk_verdict;  // "approved" | "rejected: <reason>"
};

/// An order stopped by the risk chain or by validation.
struct RejectionRow {
  int64_t run_id = 0;
  int64_t ts_ns = 0;
  std::string strategy;
  std::string instrument;
  std::string rule;  // risk rule instance name, or "validation"
  std::string reason;
  std::string order_json;  // the request as the strategy made it
};

/// One hot-reload attempt of a strategy (paper mode): which library was running, which one was
/// offered, and whether the switch happened. Build ids are "<plugin build id>/<file hash>" as in
/// the plugins table ("<file hash>" alone when the plugin declares none).
struct ReloadRow {
  int64_t run_id = 0;
  int64_t ts_ns = 0;         // loop clock when the attempt ended
  std::string strategy;      // graph node name
  std::string file;          // the watched library (the original path, not the shadow copy)
  std::string old_build_id;  // of the library that was running
  std::string new_build_id;  // of the replacement; "" when it could not be read at all
  std::string outcome;       // "applied" | "failed"
  std::optional<std::string> reason;  // why it failed
};

/// The kill switch of one bot in one mode (schema v3): what survives a restart.
struct KillSwitchRow {
  std::string bot;
  std::string mode;    // "paper" | "live" (backtests do not persist it)
  std::string state;   // "ACTIVE" | "REDUCING" | "HALTED"
  int64_t since_ns = 0;
  std::string source;  // what moved it last: "api", "file", "signal", "risk:<node>", ...
  std::string reason;
};

/// One audited transition of a kill switch (schema v3).
struct KillSwitchEventRow {
  int64_t event_id = 0;  // assigned by the store
  std::string bot;
  std::string mode;
  int64_t run_id = 0;    // the run that made it
  int64_t ts_ns = 0;
  std::string from_state, to_state;
  std::string source;
  std::string reason;
};

/// Something a restart's reconciliation changed in the host's state (schema v3): an order state
/// learnt from the venue, a fill that arrived while the host was down, an order the venue does
/// not know, a cancel left over from a halt.
struct RepairRow {
  int64_t run_id = 0;
  int64_t ts_ns = 0;
  std::string kind;     // "order_state" | "missed_fill" | "halt_cancel" | "position"
  std::string subject;  // client order id or instrument
  std::string detail;
};

}  // namespace tradehost::store
