// Binance account messages parsed into fixed-point integers, spot and USD-M futures.
//
// Spot: the REST order answers (New order ACK / RESULT / FULL, Query order, Cancel order, Current
// open orders), Account information's balances, Account trade list (myTrades), and the user data
// stream's executionReport and outboundAccountPosition. Sources: binance/binance-spot-api-docs
// rest-api.md (2023-06-07) "Account endpoints", user-data-stream.md (2022-12-05) "Order Update" and
// "Account Update".
//
// USD-M futures (developers.binance.com/docs/derivatives/usds-margined-futures, as stored
// 2026-05): the order objects of "New Order(TRADE)", "Query Order", "Cancel Order" and "Current
// All Open Orders" (the same parser: `cumQuote` stands where spot has `cummulativeQuoteQty`),
// "Account Trade List" (GET /fapi/v1/userTrades: `buyer`/`maker` where spot has
// `isBuyer`/`isMaker`), "Account Information V2" (GET /fapi/v2/account), "Position Information
// V2" (GET /fapi/v2/positionRisk), and the user data stream's "Event: Order Update"
// (ORDER_TRADE_UPDATE, read into the same ExecutionReport as spot's executionReport), "Event:
// Balance and Position Update" (ACCOUNT_UPDATE) and "Event: Algo Order Update" (ALGO_UPDATE, read
// into algo_orders.hpp's AlgoOrderReport). Field names are Binance's; each member says which.
//
// Units: prices raw at the symbol's price_scale, quantities raw at its qty_scale (base asset),
// quote amounts, commissions and balances raw at TH_MONEY_SCALE (8 decimals, Binance's own
// precision for them); times are Binance's Unix milliseconds. Every decimal must be exact at its
// scale: more significant decimals than the scale holds is an error, never rounded away.
#ifndef TRADEHOST_BINANCE_ACCOUNT_MESSAGES_HPP
#define TRADEHOST_BINANCE_ACCOUNT_MESSAGES_HPP

#include "algo_orders.hpp"
#include "market_data.hpp"

#include <tradehost/plugin.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace tradehost::binance {

/// The scales of a symbol ("BTCUSDT"), or nullptr when the caller has none (then the message is
/// refused, or for lists skipped, as each parser says).
using ScalesLookup = std::function<const Scales*(std::string_view symbol)>;

/// Order status (rest-api.md "ENUM definitions", Order status).
enum class OrderStatus : uint8_t {
  New,
  PartiallyFilled,
  Filled,
  Canceled,
  PendingCancel,  ///< "Currently unused"
  Rejected,
  Expired,
  ExpiredInMatch,  ///< expired by self-trade prevention
};

/// Reads Binance's status text; false for any other text.
bool parse_order_status(std::string_view text, OrderStatus& out);

/// The TH_ORDER_* state of a status: EXPIRED_IN_MATCH -> TH_ORDER_EXPIRED, PENDING_CANCEL (unused
/// by Binance) -> TH_ORDER_NEW, the others by name.
int32_t th_order_state(OrderStatus status);

/// One execution listed in a FULL new-order answer (`fills`).
struct OrderFill {
  int64_t trade_id = 0;          ///< `tradeId`
  int64_t price = 0;             ///< `price`
  int64_t qty = 0;               ///< `qty`
  int64_t commission = 0;        ///< `commission`, TH_MONEY_SCALE
  std::string commission_asset;  ///< `commissionAsset`
};

/// An order as a REST answer shows it.
struct OrderReport {
  std::string symbol;                ///< `symbol`
  int64_t order_id = 0;              ///< `orderId`
  std::string client_order_id;       ///< `clientOrderId`; in a cancel answer, the CANCEL's own id
  std::string orig_client_order_id;  ///< `origClientOrderId` (cancel answers only; else empty)
  int64_t time_ms = 0;               ///< `transactTime` (new order), else `updateTime`, else 0
  /// False for an ACK answer, which carries only the fields above: the rest is then zero.
  bool has_state = false;
  OrderStatus status = OrderStatus::New;  ///< `status`
  std::string type;                  ///< `type`, e.g. "LIMIT_MAKER"
  std::string side;                  ///< `side`
  std::string time_in_force;         ///< `timeInForce`
  int64_t price = 0;                 ///< `price` (0 for market orders)
  int64_t orig_qty = 0;              ///< `origQty`
  int64_t executed_qty = 0;          ///< `executedQty`
  /// `cummulativeQuoteQty` (USD-M: `cumQuote`) at TH_MONEY_SCALE; negative when Binance says "not
  /// available" ("For some historical orders cummulativeQuoteQty will be < 0").
  int64_t cumulative_quote_qty = 0;
  int64_t stop_price = 0;            ///< `stopPrice` when present, else 0
  std::vector<OrderFill> fills;      ///< `fills` (FULL answers only)

  /// The order's client id as placed: origClientOrderId when present (cancel), else clientOrderId.
  const std::string& placed_client_order_id() const {
    return orig_client_order_id.empty() ? client_order_id : orig_client_order_id;
  }
};

/// Parses one order object: a New order answer (ACK, RESULT or FULL, told apart by the fields
/// present), a Query order answer or a Cancel order answer. False with `error` (naming the field)
/// on invalid JSON, a missing or mistyped field, an unknown status, a symbol `scales` has no
/// scales for, or a number that is not exact at its scale.
bool parse_order_report(std::string_view body, const ScalesLookup& scales, OrderReport& out, std::string& error);

/// Parses a Current open orders answer (an array of order objects). Orders of symbols `scales`
/// does not know are skipped and counted in `skipped` (an account may trade symbols this
/// connector has no instrument for); any other problem fails the whole answer.
bool parse_open_orders(std::string_view body, const ScalesLookup& scales, std::vector<OrderReport>& out,
                       size_t& skipped, std::string& error);

/// The average fill price at `scales.price_scale` of `quote_qty` (TH_MONEY_SCALE) paid for `qty`
/// (qty_scale), rounded half up: Z / z for an executionReport ("Average price can be found by
/// doing Z divided by z"), cummulativeQuoteQty / executedQty for REST. 0 when qty <= 0 or
/// quote_qty < 0 (unknown), or when the result does not fit int64.
int64_t average_price(int64_t quote_qty, int64_t qty, Scales scales);

/// One asset's balance (`asset`/`free`/`locked` in Account information, `a`/`f`/`l` in
/// outboundAccountPosition), amounts at TH_MONEY_SCALE.
struct Balance {
  std::string asset;
  int64_t free = 0;
  int64_t locked = 0;
};

/// Parses Account information (GET /api/v3/account) and returns its `balances`, in order.
bool parse_account_balances(std::string_view body, std::vector<Balance>& out, std::string& error);

/// Parses a USD-M "Account Information V2" answer (GET /fapi/v2/account) and returns its `assets`:
/// per asset its `walletBalance` as `free`, `locked` 0 -- the wallet balance is what a futures
/// account holds (ACCOUNT_UPDATE reports the same `wb`); margin in use is not a separate balance.
/// Signed: a wallet can go below zero. The account's `positions` are not read here (positionRisk
/// gives them with the entry price and side).
bool parse_futures_account(std::string_view body, std::vector<Balance>& out, std::string& error);

/// One USD-M position: an element of positionRisk or of ACCOUNT_UPDATE's `P`.
struct FuturesPosition {
  std::string symbol;          ///< `symbol` / `s`
  std::string position_side;   ///< `positionSide` / `ps`: "BOTH" in one-way mode, else LONG / SHORT
  int64_t amount = 0;          ///< `positionAmt` / `pa`, at qty_scale, signed (short < 0)
  int64_t entry_price = 0;     ///< `entryPrice` / `ep`, at price_scale, rounded half up
  int64_t unrealized_pnl = 0;  ///< `unRealizedProfit` / `up`, TH_MONEY_SCALE, rounded half up
};

/// Parses a USD-M "Position Information V2" answer (GET /fapi/v2/positionRisk, an array).
/// Positions of symbols `scales` does not know are skipped and counted in `skipped`.
bool parse_position_risk(std::string_view body, const ScalesLookup& scales, std::vector<FuturesPosition>& out,
                         size_t& skipped, std::string& error);

/// One row of Account trade list (spot GET /api/v3/myTrades; USD-M GET /fapi/v1/userTrades, whose
/// `buyer` / `maker` are read as isBuyer / isMaker).
struct AccountTrade {
  std::string symbol;            ///< `symbol`
  int64_t id = 0;                ///< `id`, the trade id
  int64_t order_id = 0;          ///< `orderId`
  int64_t price = 0;             ///< `price`
  int64_t qty = 0;               ///< `qty`
  int64_t quote_qty = 0;         ///< `quoteQty`, TH_MONEY_SCALE
  int64_t commission = 0;        ///< `commission`, TH_MONEY_SCALE
  std::string commission_asset;  ///< `commissionAsset`
  int64_t time_ms = 0;           ///< `time`
  bool is_buyer = false;         ///< `isBuyer`
  bool is_maker = false;         ///< `isMaker`
};

/// Parses an Account trade list answer of ONE symbol at `scales`. Errors as parse_order_report().
bool parse_account_trades(std::string_view body, Scales scales, std::vector<AccountTrade>& out, std::string& error);

/// An `executionReport` (user-data-stream.md "Order Update"), or the `o` object of a USD-M
/// ORDER_TRADE_UPDATE, whose letters mean the same where both have them. On USD-M `C` and `r`
/// do not exist (orig_client_order_id and reject_reason are empty), `sp` is the stop price, `N` /
/// `n` are absent before a trade ("will not push if no commission") and `T` is the order's trade
/// time.
struct ExecutionReport {
  int64_t event_time_ms = 0;         ///< `E`
  std::string symbol;                ///< `s`
  std::string client_order_id;       ///< `c`; on a cancel, the CANCEL's own id
  std::string side;                  ///< `S`
  std::string order_type;            ///< `o`
  std::string time_in_force;         ///< `f`
  int64_t qty = 0;                   ///< `q`
  int64_t price = 0;                 ///< `p`
  int64_t stop_price = 0;            ///< `P`
  std::string orig_client_order_id;  ///< `C`: "the ID of the order being canceled", else ""
  /// `x`: NEW, CANCELED, REPLACED, REJECTED, TRADE, EXPIRED, TRADE_PREVENTION.
  std::string execution_type;
  OrderStatus status = OrderStatus::New;  ///< `X`
  std::string reject_reason;         ///< `r`, "NONE" when there is none
  int64_t order_id = 0;              ///< `i`
  int64_t last_qty = 0;              ///< `l`
  int64_t cumulative_qty = 0;        ///< `z`
  int64_t last_price = 0;            ///< `L`
  int64_t commission = 0;            ///< `n`, TH_MONEY_SCALE
  std::string commission_asset;      ///< `N`; empty when null (no trade yet)
  int64_t transaction_time_ms = 0;   ///< `T`
  int64_t trade_id = -1;             ///< `t`; -1 when the report is not a trade
  bool maker = false;                ///< `m`: "Is this trade the maker side?"
  int64_t cumulative_quote_qty = 0;  ///< `Z`, TH_MONEY_SCALE (spot only; 0 on USD-M)
  int64_t last_quote_qty = 0;        ///< `Y`, TH_MONEY_SCALE (spot only; 0 on USD-M)
  /// The average fill price at price_scale: spot Z / z (average_price()), USD-M `ap` rounded half
  /// up (futures averages carry more decimals than the tick: "ap":"16704.53333").
  int64_t avg_price = 0;
  bool reduce_only = false;          ///< `R` (USD-M only)
  int64_t realized_pnl = 0;          ///< `rp`, TH_MONEY_SCALE, signed (USD-M only)

  /// The order's client id as placed: `C` on a spot cancel report, else `c`.
  const std::string& placed_client_order_id() const {
    return orig_client_order_id.empty() ? client_order_id : orig_client_order_id;
  }
};

/// An `outboundAccountPosition` (user-data-stream.md "Account Update").
struct AccountPosition {
  int64_t event_time_ms = 0;     ///< `E`
  int64_t last_update_ms = 0;    ///< `u`
  std::vector<Balance> balances;  ///< `B`
};

/// A USD-M `ACCOUNT_UPDATE` ("Event: Balance and Position Update").
struct AccountUpdate {
  int64_t event_time_ms = 0;               ///< `E`
  int64_t transaction_time_ms = 0;         ///< `T`
  std::string reason;                      ///< `a.m`: ORDER, FUNDING_FEE, DEPOSIT, ...
  std::vector<Balance> balances;           ///< `a.B`: `a`, wallet balance `wb` as free, locked 0
  std::vector<FuturesPosition> positions;  ///< `a.P` of symbols with scales
  size_t skipped_positions = 0;            ///< `a.P` entries of symbols without scales
};

enum class UserEventKind : uint8_t {
  ExecutionReport,  ///< spot executionReport or USD-M ORDER_TRADE_UPDATE
  AccountPosition,  ///< spot outboundAccountPosition
  AccountUpdate,    ///< USD-M ACCOUNT_UPDATE
  AlgoUpdate,       ///< USD-M ALGO_UPDATE ("Event: Algo Order Update", algo_orders.hpp)
  Other,  ///< any other event (balanceUpdate, listStatus, listenKeyExpired, ...): see event_type
};

/// Reads {"listenKey": "<key>"} (POST /api/v3/userDataStream, "Start user data stream").
bool parse_listen_key(std::string_view body, std::string& key, std::string& error);

/// One user data stream frame.
struct UserEvent {
  UserEventKind kind = UserEventKind::Other;
  std::string event_type;  ///< `e` as sent
  ExecutionReport execution;
  AccountPosition account;
  AccountUpdate account_update;
  AlgoOrderReport algo;
};

/// Parses one user data stream frame, raw or in the combined-stream envelope
/// {"stream":..,"data":..}. An executionReport, ORDER_TRADE_UPDATE or ALGO_UPDATE needs scales for its `s`;
/// ACCOUNT_UPDATE skips the positions of symbols without them; other event types are returned as
/// Other with their `e`. False with `error` as parse_order_report().
bool parse_user_event(std::string_view frame, const ScalesLookup& scales, UserEvent& out, std::string& error);

}  // namespace tradehost::binance

#endif  // TRADEHOST_BINANCE_ACCOUNT_MESSAGES_HPP
