/* tradehost/plugin.h -- the tradehost plugin C ABI. Pure C99; depends only on <stddef.h>/<stdint.h>.
 *
 * ABI CHANGELOG (append a line for every change; never renumber, reorder or retype)
 *   1.0  Initial: entry symbol th_plugin_entry, host services table, components (connector,
 *        strategy, risk, notifier), events, orders, declared config schemas.
 *   1.1  th_config_field: `unit` appended (the value's unit; empty = none); sizeof 64 -> 80. The
 *        fields of a 1.0 plugin read as unitless.
 *   1.2  Networking and secrets owned by the host: th_host_api gains http_request, http_cancel,
 *        rate_budget, ws_open, ws_send, ws_close, credential_api_key, sign (184 -> 248 bytes);
 *        th_component gains on_http, on_ws (112 -> 128); new th_http_request, th_http_response;
 *        config flag TH_CFG_CREDENTIAL. A 1.0/1.1 plugin reads the new callbacks as NULL.
 *   1.3  Live order routing: th_connector_ops gains `query` (64 -> 72 bytes); the contract of
 *        submit/cancel/reconcile and of the order, fill and balance events a venue emits is
 *        written out below (LIVE VENUES). A 1.2 connector reads `query` as NULL. Order books:
 *        new th_book_level and th_ev_book for TH_EV_BOOK_SNAPSHOT / TH_EV_BOOK_DELTA.
 *   1.4  The kill switch: th_host_api gains kill_switch and kill_state (248 -> 264 bytes);
 *        TH_KILL_ACTIVE / TH_KILL_REDUCING / TH_KILL_HALTED.
 *
 * COMPATIBILITY  Append-only. Every struct that crosses the boundary starts with `struct_size` =
 *   sizeof as compiled by its WRITER. The reader copies min(struct_size, own sizeof) into a zeroed
 *   local, so fields the writer did not know read as 0/NULL. A host refuses a plugin whose ABI
 *   major differs; a plugin built against a newer minor than the host is refused too, because it
 *   may call services the host's table does not have (it may degrade itself instead by checking
 *   th_host_api.struct_size before calling an appended service). Arrays of boundary structs travel
 *   as arrays of POINTERS, so growth never changes a stride. Padding is spelled out (`reserved`).
 * THREADING      Every call in either direction runs on the host loop thread unless marked
 *   "any thread". Callbacks must not block: no sleeps, no synchronous network or disk I/O.
 * OWNERSHIP      th_str / th_bytes passed to a callback are BORROWED for that call: copy to keep.
 *   "static" = valid until the library is unloaded (string literals, const globals).
 *   "host-owned" = valid as stated next to the function that returns it.
 * ERRORS         Fallible calls return th_status. Nothing unwinds across the boundary: C++ plugins
 *   catch everything at every entry point (tradehost/plugin.hpp does it) and return
 *   TH_ERR_INTERNAL.
 * UNITS          Time: int64 nanoseconds since the Unix epoch, UTC (th_time_ns), always from
 *   host->now(). Prices and quantities: th_fixed integers at the instrument's price_scale and
 *   qty_scale (price = raw / 10^price_scale). Account money (cash, PnL, fees, equity, notional
 *   limits): th_fixed at TH_MONEY_SCALE in the instrument's quote currency.                      */
#ifndef TRADEHOST_PLUGIN_H
#define TRADEHOST_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#define TH_ABI_MAJOR 1u /* breaking change: the host refuses a plugin whose major differs        */
#define TH_ABI_MINOR 4u /* bumped whenever a field, function or enum value is appended            */
#define TH_ABI_VERSION ((TH_ABI_MAJOR << 16) | TH_ABI_MINOR)
#define TH_ABI_VERSION_MAJOR(v) ((uint32_t)(v) >> 16)
#define TH_ABI_VERSION_MINOR(v) ((uint32_t)(v)&0xFFFFu)

#if defined(_WIN32)
#define TH_EXPORT __declspec(dllexport)
#else
#define TH_EXPORT __attribute__((visibility("default"))) /* plugins build -fvisibility=hidden */
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Status codes: fixed width on the wire (a C enum is not); never renumbered. ------------- */
typedef int32_t th_status;
#define TH_OK 0
#define TH_ERR_INVALID_ARG 1
#define TH_ERR_NOT_FOUND 2   /* also "no more events" from replay_next                          */
#define TH_ERR_UNSUPPORTED 3
#define TH_ERR_NOT_READY 4
#define TH_ERR_REJECTED 5    /* a risk rule or the venue said no; a reason comes with it         */
#define TH_ERR_IO 6
#define TH_ERR_INTERNAL 7    /* includes "an exception was caught at the boundary"              */
#define TH_ERR_RETRY 8       /* transient (429, 5xx, reconnecting): the caller may retry later   */

/* ---- Basic types ----------------------------------------------------------------------------- */
typedef struct th_str {
  const char* ptr; /* UTF-8, NOT NUL-terminated; may be NULL when len == 0 */
  size_t len;
} th_str;
typedef struct th_bytes {
  const uint8_t* ptr;
  size_t len;
} th_bytes;
typedef int64_t th_time_ns;          /* nanoseconds since the Unix epoch, UTC                     */
typedef int64_t th_fixed;            /* value * 10^scale; the scale is stated where it is used    */
typedef uint32_t th_instrument_id;   /* host-assigned, dense from 1, stable for the process       */
typedef struct th_instance th_instance; /* opaque host handle: one configured graph node          */
typedef struct th_module th_module;     /* opaque host handle: one loaded shared library          */

#define TH_MONEY_SCALE 8 /* scale of account money: cash, PnL, fees, equity, notional limits      */

/* ---- Instruments ----------------------------------------------------------------------------- */
enum { TH_INST_SPOT = 1, TH_INST_PERPETUAL = 2, TH_INST_FUTURE = 3 };
typedef struct th_instrument { /* defined by a connector; the host keeps its own copy           */
  uint32_t struct_size;
  th_instrument_id id;         /* assigned by define_instrument; ignored on input               */
  th_str venue;                /* "binance"                                                      */
  th_str symbol;               /* unified "BASE/QUOTE" ("BTC/USDT"; perpetual "BTC/USDT:USDT")  */
  th_str native_symbol;        /* the venue's own ("BTCUSDT")                                    */
  th_str base, quote, settle;  /* "BTC", "USDT", "" (settle empty for spot)                       */
  int32_t price_scale;         /* price = raw / 10^price_scale; 0..18                             */
  int32_t qty_scale;           /* qty = raw / 10^qty_scale; 0..18                                 */
  th_fixed tick_size;          /* at price_scale; every price is a multiple (Binance PRICE_FILTER) */
  th_fixed lot_size;           /* at qty_scale; every qty is a multiple (Binance LOT_SIZE stepSize) */
  th_fixed min_qty;            /* at qty_scale; 0 = none (Binance LOT_SIZE minQty)                */
  th_fixed min_notional;       /* at TH_MONEY_SCALE; 0 = none (Binance MIN_NOTIONAL / NOTIONAL)   */
  int32_t kind;                /* TH_INST_*                                                       */
  int32_t reserved;
} th_instrument;

/* ---- Events: a common header first; consumers switch on `type`, then cast. ------------------ */
enum {
  TH_EV_TRADE = 1,
  TH_EV_QUOTE = 2,
  TH_EV_BOOK_DELTA = 3,
  TH_EV_BOOK_SNAPSHOT = 4,
  TH_EV_BAR = 5,
  TH_EV_ORDER = 6,
  TH_EV_FILL = 7,
  TH_EV_POSITION = 8,
  TH_EV_BALANCE = 9,
  TH_EV_STATUS = 10,
  TH_EV_INSTRUMENT = 11
};
#define TH_EV_MASK(t) (1u << (t)) /* subscribe() event_mask bits */

typedef struct th_event {
  uint32_t struct_size; /* sizeof the whole concrete event as written, header included          */
  uint32_t type;        /* TH_EV_*                                                              */
  th_time_ns ts_event;  /* venue time of the event (bar: its CLOSE time, when it became known)  */
  th_time_ns ts_recv;   /* host receive time (replay: equal to ts_event)                        */
  th_instrument_id instrument; /* 0 when the event concerns no instrument                     */
  uint32_t reserved;
} th_event;

/* A completed OHLCV bar (candle). Delivered once, when the bar has closed: ts_event =
 * open_time + interval_ns. Prices at price_scale, volume at qty_scale (base asset).            */
typedef struct th_ev_bar {
  th_event h;
  th_time_ns open_time;
  int64_t interval_ns;
  th_fixed open, high, low, close, volume;
} th_ev_bar;

enum { TH_SIDE_BUY = 1, TH_SIDE_SELL = 2 };

/* A public trade. price at price_scale, qty at qty_scale; aggressor_side TH_SIDE_* or 0.        */
typedef struct th_ev_trade {
  th_event h;
  th_fixed price, qty;
  int32_t aggressor_side, reserved;
} th_ev_trade;

/* Best bid/ask. Prices at price_scale, quantities at qty_scale.                                */
typedef struct th_ev_quote {
  th_event h;
  th_fixed bid_price, bid_qty, ask_price, ask_qty;
} th_ev_quote;

/* 1.3: one price level of an order book. price at price_scale, qty at qty_scale.               */
typedef struct th_book_level {
  th_fixed price, qty;
} th_book_level;

/* 1.3: an L2 order book, type TH_EV_BOOK_SNAPSHOT or TH_EV_BOOK_DELTA.
 * SNAPSHOT: the whole book as the connector keeps it (its configured depth), best level first;
 *   sent after every (re)synchronisation with the venue, so it REPLACES what the consumer had:
 *   no level of an earlier book survives it.
 * DELTA: levels that changed since the previous event, in any order; qty 0 = the level is gone.
 *   Changes are counted within the configured depth: a level entering it comes with its qty, one
 *   pushed out of it comes with qty 0 (though it may still rest at the venue), so applying the
 *   SNAPSHOT and every DELTA in order yields exactly the connector's book at that depth.
 * A connector that loses the venue's sequence (a gap, a dropped stream) sends nothing until it
 * has resynchronised, then a SNAPSHOT. The arrays are BORROWED for the callback: copy to keep
 * (tradehost/order_book.hpp applies both kinds). update_id: the venue's sequence number of the
 * last change included (Binance: lastUpdateId, then each diff's u).                              */
typedef struct th_ev_book {
  th_event h;
  uint64_t update_id;
  const th_book_level* bids;
  const th_book_level* asks;
  uint32_t bid_count, ask_count;
} th_ev_book;

/* Order states (th_ev_order.state). Legal transitions: PENDING_NEW -> NEW | REJECTED;
 * NEW -> PARTIALLY_FILLED | FILLED | CANCELED | EXPIRED; PARTIALLY_FILLED -> PARTIALLY_FILLED |
 * FILLED | CANCELED | EXPIRED. FILLED, CANCELED, REJECTED and EXPIRED are final.                */
enum {
  TH_ORDER_PENDING_NEW = 1,
  TH_ORDER_NEW = 2,
  TH_ORDER_PARTIALLY_FILLED = 3,
  TH_ORDER_FILLED = 4,
  TH_ORDER_CANCELED = 5,
  TH_ORDER_REJECTED = 6,
  TH_ORDER_EXPIRED = 7
};
enum {
  TH_ORD_MARKET = 1,
  TH_ORD_LIMIT = 2,
  TH_ORD_STOP_MARKET = 3,
  TH_ORD_STOP_LIMIT = 4,
  TH_ORD_TAKE_PROFIT_MARKET = 5,
  TH_ORD_TAKE_PROFIT_LIMIT = 6,
  TH_ORD_TRAILING_STOP = 7
};
enum { TH_TIF_GTC = 1, TH_TIF_IOC = 2, TH_TIF_FOK = 3, TH_TIF_GTX = 4 /* post-only */ };
enum { TH_OF_REDUCE_ONLY = 1u << 0, TH_OF_POST_ONLY = 1u << 1 };

/* An order's new state. Strings are borrowed for the callback. Quantities at qty_scale,
 * prices at price_scale.                                                                        */
typedef struct th_ev_order {
  th_event h;
  uint64_t order_id;           /* host id                                                        */
  th_str client_order_id;      /* venue-safe id the host generated                               */
  th_str venue_order_id;       /* empty until the venue acknowledged                             */
  int32_t state;               /* TH_ORDER_*                                                     */
  int32_t side;                /* TH_SIDE_*                                                      */
  int32_t order_type;          /* TH_ORD_*                                                       */
  int32_t reserved;
  th_fixed qty, price, filled_qty, avg_fill_price;
  th_str reason;               /* why: rejection or cancel reason; empty otherwise               */
} th_ev_order;

enum { TH_LIQ_MAKER = 1, TH_LIQ_TAKER = 2 };
/* One execution of an order. price at price_scale, qty at qty_scale; fee at TH_MONEY_SCALE in
 * fee_asset.                                                                                     */
typedef struct th_ev_fill {
  th_event h;
  uint64_t order_id;
  th_str client_order_id;
  th_str trade_id;             /* venue trade id (simulator: "sim-<n>")                          */
  int32_t side, liquidity;     /* TH_SIDE_*, TH_LIQ_*                                             */
  th_fixed price, qty, fee;
  th_str fee_asset;
} th_ev_fill;

/* The host's position in an instrument after a change. qty signed (long > 0) at qty_scale;
 * avg_entry_price at price_scale; PnL at TH_MONEY_SCALE in the quote currency.                 */
typedef struct th_ev_position {
  th_event h;
  th_fixed qty, avg_entry_price, realized_pnl, unrealized_pnl;
} th_ev_position;

/* An asset balance. Amounts at TH_MONEY_SCALE.                                                  */
typedef struct th_ev_balance {
  th_event h;
  th_str asset;
  th_fixed free, locked;
} th_ev_balance;

enum {
  TH_STATUS_READY = 1,         /* a connector's instruments are defined                          */
  TH_STATUS_RECONCILED = 2,
  TH_STATUS_DISCONNECTED = 3,
  TH_STATUS_END_OF_DATA = 4,   /* a replay source has no more events                             */
  TH_STATUS_ERROR = 5
};
typedef struct th_ev_status {
  th_event h;
  int32_t code, reserved;      /* TH_STATUS_*                                                    */
  th_str message;
} th_ev_status;

/* ---- Orders ---------------------------------------------------------------------------------- */
typedef struct th_order_request { /* what a strategy asks for                                    */
  uint32_t struct_size;
  th_instrument_id instrument;
  int32_t side, type, tif;     /* TH_SIDE_*, TH_ORD_*, TH_TIF_* (0 = GTC)                         */
  uint32_t flags;              /* TH_OF_*                                                         */
  th_fixed qty;                /* > 0, a multiple of lot_size, at qty_scale                       */
  th_fixed price;              /* limit price at price_scale; ignored for market/stop-market      */
  th_fixed trigger_price;      /* stop/take-profit trigger at price_scale; else ignored           */
  th_str tag;                  /* the strategy's own label, stored with the order                 */
} th_order_request;

typedef struct th_order {      /* what the host hands a connector                                 */
  uint32_t struct_size, reserved;
  th_order_request req;
  uint64_t order_id;           /* host id                                                         */
  th_str client_order_id;      /* venue-safe, deterministic <bot>-<run>-<seq>; idempotency key    */
} th_order;

/* Read-only views the host gives risk rules and strategies.                                     */
typedef struct th_position_info {
  uint32_t struct_size, reserved;
  th_fixed qty;                /* signed, at qty_scale                                            */
  th_fixed avg_entry_price;    /* at price_scale; 0 when flat                                     */
  th_fixed realized_pnl;       /* TH_MONEY_SCALE, quote currency, since the run started           */
  th_fixed unrealized_pnl;     /* TH_MONEY_SCALE, at the last market price                        */
} th_position_info;

typedef struct th_account_info {
  uint32_t struct_size, reserved;
  th_fixed cash;               /* TH_MONEY_SCALE, quote currency                                  */
  th_fixed equity;             /* cash + marked value of positions                                */
  th_fixed fees_paid;          /* since the run started                                           */
  th_fixed realized_pnl;       /* since the run started, after fees                               */
} th_account_info;

/* ---- Config schema (declared by each component; the host validates TOML before create) ------ */
enum {
  TH_CFG_STR = 1,
  TH_CFG_I64 = 2,
  TH_CFG_F64 = 3,              /* accepts TOML integers too                                       */
  TH_CFG_BOOL = 4,
  TH_CFG_DECIMAL = 5,          /* a TOML string or number holding an exact decimal ("0.01")       */
  TH_CFG_DURATION = 6,         /* "500ms", "5s", "5m", "1h", "1d"; read with config_i64 as ns     */
  TH_CFG_STR_LIST = 7          /* array of strings; read with config_list_len/config_list_str     */
};
enum {
  TH_CFG_REQUIRED = 1u << 0,
  TH_CFG_SECRET = 1u << 1,     /* never logged or echoed                                          */
  /* 1.2: a TH_CFG_STR naming an entry of the host's credential store (`tradehost credentials`):
   * the credential that credential_api_key and sign use for this instance. The host checks the
   * entry exists before the run starts. At most one per component.                              */
  TH_CFG_CREDENTIAL = 1u << 2
};
typedef struct th_config_field {
  uint32_t struct_size, type;  /* TH_CFG_*                                                        */
  th_str key;                  /* static                                                          */
  th_str default_value;        /* static; TOML literal text, empty = no default                   */
  th_str description;          /* static; what the key does (1.0 plugins say the unit here too)   */
  uint32_t flags, reserved;    /* TH_CFG_*                                                        */
  /* 1.1: static; the unit of the value as a reader would write it: "bps", "fraction of equity",
   * "USDT", "quote currency", "bars", "ns". Empty = none (unitless, or a 1.0 plugin).            */
  th_str unit;
} th_config_field;

/* ---- Networking (1.2). The host owns sockets, TLS (system CA store, SNI), keep-alive pooling,
 * rate-limit budgets and reconnects; a plugin describes what it wants and gets the outcome later,
 * on the loop, through th_component.on_http / on_ws. Nothing here blocks.                      */
enum { TH_HTTP_GET = 1, TH_HTTP_POST = 2, TH_HTTP_PUT = 3, TH_HTTP_DELETE = 4 };
enum {
  /* th_http_request.flags. Whether a request broken by a dropped keep-alive connection may be
   * resent on a fresh one: by default GET/PUT/DELETE may, POST may not (an order POST that
   * reached the venue must never be sent twice). These override the default.                  */
  TH_HTTP_IDEMPOTENT = 1u << 0,
  TH_HTTP_NOT_IDEMPOTENT = 1u << 1
};
typedef struct th_http_request {
  uint32_t struct_size;
  int32_t method;              /* TH_HTTP_GET..DELETE                                              */
  th_str url;                  /* absolute http:// or https:// URL, query string included         */
  th_str headers;              /* "Name: value" lines separated by CRLF (or LF); may be empty. The
                                  host adds Host, User-Agent and Content-Length.                  */
  th_bytes body;
  th_str venue;                /* whose 429 (Retry-After) and 418 answers hold this request, e.g.
                                  "binance-spot"; empty = not rate limited at all                 */
  th_str budgets;              /* "name=weight" items separated by ',': the rate_budget()s it
                                  spends, e.g. "binance-spot:REQUEST_WEIGHT:1m=4"; may be empty   */
  uint32_t timeout_ms;         /* the whole exchange once admitted by the budgets; 0 = 10000      */
  uint32_t flags;              /* TH_HTTP_IDEMPOTENT / TH_HTTP_NOT_IDEMPOTENT                      */
} th_http_request;

enum {
  /* th_http_response.flags: no response, but some bytes of the request went out, so the server
   * may have acted on it. For an order: look it up by its client order id before anything else. */
  TH_HTTP_MAYBE_SENT = 1u << 0
};
/* The outcome of one http_request. Borrowed for the on_http call.                              */
typedef struct th_http_response {
  uint32_t struct_size;
  int32_t status;              /* HTTP status; 0 when no response arrived                          */
  th_status error;             /* TH_OK: a response arrived (any status, 4xx/5xx included).
                                  TH_ERR_INVALID_ARG: malformed request, never sent.
                                  TH_ERR_IO: resolve, connect, TLS or connection failure.
                                  TH_ERR_RETRY: timed out, or cancelled.
                                  TH_ERR_REJECTED: the venue banned us (HTTP 418), never sent.     */
  uint32_t flags;              /* TH_HTTP_MAYBE_SENT                                               */
  th_str headers;              /* "Name: value" lines separated by CRLF, as received               */
  th_bytes body;
  th_str message;              /* one line for logs when error != TH_OK; empty otherwise          */
} th_http_response;

/* on_ws `what`. OPENED after every (re)connect: (re)subscribe there. CLOSED before every
 * reconnect (data: the reason); the host reconnects with exponential backoff and jitter until
 * ws_close. MESSAGE: one text frame (data).                                                     */
enum { TH_WS_OPENED = 1, TH_WS_MESSAGE = 2, TH_WS_CLOSED = 3 };

/* Signature algorithms for sign(). The output is text, as venues expect it.                    */
enum {
  TH_SIGN_HMAC_SHA256_HEX = 1, /* lowercase hex (Binance HMAC keys, SIGNED endpoints)            */
  TH_SIGN_HMAC_SHA512_HEX = 2, /* lowercase hex                                                  */
  TH_SIGN_ED25519_BASE64 = 3   /* standard base64 (Binance Ed25519 keys)                         */
};

/* ---- Services the host gives plugins. Append-only. Every function takes the calling instance
 * (NULL only inside th_plugin_entry, where only register_component and log may be called).     */
enum { TH_LOG_TRACE = 0, TH_LOG_DEBUG = 1, TH_LOG_INFO = 2, TH_LOG_WARN = 3, TH_LOG_ERROR = 4 };
enum { TH_DECISION_BUY = 1, TH_DECISION_SELL = 2, TH_DECISION_HOLD = 3 };
struct th_component;
typedef struct th_host_api {
  uint32_t struct_size, abi_version;
  /* In th_plugin_entry only. The component struct and everything it points to must be static.  */
  th_status (*register_component)(th_module* m, const struct th_component* c);
  /* Any thread. msg is copied.                                                                */
  void (*log)(th_instance* self, int32_t level, th_str msg);
  /* The loop clock: simulated (the current event's time) in backtest, wall clock otherwise.    */
  th_time_ns (*now)(th_instance* self);
  /* Config values, already validated against the declared schema. A key with no value and no
   * default gives TH_ERR_NOT_FOUND; a type mismatch TH_ERR_INVALID_ARG. Strings host-owned,
   * valid until destroy. DURATION reads through config_i64 in ns; DECIMAL through config_str.   */
  th_status (*config_str)(th_instance* self, th_str key, th_str* out);
  th_status (*config_i64)(th_instance* self, th_str key, int64_t* out);
  th_status (*config_f64)(th_instance* self, th_str key, double* out);
  th_status (*config_bool)(th_instance* self, th_str key, int32_t* out);
  th_status (*config_list_len)(th_instance* self, th_str key, size_t* out);
  th_status (*config_list_str)(th_instance* self, th_str key, size_t index, th_str* out);
  /* Instruments. define_instrument (connectors): the host copies it; TH_ERR_INVALID_ARG when a
   * filter is inconsistent (tick not positive, scale out of 0..18), and when the same venue and
   * symbol is defined differently. The returned pointer is host-owned, valid for the process.  */
  th_status (*define_instrument)(th_instance* self, const th_instrument* in, th_instrument_id* out);
  const th_instrument* (*instrument)(th_instance* self, th_instrument_id id); /* NULL if unknown */
  th_status (*find_instrument)(th_instance* self, th_str venue, th_str symbol, th_instrument_id* out);
  /* Connectors: hand a live event to the graph. Copied; dispatched on the loop.                */
  th_status (*emit)(th_instance* self, const th_event* ev);
  /* Strategies: runs the risk chain synchronously. TH_OK sets *order_id; TH_ERR_REJECTED sets
   * *reason (host-owned, valid until the next submit_order call); TH_ERR_INVALID_ARG when the
   * request itself is malformed (qty <= 0, off the lot size, price off the tick size), with a
   * reason. Outcome arrives later as TH_EV_ORDER / TH_EV_FILL events.                           */
  th_status (*submit_order)(th_instance* self, const th_order_request* req, uint64_t* order_id,
                            th_str* reason);
  th_status (*cancel_order)(th_instance* self, uint64_t order_id);
  /* Strategies: record a decision (TH_DECISION_*) with a reason and its inputs as a JSON object
   * text, in the decisions table. Copied.                                                       */
  th_status (*record_decision)(th_instance* self, th_instrument_id instrument, int32_t action,
                               th_str reason, th_str inputs_json);
  /* The host's view of positions and the account (quote currency of the instrument).           */
  th_status (*position)(th_instance* self, th_instrument_id id, th_position_info* out);
  th_status (*account)(th_instance* self, th_account_info* out);
  /* Last market price the host saw for an instrument (bar close or trade), at price_scale.
   * TH_ERR_NOT_READY before the first one.                                                      */
  th_status (*last_price)(th_instance* self, th_instrument_id id, th_fixed* out);
  /* Timers on the loop clock. Fire as on_timer(timer_id, cookie). 0 = failed.                  */
  uint64_t (*timer_start)(th_instance* self, th_time_ns period, int32_t repeat, uint64_t cookie);
  void (*timer_cancel)(th_instance* self, uint64_t timer_id);
  /* ANY THREAD: the only way back onto the loop from a plugin-owned thread; arrives as
   * on_posted(cookie).                                                                          */
  th_status (*post)(th_instance* self, uint64_t cookie);
  /* ---- 1.2: networking and secrets. Usable from start() on; results arrive through
   * th_component.on_http / on_ws, never after the instance's stop(). ------------------------ */
  /* Queues a request; returns its id (> 0), or 0 when refused at once (before start, no on_http
   * callback, a malformed request: the reason is logged). The outcome arrives exactly once as
   * on_http(request id, cookie, response).                                                      */
  uint64_t (*http_request)(th_instance* self, const th_http_request* req, uint64_t cookie);
  /* Abandons a request: on_http then reports TH_ERR_RETRY. TH_ERR_NOT_FOUND when it already
   * completed. A request already written may still have reached the server.                    */
  th_status (*http_cancel)(th_instance* self, uint64_t request_id);
  /* Declares a rate-limit budget: at most `limit` weight units in any `interval` (ns). Budgets are
   * shared by name across every instance (two connectors on one account spend one budget);
   * declaring an existing name again with other numbers is TH_ERR_INVALID_ARG. usage_header: the
   * response header carrying the venue's own count, e.g. "X-MBX-USED-WEIGHT-1M"; may be empty.  */
  th_status (*rate_budget)(th_instance* self, th_str name, th_str venue, int64_t limit,
                           th_time_ns interval, th_str usage_header);
  /* Opens a WebSocket (ws:// or wss://) kept open by the host (ping/pong, reconnect with backoff)
   * until ws_close. Returns its id (> 0), or 0 when refused at once. Events arrive as on_ws.     */
  uint64_t (*ws_open)(th_instance* self, th_str url, uint64_t cookie);
  /* Sends one text frame. TH_ERR_NOT_READY while the connection is not open.                    */
  th_status (*ws_send)(th_instance* self, uint64_t conn, th_str text);
  /* Closes for good: no more on_ws for it.                                                      */
  void (*ws_close)(th_instance* self, uint64_t conn);
  /* The public key id (e.g. the X-MBX-APIKEY value) of the instance's credential (its
   * TH_CFG_CREDENTIAL key). Host-owned, valid until destroy. TH_ERR_NOT_FOUND without one.      */
  th_status (*credential_api_key)(th_instance* self, th_str* out);
  /* Signs `payload` with the instance's credential; the secret never leaves the host. Writes the
   * signature text (TH_SIGN_*) to out; *len = its length. TH_ERR_INVALID_ARG with *len set when
   * cap is too small, or when the algorithm does not suit the credential's key type;
   * TH_ERR_NOT_FOUND without a credential.                                                      */
  th_status (*sign)(th_instance* self, int32_t algorithm, th_bytes payload, char* out, size_t cap,
                    size_t* len);
  /* ---- 1.4: the kill switch (one per bot; persisted in paper and live mode). ---------------- */
  /* Moves the bot's kill switch to a STRICTER state (TH_KILL_REDUCING: only orders that shrink a
   * position pass; TH_KILL_HALTED: every open order is cancelled, no order passes, positions are
   * flattened when [bot] flatten_on_halt says so). Audited with the caller's name and `reason`
   * (copied, required) and notified on topic "kill_switch". A risk rule calls it on a breach (daily
   * loss, drawdown), a notifier on an operator's command. TH_OK also when the switch is already
   * at least that strict; TH_ERR_REJECTED for a less strict state: resuming takes an
   * authenticated operator action (the control API), never a plugin's; TH_ERR_INVALID_ARG for an
   * unknown state or an empty reason.                                                          */
  th_status (*kill_switch)(th_instance* self, int32_t state, th_str reason);
  /* The kill switch's current state (TH_KILL_*).                                               */
  th_status (*kill_state)(th_instance* self, int32_t* out);
} th_host_api;

/* 1.4: kill switch states, from least to most strict.                                          */
enum { TH_KILL_ACTIVE = 0, TH_KILL_REDUCING = 1, TH_KILL_HALTED = 2 };

/* ---- What a plugin provides: one th_component per TOML `type`. ------------------------------ */
enum { TH_KIND_CONNECTOR = 1, TH_KIND_STRATEGY = 2, TH_KIND_RISK = 3, TH_KIND_NOTIFIER = 4 };

typedef struct th_connector_ops {
  uint32_t struct_size, reserved;
  /* Called after start(). Define instruments with host->define_instrument. Required. A historical
   * source defines them here. A live source may define them when its venue answers (e.g. after
   * an exchangeInfo request); it then emits a TH_EV_STATUS with TH_STATUS_READY (or
   * TH_STATUS_ERROR and a reason), which the host waits for (30 s) before it subscribes.         */
  th_status (*load_instruments)(void* st);
  /* Ask for events of an instrument: event_mask of TH_EV_MASK(...); bar_interval_ns for bars.
   * TH_ERR_UNSUPPORTED when the source cannot give them (e.g. another bar interval). Required.  */
  th_status (*subscribe)(void* st, th_instrument_id id, uint32_t event_mask, int64_t bar_interval_ns);
  /* LIVE VENUES (mode = "live"; NULL for connectors that only give market data, whose orders
   * then go to the host's simulator). All return at once; outcomes arrive as emitted events.
   *
   * submit: the host has journaled the order as PENDING_NEW (durably) before the call. Send it
   *   with order->client_order_id as the venue's client id (Binance: newClientOrderId). TH_OK =
   *   the request is queued; any other status = nothing was sent (the host marks it REJECTED).
   *   Then emit TH_EV_ORDER: NEW when the venue acknowledges (venue_order_id set), or REJECTED
   *   with the venue's own message as `reason`. When the outcome is unknown (timeout, connection
   *   lost after the request was written, 5xx), NEVER send it again: ask the venue by client
   *   order id until it answers, then emit what it says; an order the venue says it does not
   *   know is REJECTED ("not at the venue after ...").
   * Executions: one TH_EV_FILL per venue trade (trade_id = the venue's trade id, fee in
   *   fee_asset at TH_MONEY_SCALE), then TH_EV_ORDER with the cumulative filled_qty and the
   *   state. The host ignores a fill whose trade_id it already has, so replaying fills after a
   *   reconnect or in query/reconcile is safe; it takes order states only along the legal
   *   transitions (a stale NEW after PARTIALLY_FILLED is ignored).
   * Naming an order in an event: order_id (the host id from th_order) when the connector knows
   *   it; otherwise 0 and client_order_id alone (after a restart the host matches by it). An
   *   event for a client order id the host never issued is reported as foreign and not applied.
   * cancel: emit CANCELED when the venue confirms. When the venue refuses because the order is
   *   already final (Binance -2011 "Unknown order sent."), find out its final state (query) and
   *   emit that; a refusal for another reason is logged and the order state is left as it is.
   * Balances: TH_EV_BALANCE per asset whenever the venue reports them (instrument 0).
   *   Futures positions: TH_EV_POSITION with the venue's signed qty and entry price.
   * Errors: a venue rate limit (Binance -1003, HTTP 429) is TH_ERR_RETRY inside the connector,
   *   which waits and retries requests that are safe to retry (never an order POST whose outcome
   *   is unknown); a clock error (Binance -1021) resynchronises the connector's server-time
   *   offset. Emit TH_EV_STATUS DISCONNECTED / READY when the venue's streams drop and return. */
  th_status (*submit)(void* st, const th_order* order);
  th_status (*cancel)(void* st, const th_order* order);
  /* Called once in live mode after STATUS_READY and before strategies start: emit every open
   * order of the account on the connector's instruments (TH_EV_ORDER by client_order_id), the
   * balances, futures positions, then a TH_EV_STATUS with TH_STATUS_RECONCILED (or
   * TH_STATUS_ERROR and why). The host waits for it (30 s) and fails the start without it.     */
  th_status (*reconcile)(void* st);
  /* Historical sources (backtest and paced paper replay): yield the next subscribed event in
   * time order. *out is owned by the plugin and valid until the next call. TH_ERR_NOT_FOUND at
   * the end of the data; TH_ERR_IO / TH_ERR_INVALID_ARG on bad data (log a file:line reason).
   * NULL for live connectors, which emit() instead.                                             */
  th_status (*replay_next)(void* st, const th_event** out);
  /* Historical sources: the first and last event times of the subscribed data, for progress
   * reporting. TH_ERR_NOT_READY before subscribe. Optional.                                     */
  th_status (*replay_extent)(void* st, th_time_ns* first, th_time_ns* last);
  /* 1.3, live venues: ask the venue for one order by its client order id (order->order_id may
   * belong to an earlier run), then emit its fills (all of them: the host drops those it has)
   * and its current state as TH_EV_ORDER; REJECTED with a reason when the venue does not know
   * it. The host calls it after a restart for every order its journal holds open.             */
  th_status (*query)(void* st, const th_order* order);
} th_connector_ops;

typedef struct th_strategy_ops {
  uint32_t struct_size, reserved;
  /* Market data of the subscribed instruments, and this strategy's own order and fill events.
   * Required. Must not block. A non-OK status is reported by the host, which then stops the
   * strategy instance (its orders and positions stay with the host).                            */
  th_status (*on_event)(void* st, const th_event* ev);
  /* Hot reload: serialise the state to carry over. *len = bytes needed; TH_ERR_INVALID_ARG with
   * *len set when cap is too small. Optional.                                                   */
  th_status (*snapshot)(void* st, uint8_t* out, size_t cap, size_t* len);
  th_status (*restore)(void* st, th_bytes state); /* optional                                    */
} th_strategy_ops;

typedef struct th_risk_ops {
  uint32_t struct_size, reserved;
  /* On the order path: O(1), no I/O. TH_OK to pass; TH_ERR_REJECTED with *reason (static or
   * owned by the rule until its next call). Required.                                            */
  th_status (*check)(void* st, const th_order_request* req, th_str* reason);
  /* Bars, fills, positions: whatever the rule tracks. Optional. A non-OK status is reported and
   * the rule fails closed: every later order is rejected until the run ends.                    */
  th_status (*on_event)(void* st, const th_event* ev);
} th_risk_ops;

enum { TH_SEV_INFO = 1, TH_SEV_WARN = 2, TH_SEV_ERROR = 3 };
typedef struct th_notifier_ops {
  uint32_t struct_size, reserved;
  /* topic: "fill", "rejected", "error", "summary", ... Required. Must not block. A non-OK status
   * is logged; a failing notifier never stops trading.                                           */
  th_status (*notify)(void* st, int32_t severity, th_str topic, th_str title, th_str body);
} th_notifier_ops;

typedef struct th_component {
  uint32_t struct_size;
  int32_t kind;                /* TH_KIND_*                                                       */
  th_str type_name;            /* static; the TOML `type`, unique across all loaded plugins       */
  th_str description;          /* static                                                          */
  const th_config_field* const* config_schema; /* static array of pointers                        */
  size_t config_schema_len;
  /* Parse config (through host), allocate state. No I/O. Required.                              */
  th_status (*create)(th_instance* self, const th_host_api* host, void** out_state);
  th_status (*start)(void* st);   /* optional                                                     */
  void (*stop)(void* st);         /* optional; after it, the instance makes no more host calls    */
  void (*destroy)(void* st);      /* required; frees the state                                    */
  th_status (*on_timer)(void* st, uint64_t timer_id, uint64_t cookie); /* optional                */
  th_status (*on_posted)(void* st, uint64_t cookie);                    /* optional               */
  const void* ops;             /* th_connector_ops / th_strategy_ops / th_risk_ops /
                                  th_notifier_ops by kind; static. Required.                      */
  /* 1.2. Required by a component that calls http_request / ws_open. A non-OK status is treated
   * like a failing callback of its kind (docs/plugins.md, containment).                         */
  th_status (*on_http)(void* st, uint64_t request_id, uint64_t cookie, const th_http_response* resp);
  th_status (*on_ws)(void* st, uint64_t conn, uint64_t cookie, int32_t what, th_str data);
} th_component;

/* ---- The one exported symbol. --------------------------------------------------------------- */
typedef struct th_plugin_info {
  uint32_t struct_size;
  uint32_t abi_version;        /* in: the host's TH_ABI_VERSION; out: the plugin's                */
  th_str name, version;        /* static; out                                                     */
  th_str build_id;             /* static; out; the plugin's own build id (e.g. a git hash)        */
} th_plugin_info;

#define TH_PLUGIN_ENTRY_NAME "th_plugin_entry"
/* Negotiate and register. The plugin writes its abi_version (TH_ABI_VERSION as it was compiled),
 * name, version and build_id into *info, then calls host->register_component for each component.
 * Return TH_ERR_UNSUPPORTED to refuse a host it cannot work with.                               */
typedef th_status (*th_plugin_entry_fn)(const th_host_api* host, th_module* module,
                                        th_plugin_info* info);
TH_EXPORT th_status th_plugin_entry(const th_host_api* host, th_module* module, th_plugin_info* info);

#ifdef __cplusplus
} /* extern "C" */
#endif
#endif /* TRADEHOST_PLUGIN_H */
