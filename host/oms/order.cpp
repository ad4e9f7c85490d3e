#include "oms/order.hpp"

namespace tradehost::oms {

const char* to_string(OrderState s) noexcept {
  switch (s) {
    case OrderState::PendingNew: return "PENDING_NEW";
    case OrderState::New: return "NEW";
    case OrderState::PartiallyFilled: return "PARTIALLY_FILLED";
    case OrderState::Filled: return "FILLED";
    case OrderState::Canceled: return "CANCELED";
    case OrderState::Rejected: return "REJECTED";
    case OrderState::Expired: return "EXPIRED";
  }
  return "UNKNOWN";
}

bool is_final(OrderState s) noexcept {
  return s == OrderState::Filled || s == OrderState::Canceled || s == OrderState::Rejected ||
         s == OrderState::Expired;
}

bool is_legal_transition(OrderState from, OrderState to) noexcept {
  switch (from) {
    case OrderState::PendingNew:
      return to == OrderState::New || to == OrderState::Rejected;
    case OrderState::New:
    case OrderState::PartiallyFilled:
      return to == OrderState::PartiallyFilled || to == OrderState::Filled ||
             to == OrderState::Canceled || to == OrderState::Expired;
    default:
      return false;
  }
}

const char* side_name(int32_t side) noexcept {
  return side == TH_SIDE_BUY ? "BUY" : side == TH_SIDE_SELL ? "SELL" : "?";
}

const char* order_type_name(int32_t type) noexcept {
  switch (type) {
    case TH_ORD_MARKET: return "MARKET";
    case TH_ORD_LIMIT: return "LIMIT";
    case TH_ORD_STOP_MARKET: return "STOP_MARKET";
    case TH_ORD_STOP_LIMIT: return "STOP_LIMIT";
    case TH_ORD_TAKE_PROFIT_MARKET: return "TAKE_PROFIT_MARKET";
    case TH_ORD_TAKE_PROFIT_LIMIT: return "TAKE_PROFIT_LIMIT";
    case TH_ORD_TRAILING_STOP: return "TRAILING_STOP";
  }
  return "?";
}

const char* tif_name(int32_t tif) noexcept {
  switch (tif) {
    case 0:
    case TH_TIF_GTC: return "GTC";
    case TH_TIF_IOC: return "IOC";
    case TH_TIF_FOK: return "FOK";
    case TH_TIF_GTX: return "GTX";
  }
  return "?";
}

}  // namespace tradehost::oms
