/* donchian_breakout -- a long-only Donchian channel breakout strategy in plain C99, written
 * against tradehost/plugin.h alone (no C++ glue), built out of tree against the installed SDK.
 *
 * The rule (the "Turtle" channel breakout): on each bar close of each subscribed instrument,
 *  - flat, and the close is above the highest high of the previous `entry_bars` bars: buy
 *    `fraction` of equity at market (a new high is taken as the start of a move);
 *  - long, and the close is below the lowest low of the previous `exit_bars` bars: sell the
 *    whole position at market.
 * The channels never include the current bar, so the rule sees only closed bars: market orders
 * then fill on the next bar's open in backtest (docs/simulator.md).
 *
 * Prices stay th_fixed integers at the instrument's price_scale throughout; only the position
 * size goes through a double (a fraction of equity), and is floored to the lot size in integers.
 * Everything runs on the host loop thread (plugin.h THREADING); nothing here blocks. */
#include <tradehost/plugin.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A th_str of a string literal (static: valid while the library is loaded). */
#define LIT(s) \
  { (s), sizeof(s) - 1 }
#define MAX_BARS 10000 /* bound on entry_bars/exit_bars: each instrument keeps that many bars */

/* One instrument's channel: the highs and lows of the last `cap` bars, in a ring. */
typedef struct book {
  th_instrument_id instrument;
  size_t count;    /* bars seen, capped at cap */
  size_t head;     /* next slot to write */
  th_fixed* highs; /* cap entries, at the instrument's price_scale */
  th_fixed* lows;
  uint64_t open_order; /* entry or exit order not yet final: no new order until it is */
} book;

typedef struct breakout {
  th_instance* self;       /* host-owned, valid until destroy */
  const th_host_api* host; /* host-owned, static */
  size_t entry_bars, exit_bars, cap;
  double fraction;
  book* books; /* one per instrument seen, grown on demand */
  size_t n_books;
} breakout;

static th_str str_of(const char* s) {
  th_str r;
  r.ptr = s;
  r.len = strlen(s);
  return r;
}

static void log_line(const breakout* st, int32_t level, const char* text) {
  st->host->log(st->self, level, str_of(text));
}

/* raw / 10^scale as decimal text ("21345.67"); scale 0..18 as plugin.h guarantees. */
static void format_fixed(char* out, size_t cap, th_fixed raw, int32_t scale) {
  uint64_t mag = raw < 0 ? (uint64_t)0 - (uint64_t)raw : (uint64_t)raw;
  uint64_t pow = 1;
  int32_t i;
  for (i = 0; i < scale; ++i) pow *= 10u;
  if (scale == 0)
    snprintf(out, cap, "%s%" PRIu64, raw < 0 ? "-" : "", mag);
  else
    snprintf(out, cap, "%s%" PRIu64 ".%0*" PRIu64, raw < 0 ? "-" : "", mag / pow, (int)scale, mag % pow);
}

static th_status read_bars(const breakout* st, const char* key, size_t* out) {
  int64_t v = 0;
  char line[160];
  if (st->host->config_i64(st->self, str_of(key), &v) != TH_OK || v < 1 || v > MAX_BARS) {
    snprintf(line, sizeof line, "%s must be a whole number of bars within [1, %d]", key, MAX_BARS);
    log_line(st, TH_LOG_ERROR, line);
    return TH_ERR_INVALID_ARG;
  }
  *out = (size_t)v;
  return TH_OK;
}

static th_status bo_create(th_instance* self, const th_host_api* host, void** out_state) {
  breakout* st;
  th_status rc;
  *out_state = NULL;
  st = (breakout*)calloc(1, sizeof *st);
  if (!st) return TH_ERR_INTERNAL;
  st->self = self;
  st->host = host;
  rc = read_bars(st, "entry_bars", &st->entry_bars);
  if (rc == TH_OK) rc = read_bars(st, "exit_bars", &st->exit_bars);
  if (rc == TH_OK && (host->config_f64(self, str_of("fraction"), &st->fraction) != TH_OK ||
                      !(st->fraction > 0.0 && st->fraction <= 1.0))) {
    log_line(st, TH_LOG_ERROR, "fraction must be within (0, 1]");
    rc = TH_ERR_INVALID_ARG;
  }
  if (rc != TH_OK) {
    free(st);
    return rc;
  }
  st->cap = st->entry_bars > st->exit_bars ? st->entry_bars : st->exit_bars;
  *out_state = st;
  return TH_OK;
}

static void bo_destroy(void* p) {
  breakout* st = (breakout*)p;
  size_t i;
  if (!st) return;
  for (i = 0; i < st->n_books; ++i) {
    free(st->books[i].highs);
    free(st->books[i].lows);
  }
  free(st->books);
  free(st);
}

/* The instrument's book, created on its first bar; NULL when out of memory. */
static book* book_of(breakout* st, th_instrument_id id) {
  size_t i;
  book* grown;
  book* b;
  for (i = 0; i < st->n_books; ++i)
    if (st->books[i].instrument == id) return &st->books[i];
  grown = (book*)realloc(st->books, (st->n_books + 1) * sizeof *grown);
  if (!grown) return NULL;
  st->books = grown;
  b = &st->books[st->n_books];
  memset(b, 0, sizeof *b);
  b->instrument = id;
  b->highs = (th_fixed*)calloc(st->cap, sizeof *b->highs);
  b->lows = (th_fixed*)calloc(st->cap, sizeof *b->lows);
  if (!b->highs || !b->lows) {
    free(b->highs);
    free(b->lows);
    return NULL;
  }
  ++st->n_books;
  return b;
}

/* Highest high and lowest low of the last n stored bars (n <= count). */
static void channel(const breakout* st, const book* b, size_t n, th_fixed* high, th_fixed* low) {
  size_t i;
  *high = INT64_MIN;
  *low = INT64_MAX;
  for (i = 1; i <= n; ++i) {
    const size_t slot = (b->head + st->cap - i) % st->cap;
    if (b->highs[slot] > *high) *high = b->highs[slot];
    if (b->lows[slot] < *low) *low = b->lows[slot];
  }
}

/* A market order through the host's risk chain; the host order id, or 0 when refused (logged:
 * a refusal is an outcome, not a failure of the strategy). */
static uint64_t send(breakout* st, th_instrument_id id, int32_t side, th_fixed qty, const char* tag) {
  th_order_request req;
  uint64_t order_id = 0;
  th_str reason = {NULL, 0};
  memset(&req, 0, sizeof req);
  req.struct_size = sizeof req;
  req.instrument = id;
  req.side = side;
  req.type = TH_ORD_MARKET;
  req.tif = TH_TIF_GTC;
  req.qty = qty;
  req.tag = str_of(tag);
  if (st->host->submit_order(st->self, &req, &order_id, &reason) != TH_OK) {
    char line[256];
    snprintf(line, sizeof line, "%s order refused: %.*s", tag, (int)reason.len, reason.ptr ? reason.ptr : "");
    log_line(st, TH_LOG_WARN, line);
    return 0;
  }
  return order_id;
}

/* The largest multiple of the lot size that `fraction` of equity buys at `price`; 0 when that
 * is below min_qty. qty = equity * fraction / 10^8 / (price / 10^price_scale) * 10^qty_scale. */
static th_fixed entry_qty(const breakout* st, const th_instrument* inst, th_fixed price) {
  th_account_info acct;
  double qty;
  th_fixed lots;
  memset(&acct, 0, sizeof acct);
  acct.struct_size = sizeof acct;
  if (price <= 0 || st->host->account(st->self, &acct) != TH_OK) return 0;
  qty = (double)acct.equity * st->fraction / 1e8 / ((double)price / pow(10.0, inst->price_scale)) *
        pow(10.0, inst->qty_scale);
  if (!(qty >= 0.0) || qty > 9e18) return 0;
  lots = (th_fixed)floor(qty / (double)inst->lot_size);
  if (lots <= 0 || lots * inst->lot_size < inst->min_qty) return 0;
  return lots * inst->lot_size;
}

static th_status on_bar(breakout* st, const th_ev_bar* bar) {
  const th_instrument_id id = bar->h.instrument;
  const th_instrument* inst = st->host->instrument(st->self, id);
  book* b = book_of(st, id);
  th_position_info pos;
  th_fixed high, low;
  char close_text[32], high_text[32], low_text[32], inputs[160];
  if (!inst) return TH_ERR_NOT_FOUND;
  if (!b) return TH_ERR_INTERNAL;
  memset(&pos, 0, sizeof pos);
  pos.struct_size = sizeof pos;
  if (st->host->position(st->self, id, &pos) != TH_OK) return TH_ERR_INTERNAL;

  if (!b->open_order) {
    format_fixed(close_text, sizeof close_text, bar->close, inst->price_scale);
    if (pos.qty <= 0 && b->count >= st->entry_bars) {
      channel(st, b, st->entry_bars, &high, &low);
      if (bar->close > high) {
        const th_fixed qty = entry_qty(st, inst, bar->close);
        format_fixed(high_text, sizeof high_text, high, inst->price_scale);
        snprintf(inputs, sizeof inputs, "{\"close\":%s,\"channel_high\":%s,\"entry_bars\":%lu}", close_text, high_text,
                 (unsigned long)st->entry_bars);
        if (qty > 0) {
          st->host->record_decision(st->self, id, TH_DECISION_BUY, str_of("close broke above the entry channel"),
                                    str_of(inputs));
          b->open_order = send(st, id, TH_SIDE_BUY, qty, "entry");
        } else {
          st->host->record_decision(st->self, id, TH_DECISION_HOLD,
                                    str_of("breakout, but equity buys less than one lot"), str_of(inputs));
        }
      }
    } else if (pos.qty > 0 && b->count >= st->exit_bars) {
      channel(st, b, st->exit_bars, &high, &low);
      if (bar->close < low) {
        format_fixed(low_text, sizeof low_text, low, inst->price_scale);
        snprintf(inputs, sizeof inputs, "{\"close\":%s,\"channel_low\":%s,\"exit_bars\":%lu}", close_text, low_text,
                 (unsigned long)st->exit_bars);
        st->host->record_decision(st->self, id, TH_DECISION_SELL, str_of("close broke below the exit channel"),
                                  str_of(inputs));
        b->open_order = send(st, id, TH_SIDE_SELL, pos.qty, "exit");
      }
    }
  }
  /* This bar joins the channel only now: the rule above compared it with earlier bars. */
  b->highs[b->head] = bar->high;
  b->lows[b->head] = bar->low;
  b->head = (b->head + 1) % st->cap;
  if (b->count < st->cap) ++b->count;
  return TH_OK;
}

static th_status bo_on_event(void* p, const th_event* ev) {
  breakout* st = (breakout*)p;
  if (ev->type == TH_EV_BAR) return on_bar(st, (const th_ev_bar*)ev);
  if (ev->type == TH_EV_ORDER) {
    const th_ev_order* o = (const th_ev_order*)ev;
    const int done = o->state == TH_ORDER_FILLED || o->state == TH_ORDER_CANCELED || o->state == TH_ORDER_REJECTED ||
                     o->state == TH_ORDER_EXPIRED;
    book* b = book_of(st, ev->instrument);
    if (!b) return TH_ERR_INTERNAL;
    if (done && o->order_id == b->open_order) b->open_order = 0;
    if (done && o->state != TH_ORDER_FILLED) {
      char line[256];
      snprintf(line, sizeof line, "order %.*s ended without a fill: %.*s", (int)o->client_order_id.len,
               o->client_order_id.ptr ? o->client_order_id.ptr : "", (int)o->reason.len,
               o->reason.ptr ? o->reason.ptr : "");
      log_line(st, TH_LOG_WARN, line);
    }
  }
  return TH_OK;
}

/* The config schema: keys, types, defaults (TOML literal text) and descriptions with units.
 * Designated initializers leave fields a later ABI minor appends at zero. */
static const th_config_field entry_bars_field = {
    .struct_size = sizeof(th_config_field),
    .type = TH_CFG_I64,
    .key = LIT("entry_bars"),
    .default_value = LIT("20"),
    .description = LIT("entry channel length, bars: buy when the close exceeds the highest high of this many previous "
                       "bars (1..10000)")};
static const th_config_field exit_bars_field = {
    .struct_size = sizeof(th_config_field),
    .type = TH_CFG_I64,
    .key = LIT("exit_bars"),
    .default_value = LIT("10"),
    .description = LIT("exit channel length, bars: sell when the close falls below the lowest low of this many "
                       "previous bars (1..10000)")};
static const th_config_field fraction_field = {
    .struct_size = sizeof(th_config_field),
    .type = TH_CFG_F64,
    .key = LIT("fraction"),
    .default_value = LIT("0.5"),
    .description = LIT("share of account equity spent on an entry, a fraction in (0, 1]")};
static const th_config_field* const schema[] = {&entry_bars_field, &exit_bars_field, &fraction_field};

static const th_strategy_ops ops = {.struct_size = sizeof(th_strategy_ops), .on_event = bo_on_event};

static const th_component component = {.struct_size = sizeof(th_component),
                                       .kind = TH_KIND_STRATEGY,
                                       .type_name = LIT("donchian_breakout"),
                                       .description = LIT("Long-only Donchian channel breakout (C99): buys a close "
                                                          "above the entry channel, sells below the exit channel"),
                                       .config_schema = schema,
                                       .config_schema_len = sizeof schema / sizeof schema[0],
                                       .create = bo_create,
                                       .destroy = bo_destroy,
                                       .ops = &ops};

TH_EXPORT th_status th_plugin_entry(const th_host_api* host, th_module* module, th_plugin_info* info) {
  static const th_str name = LIT("donchian_breakout"), version = LIT("1.0.0"), build = LIT("example");
  if (!host || !info) return TH_ERR_INVALID_ARG;
  /* Write our ABI first, so the host can name a mismatch; then refuse another major. */
  info->abi_version = TH_ABI_VERSION;
  if (TH_ABI_VERSION_MAJOR(host->abi_version) != TH_ABI_MAJOR) return TH_ERR_UNSUPPORTED;
  info->name = name;
  info->version = version;
  info->build_id = build;
  return host->register_component(module, &component);
}
