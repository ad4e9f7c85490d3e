// usdm_algo_order.hpp -- USDⓈ-M conditional orders as Binance's Algo Order API keeps them (since
// 2025-12 the only way to place STOP, STOP_MARKET, TAKE_PROFIT, TAKE_PROFIT_MARKET and
// TRAILING_STOP_MARKET): the request of "New Algo Order(TRADE)" (POST /fapi/v1/algoOrder) after
// the REST layer parsed it, and the algo order with its status ("Event: Algo Order Update",
// Algo Status) and the order it placed when it triggered. UsdmExchange keeps and triggers them
// (usdm_algo_orders.cpp); usdm_json renders them. Amounts at kScale.
#ifndef TRADEHOST_EXCHANGE_SIM_USDM_ALGO_ORDER_HPP
#define TRADEHOST_EXCHANGE_SIM_USDM_ALGO_ORDER_HPP

#include <cstdint>
#include <string>

#include "matching_engine.hpp"

namespace tradehost::exchange_sim {

/// "For CONDITIONAL algoType, STOP_MARKET/TAKE_PROFIT_MARKET/STOP/TAKE_PROFIT/TRAILING_STOP_MARKET".
enum class AlgoOrderType { StopMarket, TakeProfitMarket, Stop, TakeProfit, TrailingStopMarket };
/// NEW, CANCELED, TRIGGERING, TRIGGERED, FINISHED, REJECTED, EXPIRED ("Algo Status").
enum class AlgoStatus { New, Canceled, Triggering, Triggered, Finished, Rejected, Expired };
/// "triggerPrice triggered by: MARK_PRICE, CONTRACT_PRICE. Default CONTRACT_PRICE". The sim's
/// mark price is its last price, so both watch the same price.
enum class WorkingType { ContractPrice, MarkPrice };

const char* to_string(AlgoOrderType t);
const char* to_string(AlgoStatus s);
const char* to_string(WorkingType w);

/// A New Algo Order request after the REST layer parsed and type-checked it.
struct NewAlgoOrder {
  std::string account;
  std::string symbol;  ///< empty: the engine's first symbol
  AlgoOrderType type = AlgoOrderType::StopMarket;
  Side side = Side::Buy;
  TimeInForce tif = TimeInForce::GTC;  ///< STOP / TAKE_PROFIT: GTC, IOC or FOK
  int64_t qty = 0;                     ///< 0 with close_position
  int64_t price = 0;                   ///< STOP / TAKE_PROFIT only
  int64_t trigger_price = 0;           ///< all but TRAILING_STOP_MARKET
  int64_t activate_price = 0;          ///< TRAILING_STOP_MARKET; 0 = "default as the latest price"
  int64_t callback_rate = 0;           ///< TRAILING_STOP_MARKET: percent at kScale (1% = 1.0)
  WorkingType working_type = WorkingType::ContractPrice;
  bool reduce_only = false;
  bool close_position = false;  ///< STOP_MARKET / TAKE_PROFIT_MARKET "Close-All"
  std::string client_algo_id;   ///< empty: generated
};

/// One algo order and what became of it.
struct AlgoOrder {
  std::string account;
  std::string symbol;
  int64_t algo_id = 0;
  std::string client_algo_id;
  AlgoOrderType type = AlgoOrderType::StopMarket;
  Side side = Side::Buy;
  TimeInForce tif = TimeInForce::GTC;
  int64_t qty = 0;
  int64_t price = 0;
  int64_t trigger_price = 0;
  int64_t activate_price = 0;
  int64_t callback_rate = 0;
  WorkingType working_type = WorkingType::ContractPrice;
  bool reduce_only = false;
  bool close_position = false;
  AlgoStatus status = AlgoStatus::New;
  int64_t create_time_ms = 0;
  int64_t update_time_ms = 0;
  int64_t trigger_time_ms = 0;  ///< 0 until it triggered
  // TRAILING_STOP_MARKET: whether the activation price was reached, and the best last price since
  // (the highest for a SELL, the lowest for a BUY).
  bool activated = false;
  int64_t extreme_price = 0;
  // The order it placed in the matching engine when it triggered ("actualOrderId", "ai").
  int64_t actual_order_id = -1;
  OrderType actual_order_type = OrderType::Market;
  int64_t actual_executed_qty = 0;
  int64_t actual_avg_price = 0;
  std::string reason;  ///< "rm": why it was rejected when it triggered

  /// Not yet ended: NEW, TRIGGERING or TRIGGERED (its order still working).
  bool is_open() const {
    return status == AlgoStatus::New || status == AlgoStatus::Triggering || status == AlgoStatus::Triggered;
  }
  bool places_limit_order() const { return type == AlgoOrderType::Stop || type == AlgoOrderType::TakeProfit; }
};

}  // namespace tradehost::exchange_sim

#endif
