#include "store/schema.hpp"

namespace tradehost::store::schema {
namespace {

// Version 1. Notes on choices:
// - Decimal TEXT for prices/quantities/money, INTEGER ns for times (see store/rows.hpp).
// - State and side columns carry CHECK lists, so a bug upstream cannot journal a state that
//   crash recovery would not understand. They are written as OR chains, not IN lists: SQLite
//   evaluates `x IN (a, b, c)` through a temporary B-tree (OpenEphemeral) built for every row
//   written, which made insert_order 2.5x slower (71 vs 28 us wall clock on a loaded VM); OR
//   chains are plain comparisons.
// - orders_open is a partial index: crash recovery asks for the few open orders among
//   possibly millions of finished ones.
// - equity and positions are WITHOUT ROWID: small rows with a natural key, one B-tree instead
//   of two per insert, which matters for the per-bar equity rows of a backtest.
// - order_events ids: rowids, increasing because journal rows are never deleted (no
//   AUTOINCREMENT: it costs a sqlite_sequence read and write per journal row).
constexpr std::string_view kV0ToV1 = R"sql(
CREATE TABLE runs (
  run_id        INTEGER PRIMARY KEY,
  bot           TEXT    NOT NULL,
  mode          TEXT    NOT NULL CHECK (mode = 'backtest' OR mode = 'paper' OR mode = 'live'),
  config_path   TEXT    NOT NULL,
  config_sha256 TEXT,
  started_ns    INTEGER NOT NULL,
  finished_ns   INTEGER,
  status        TEXT    NOT NULL DEFAULT 'running'
                CHECK (status = 'running' OR status = 'completed' OR status = 'failed' OR
                       status = 'stopped'),
  error         TEXT,
  summary_json  TEXT
);
CREATE INDEX runs_by_bot ON runs (bot, run_id);

CREATE TABLE plugins (
  run_id   INTEGER NOT NULL REFERENCES runs (run_id),
  name     TEXT    NOT NULL,
  version  TEXT    NOT NULL,
  abi      TEXT    NOT NULL,
  file     TEXT    NOT NULL,
  build_id TEXT    NOT NULL
);
CREATE INDEX plugins_by_run ON plugins (run_id);

CREATE TABLE orders (
  order_id        INTEGER NOT NULL,
  run_id          INTEGER NOT NULL REFERENCES runs (run_id),
  client_order_id TEXT    NOT NULL UNIQUE,
  strategy        TEXT    NOT NULL,
  instrument      TEXT    NOT NULL,
  side            TEXT    NOT NULL CHECK (side = 'buy' OR side = 'sell'),
  type            TEXT    NOT NULL,
  tif             TEXT    NOT NULL,
  qty             TEXT    NOT NULL,
  price           TEXT,
  trigger_price   TEXT,
  tag             TEXT    NOT NULL DEFAULT '',
  state           TEXT    NOT NULL
                  CHECK (state = 'PENDING_NEW' OR state = 'NEW' OR state = 'PARTIALLY_FILLED' OR
                         state = 'FILLED' OR state = 'CANCELED' OR state = 'REJECTED' OR
                         state = 'EXPIRED'),
  filled_qty      TEXT    NOT NULL,
  avg_fill_price  TEXT,
  reason          TEXT,
  created_ns      INTEGER NOT NULL,
  updated_ns      INTEGER NOT NULL,
  PRIMARY KEY (run_id, order_id)
);
CREATE INDEX orders_open ON orders (run_id, order_id)
  WHERE state = 'PENDING_NEW' OR state = 'NEW' OR state = 'PARTIALLY_FILLED';

CREATE TABLE order_events (
  event_id   INTEGER PRIMARY KEY,
  run_id     INTEGER NOT NULL,
  order_id   INTEGER NOT NULL,
  ts_ns      INTEGER NOT NULL,
  from_state TEXT
             CHECK (from_state = 'PENDING_NEW' OR from_state = 'NEW' OR
                    from_state = 'PARTIALLY_FILLED' OR from_state = 'FILLED' OR
                    from_state = 'CANCELED' OR from_state = 'REJECTED' OR
                    from_state = 'EXPIRED'),
  to_state   TEXT    NOT NULL
             CHECK (to_state = 'PENDING_NEW' OR to_state = 'NEW' OR
                    to_state = 'PARTIALLY_FILLED' OR to_state = 'FILLED' OR
                    to_state = 'CANCELED' OR to_state = 'REJECTED' OR to_state = 'EXPIRED'),
  filled_qty TEXT    NOT NULL,
  reason     TEXT,
  FOREIGN KEY (run_id, order_id) REFERENCES orders (run_id, order_id)
);
CREATE INDEX order_events_by_order ON order_events (run_id, order_id);

CREATE TABLE fills (
  fill_id         INTEGER PRIMARY KEY,
  run_id          INTEGER NOT NULL,
  order_id        INTEGER NOT NULL,
  client_order_id TEXT    NOT NULL,
  trade_id        TEXT    NOT NULL,
  ts_ns           INTEGER NOT NULL,
  instrument      TEXT    NOT NULL,
  side            TEXT    NOT NULL CHECK (side = 'buy' OR side = 'sell'),
  price           TEXT    NOT NULL,
  qty             TEXT    NOT NULL,
  fee             TEXT    NOT NULL,
  fee_asset       TEXT    NOT NULL,
  liquidity       TEXT    NOT NULL,
  FOREIGN KEY (run_id, order_id) REFERENCES orders (run_id, order_id)
);
CREATE INDEX fills_by_run ON fills (run_id);

CREATE TABLE positions (
  run_id          INTEGER NOT NULL REFERENCES runs (run_id),
  instrument      TEXT    NOT NULL,
  qty             TEXT    NOT NULL,
  avg_entry_price TEXT    NOT NULL,
  realized_pnl    TEXT    NOT NULL,
  updated_ns      INTEGER NOT NULL,
  PRIMARY KEY (run_id, instrument)
) WITHOUT ROWID;

CREATE TABLE decisions (
  decision_id  INTEGER PRIMARY KEY,
  run_id       INTEGER NOT NULL REFERENCES runs (run_id),
  ts_ns        INTEGER NOT NULL,
  strategy     TEXT    NOT NULL,
  instrument   TEXT    NOT NULL,
  action       TEXT    NOT NULL CHECK (action = 'buy' OR action = 'sell' OR action = 'hold'),
  reason       TEXT    NOT NULL,
  inputs_json  TEXT    NOT NULL,
  order_id     INTEGER,
  risk_verdict TEXT    CHECK (risk_verdict = 'approved' OR
                              (substr(risk_verdict, 1, 10) = 'rejected: ' AND
                               length(risk_verdict) > 10)),
  FOREIGN KEY (run_id, order_id) REFERENCES orders (run_id, order_id)
);
CREATE INDEX decisions_by_time ON decisions (run_id, ts_ns);

CREATE TABLE equity (
  run_id INTEGER NOT NULL REFERENCES runs (run_id),
  ts_ns  INTEGER NOT NULL,
  equity TEXT    NOT NULL,
  cash   TEXT    NOT NULL,
  PRIMARY KEY (run_id, ts_ns)
) WITHOUT ROWID;

CREATE TABLE rejections (
  rejection_id INTEGER PRIMARY KEY,
  run_id       INTEGER NOT NULL REFERENCES runs (run_id),
  ts_ns        INTEGER NOT NULL,
  strategy     TEXT    NOT NULL,
  instrument   TEXT    NOT NULL,
  rule         TEXT    NOT NULL,
  reason       TEXT    NOT NULL,
  order_json   TEXT    NOT NULL
);
CREATE INDEX rejections_by_run ON rejections (run_id, ts_ns);
)sql";

// Version 2: the audit of strategy hot reloads (paper mode). One row per attempt, applied or
// not, with the build ids of the running library and of its replacement, so "which code made
// this decision" stays answerable after a reload (join decisions.ts_ns against reloads.ts_ns).
constexpr std::string_view kV1ToV2 = R"sql(
CREATE TABLE reloads (
  reload_id    INTEGER PRIMARY KEY,
  run_id       INTEGER NOT NULL REFERENCES runs (run_id),
  ts_ns        INTEGER NOT NULL,
  strategy     TEXT    NOT NULL,
  file         TEXT    NOT NULL,
  old_build_id TEXT    NOT NULL,
  new_build_id TEXT    NOT NULL,
  outcome      TEXT    NOT NULL CHECK (outcome = 'applied' OR outcome = 'failed'),
  reason       TEXT
);
CREATE INDEX reloads_by_run ON reloads (run_id, ts_ns);
)sql";

// Version 3: the kill switch, persisted per bot and mode so it survives a restart, with the
// audit of every transition; and the repairs a restart's reconciliation made.
constexpr std::string_view kV2ToV3 = R"sql(
CREATE TABLE kill_switch (
  bot      TEXT    NOT NULL,
  mode     TEXT    NOT NULL,
  state    TEXT    NOT NULL CHECK (state = 'ACTIVE' OR state = 'REDUCING' OR state = 'HALTED'),
  since_ns INTEGER NOT NULL,
  source   TEXT    NOT NULL,
  reason   TEXT    NOT NULL,
  PRIMARY KEY (bot, mode)
) WITHOUT ROWID;
CREATE TABLE kill_switch_events (
  event_id   INTEGER PRIMARY KEY,
  bot        TEXT    NOT NULL,
  mode       TEXT    NOT NULL,
  run_id     INTEGER NOT NULL REFERENCES runs (run_id),
  ts_ns      INTEGER NOT NULL,
  from_state TEXT    NOT NULL,
  to_state   TEXT    NOT NULL CHECK (to_state = 'ACTIVE' OR to_state = 'REDUCING' OR to_state = 'HALTED'),
  source     TEXT    NOT NULL,
  reason     TEXT    NOT NULL
);
CREATE INDEX kill_switch_events_by_run ON kill_switch_events (run_id, event_id);
CREATE TABLE repairs (
  repair_id INTEGER PRIMARY KEY,
  run_id    INTEGER NOT NULL REFERENCES runs (run_id),
  ts_ns     INTEGER NOT NULL,
  kind      TEXT    NOT NULL,
  subject   TEXT    NOT NULL,
  detail    TEXT    NOT NULL
);
CREATE INDEX repairs_by_run ON repairs (run_id, repair_id);
)sql";

}  // namespace

std::string_view migration(int from) {
  switch (from) {
    case 0:
      return kV0ToV1;
    case 1:
      return kV1ToV2;
    case 2:
      return kV2ToV3;
    default:
      return {};
  }
}

}  // namespace tradehost::store::schema
