/* abi_layout_pins.h -- the x86_64 Linux (System V) layout of every boundary struct in
 * tradehost/plugin.h, worked out by hand from the C layout rules, as X-macro tables so that the
 * C99 fixture (fixtures/c_layout_check.c) and the C++ test (layout_test.cpp) check the SAME
 * numbers with their own compilers.
 *
 * Rules used: uint32_t/int32_t size 4 align 4; int64_t/uint64_t/size_t/pointers size 8 align 8;
 * a member sits at the next multiple of its alignment; a struct's alignment is its largest
 * member's, and its size is rounded up to it. th_str = {ptr 0, len 8} -> 16, align 8. Every
 * struct below happens to contain an 8-byte member, so every size is a multiple of 8; plugin.h
 * promises there is no implicit padding (fixtures/c_layout_check.c is built with -Wpadded).
 *
 * A few of the sums, written out:
 *  th_instrument: struct_size 0+4, id 4+4, six th_str 8..104 (8 + 6*16 = 104), price_scale 104,
 *    qty_scale 108, tick_size 112, lot_size 120, min_qty 128, min_notional 136, kind 144,
 *    reserved 148; end 152 = 19*8 -> sizeof 152.
 *  th_ev_order: h 0..32, order_id 32, client_order_id 40 (+16 = 56), venue_order_id 56 (+16 =
 *    72), state 72, side 76, order_type 80, reserved 84, qty 88, price 96, filled_qty 104,
 *    avg_fill_price 112, reason 120 (+16) -> 136.
 *  th_order: struct_size 0, reserved 4, req 8 (th_order_request is 64, align 8) -> 72,
 *    order_id 72, client_order_id 80 (+16) -> 96.
 *  th_host_api: two uint32_t (8) then 22 function pointers: 8 + 22*8 = 184 in ABI 1.0/1.1;
 *    pointer k (0-based, in declaration order) sits at 8 + 8k, e.g. post (k = 21) at 176. 1.2
 *    appended 8 pointers (k = 22..29): http_request 184 ... sign 240 -> 8 + 30*8 = 248. 1.4
 *    appended kill_switch 248 and kill_state 256 -> 8 + 32*8 = 264.
 *  th_component: struct_size 0, kind 4, type_name 8, description 24, config_schema 40,
 *    config_schema_len 48, then create/start/stop/destroy/on_timer/on_posted at 56..96 step 8,
 *    ops 104 (+8) -> 112 = offsetof(ops) + sizeof(void*) in 1.0/1.1; 1.2 appended on_http 112
 *    and on_ws 120 -> 128.
 *  th_http_request (1.2): struct_size 0, method 4, url 8, headers 24, body 40, venue 56,
 *    budgets 72 (five 16-byte views from 8: 8 + 5*16 = 88), timeout_ms 88, flags 92 -> 96.
 *  th_http_response (1.2): struct_size 0, status 4, error 8, flags 12 (four 4-byte fields = 16),
 *    headers 16, body 32, message 48 -> 64.
 *  th_connector_ops: struct_size 0, reserved 4, then 7 function pointers at 8..56 -> 64 in ABI
 *    1.0-1.2; 1.3 appended query at 64 -> 72.
 *  th_book_level (1.3): price 0, qty 8 -> 16. th_ev_book (1.3): h 0..32, update_id 32, bids 40,
 *    asks 48, bid_count 56, ask_count 60 -> 64.
 *  th_config_field: struct_size 0, type 4, key 8, default_value 24, description 40 (three th_str,
 *    8 + 3*16 = 56), flags 56, reserved 60 -> 64, where ABI 1.0 ended; 1.1 appended unit at 64
 *    (a th_str, align 8, so no padding before it) -> 80 = 64 + 16.
 *
 * Which structs plugin.h has is checked by layout_test.cpp against the header's text, so a struct
 * added without pins here fails it.
 */
#ifndef TRADEHOST_TESTS_ABI_LAYOUT_PINS_H
#define TRADEHOST_TESTS_ABI_LAYOUT_PINS_H

/* X(type, expected sizeof, expected alignof): every struct ABI 1.1 did not change. */
#define TH_ABI_SIZE_PINS_UNCHANGED_SINCE_1_0(X) \
  X(th_str, 16, 8)                 \
  X(th_bytes, 16, 8)               \
  X(th_instrument, 152, 8)         \
  X(th_event, 32, 8)               \
  X(th_ev_bar, 88, 8)              \
  X(th_ev_trade, 56, 8)            \
  X(th_ev_quote, 64, 8)            \
  X(th_ev_order, 136, 8)           \
  X(th_ev_fill, 120, 8)            \
  X(th_ev_position, 64, 8)         \
  X(th_ev_balance, 64, 8)          \
  X(th_ev_status, 56, 8)           \
  X(th_order_request, 64, 8)       \
  X(th_order, 96, 8)               \
  X(th_position_info, 40, 8)       \
  X(th_account_info, 40, 8)        \
  X(th_strategy_ops, 32, 8)        \
  X(th_risk_ops, 24, 8)            \
  X(th_notifier_ops, 16, 8)        \
  X(th_plugin_info, 56, 8)

/* Sizes in ABI 1.0 of the structs later minors appended to (th_host_api and th_component in 1.2,
 * th_connector_ops in 1.3); their 1.0 members keep their offsets: they stay in the offset table
 * below. */
#define TH_ABI_V1_0_GROWN_SIZE_PINS(X) \
  X(th_host_api, 184, 8)               \
  X(th_component, 112, 8)              \
  X(th_connector_ops, 64, 8)

/* X(type, member, expected offsetof) -- every member of every struct ABI 1.1 did not change. */
#define TH_ABI_OFFSET_PINS_UNCHANGED_SINCE_1_0(X)  \
  X(th_str, ptr, 0)                                \
  X(th_str, len, 8)                                \
  X(th_bytes, ptr, 0)                              \
  X(th_bytes, len, 8)                              \
  X(th_instrument, struct_size, 0)                 \
  X(th_instrument, id, 4)                          \
  X(th_instrument, venue, 8)                       \
  X(th_instrument, symbol, 24)                     \
  X(th_instrument, native_symbol, 40)              \
  X(th_instrument, base, 56)                       \
  X(th_instrument, quote, 72)                      \
  X(th_instrument, settle, 88)                     \
  X(th_instrument, price_scale, 104)               \
  X(th_instrument, qty_scale, 108)                 \
  X(th_instrument, tick_size, 112)                 \
  X(th_instrument, lot_size, 120)                  \
  X(th_instrument, min_qty, 128)                   \
  X(th_instrument, min_notional, 136)              \
  X(th_instrument, kind, 144)                      \
  X(th_instrument, reserved, 148)                  \
  X(th_event, struct_size, 0)                      \
  X(th_event, type, 4)                             \
  X(th_event, ts_event, 8)                         \
  X(th_event, ts_recv, 16)                         \
  X(th_event, instrument, 24)                      \
  X(th_event, reserved, 28)                        \
  X(th_ev_bar, h, 0)                               \
  X(th_ev_bar, open_time, 32)                      \
  X(th_ev_bar, interval_ns, 40)                    \
  X(th_ev_bar, open, 48)                           \
  X(th_ev_bar, high, 56)                           \
  X(th_ev_bar, low, 64)                            \
  X(th_ev_bar, close, 72)                          \
  X(th_ev_bar, volume, 80)                         \
  X(th_ev_trade, h, 0)                             \
  X(th_ev_trade, price, 32)                        \
  X(th_ev_trade, qty, 40)                          \
  X(th_ev_trade, aggressor_side, 48)               \
  X(th_ev_trade, reserved, 52)                     \
  X(th_ev_quote, h, 0)                             \
  X(th_ev_quote, bid_price, 32)                    \
  X(th_ev_quote, bid_qty, 40)                      \
  X(th_ev_quote, ask_price, 48)                    \
  X(th_ev_quote, ask_qty, 56)                      \
  X(th_ev_order, h, 0)                             \
  X(th_ev_order, order_id, 32)                     \
  X(th_ev_order, client_order_id, 40)              \
  X(th_ev_order, venue_order_id, 56)               \
  X(th_ev_order, state, 72)                        \
  X(th_ev_order, side, 76)                         \
  X(th_ev_order, order_type, 80)                   \
  X(th_ev_order, reserved, 84)                     \
  X(th_ev_order, qty, 88)                          \
  X(th_ev_order, price, 96)                        \
  X(th_ev_order, filled_qty, 104)                  \
  X(th_ev_order, avg_fill_price, 112)              \
  X(th_ev_order, reason, 120)                      \
  X(th_ev_fill, h, 0)                              \
  X(th_ev_fill, order_id, 32)                      \
  X(th_ev_fill, client_order_id, 40)               \
  X(th_ev_fill, trade_id, 56)                      \
  X(th_ev_fill, side, 72)                          \
  X(th_ev_fill, liquidity, 76)                     \
  X(th_ev_fill, price, 80)                         \
  X(th_ev_fill, qty, 88)                           \
  X(th_ev_fill, fee, 96)                           \
  X(th_ev_fill, fee_asset, 104)                    \
  X(th_ev_position, h, 0)                          \
  X(th_ev_position, qty, 32)                       \
  X(th_ev_position, avg_entry_price, 40)           \
  X(th_ev_position, realized_pnl, 48)              \
  X(th_ev_position, unrealized_pnl, 56)            \
  X(th_ev_balance, h, 0)                           \
  X(th_ev_balance, asset, 32)                      \
  X(th_ev_balance, free, 48)                       \
  X(th_ev_balance, locked, 56)                     \
  X(th_ev_status, h, 0)                            \
  X(th_ev_status, code, 32)                        \
  X(th_ev_status, reserved, 36)                    \
  X(th_ev_status, message, 40)                     \
  X(th_order_request, struct_size, 0)              \
  X(th_order_request, instrument, 4)               \
  X(th_order_request, side, 8)                     \
  X(th_order_request, type, 12)                    \
  X(th_order_request, tif, 16)                     \
  X(th_order_request, flags, 20)                   \
  X(th_order_request, qty, 24)                     \
  X(th_order_request, price, 32)                   \
  X(th_order_request, trigger_price, 40)           \
  X(th_order_request, tag, 48)                     \
  X(th_order, struct_size, 0)                      \
  X(th_order, reserved, 4)                         \
  X(th_order, req, 8)                              \
  X(th_order, order_id, 72)                        \
  X(th_order, client_order_id, 80)                 \
  X(th_position_info, struct_size, 0)              \
  X(th_position_info, reserved, 4)                 \
  X(th_position_info, qty, 8)                      \
  X(th_position_info, avg_entry_price, 16)         \
  X(th_position_info, realized_pnl, 24)            \
  X(th_position_info, unrealized_pnl, 32)          \
  X(th_account_info, struct_size, 0)               \
  X(th_account_info, reserved, 4)                  \
  X(th_account_info, cash, 8)                      \
  X(th_account_info, equity, 16)                   \
  X(th_account_info, fees_paid, 24)                \
  X(th_account_info, realized_pnl, 32)             \
  X(th_host_api, struct_size, 0)                   \
  X(th_host_api, abi_version, 4)                   \
  X(th_host_api, register_component, 8)            \
  X(th_host_api, log, 16)                          \
  X(th_host_api, now, 24)                          \
  X(th_host_api, config_str, 32)                   \
  X(th_host_api, config_i64, 40)                   \
  X(th_host_api, config_f64, 48)                   \
  X(th_host_api, config_bool, 56)                  \
  X(th_host_api, config_list_len, 64)              \
  X(th_host_api, config_list_str, 72)              \
  X(th_host_api, define_instrument, 80)            \
  X(th_host_api, instrument, 88)                   \
  X(th_host_api, find_instrument, 96)              \
  X(th_host_api, emit, 104)                        \
  X(th_host_api, submit_order, 112)                \
  X(th_host_api, cancel_order, 120)                \
  X(th_host_api, record_decision, 128)             \
  X(th_host_api, position, 136)                    \
  X(th_host_api, account, 144)                     \
  X(th_host_api, last_price, 152)                  \
  X(th_host_api, timer_start, 160)                 \
  X(th_host_api, timer_cancel, 168)                \
  X(th_host_api, post, 176)                        \
  X(th_connector_ops, struct_size, 0)              \
  X(th_connector_ops, reserved, 4)                 \
  X(th_connector_ops, load_instruments, 8)         \
  X(th_connector_ops, subscribe, 16)               \
  X(th_connector_ops, submit, 24)                  \
  X(th_connector_ops, cancel, 32)                  \
  X(th_connector_ops, reconcile, 40)               \
  X(th_connector_ops, replay_next, 48)             \
  X(th_connector_ops, replay_extent, 56)           \
  X(th_strategy_ops, struct_size, 0)               \
  X(th_strategy_ops, reserved, 4)                  \
  X(th_strategy_ops, on_event, 8)                  \
  X(th_strategy_ops, snapshot, 16)                 \
  X(th_strategy_ops, restore, 24)                  \
  X(th_risk_ops, struct_size, 0)                   \
  X(th_risk_ops, reserved, 4)                      \
  X(th_risk_ops, check, 8)                         \
  X(th_risk_ops, on_event, 16)                     \
  X(th_notifier_ops, struct_size, 0)               \
  X(th_notifier_ops, reserved, 4)                  \
  X(th_notifier_ops, notify, 8)                    \
  X(th_component, struct_size, 0)                  \
  X(th_component, kind, 4)                         \
  X(th_component, type_name, 8)                    \
  X(th_component, description, 24)                 \
  X(th_component, config_schema, 40)               \
  X(th_component, config_schema_len, 48)           \
  X(th_component, create, 56)                      \
  X(th_component, start, 64)                       \
  X(th_component, stop, 72)                        \
  X(th_component, destroy, 80)                     \
  X(th_component, on_timer, 88)                    \
  X(th_component, on_posted, 96)                   \
  X(th_component, ops, 104)                        \
  X(th_plugin_info, struct_size, 0)                \
  X(th_plugin_info, abi_version, 4)                \
  X(th_plugin_info, name, 8)                       \
  X(th_plugin_info, version, 24)                   \
  X(th_plugin_info, build_id, 40)

/* th_config_field, the one struct ABI 1.1 changed. 1.0 (the frozen v1_0/tradehost/plugin.h):
 * the members up to `reserved`, ending at 64. 1.1 (the current header): the same, then `unit`.
 * fixtures/v1_0_layout_check.c checks the 1.0 numbers and the unchanged tables above against the
 * frozen header, so the two headers differ by exactly the 16 bytes appended here. */
#define TH_ABI_V1_0_CONFIG_FIELD_SIZE 64
#define TH_ABI_V1_0_CONFIG_FIELD_OFFSET_PINS(X) \
  X(th_config_field, struct_size, 0)            \
  X(th_config_field, type, 4)                   \
  X(th_config_field, key, 8)                    \
  X(th_config_field, default_value, 24)         \
  X(th_config_field, description, 40)           \
  X(th_config_field, flags, 56)                 \
  X(th_config_field, reserved, 60)

/* The current header (ABI 1.4): every boundary struct. */
#define TH_ABI_SIZE_PINS(X)                  \
  TH_ABI_SIZE_PINS_UNCHANGED_SINCE_1_0(X)    \
  X(th_config_field, 80, 8)                  \
  X(th_host_api, 264, 8)                     \
  X(th_component, 128, 8)                    \
  X(th_http_request, 96, 8)                  \
  X(th_http_response, 64, 8)                 \
  X(th_connector_ops, 72, 8)                 \
  X(th_book_level, 16, 8)                    \
  X(th_ev_book, 64, 8)
#define TH_ABI_OFFSET_PINS(X)                \
  TH_ABI_OFFSET_PINS_UNCHANGED_SINCE_1_0(X)  \
  TH_ABI_V1_0_CONFIG_FIELD_OFFSET_PINS(X)    \
  X(th_config_field, unit, 64)               \
  X(th_host_api, http_request, 184)          \
  X(th_host_api, http_cancel, 192)           \
  X(th_host_api, rate_budget, 200)           \
  X(th_host_api, ws_open, 208)               \
  X(th_host_api, ws_send, 216)               \
  X(th_host_api, ws_close, 224)              \
  X(th_host_api, credential_api_key, 232)    \
  X(th_host_api, sign, 240)                  \
  X(th_host_api, kill_switch, 248)           \
  X(th_host_api, kill_state, 256)            \
  X(th_component, on_http, 112)              \
  X(th_component, on_ws, 120)                \
  X(th_http_request, struct_size, 0)         \
  X(th_http_request, method, 4)              \
  X(th_http_request, url, 8)                 \
  X(th_http_request, headers, 24)            \
  X(th_http_request, body, 40)               \
  X(th_http_request, venue, 56)              \
  X(th_http_request, budgets, 72)            \
  X(th_http_request, timeout_ms, 88)         \
  X(th_http_request, flags, 92)              \
  X(th_http_response, struct_size, 0)        \
  X(th_http_response, status, 4)             \
  X(th_http_response, error, 8)              \
  X(th_http_response, flags, 12)             \
  X(th_http_response, headers, 16)           \
  X(th_http_response, body, 32)              \
  X(th_http_response, message, 48)           \
  X(th_connector_ops, query, 64)             \
  X(th_book_level, price, 0)                 \
  X(th_book_level, qty, 8)                   \
  X(th_ev_book, h, 0)                        \
  X(th_ev_book, update_id, 32)               \
  X(th_ev_book, bids, 40)                    \
  X(th_ev_book, asks, 48)                    \
  X(th_ev_book, bid_count, 56)               \
  X(th_ev_book, ask_count, 60)

#endif /* TRADEHOST_TESTS_ABI_LAYOUT_PINS_H */
