// usdm_api.hpp -- a subset of the Binance USDⓈ-M futures REST API (/fapi/...) and its user data
// stream on a UsdmExchange. Endpoints, weights and errors: developers.binance.com/docs/
// derivatives/usds-margined-futures (see usdm_json.hpp for which pages the shapes come from);
// README.md "USDⓈ-M futures" lists them. Signing is spot's (request_auth.hpp): the futures docs
// define SIGNED endpoints the same way.
#ifndef TRADEHOST_EXCHANGE_SIM_USDM_API_HPP
#define TRADEHOST_EXCHANGE_SIM_USDM_API_HPP

#include "usdm_exchange.hpp"
#include "venue_api.hpp"

namespace tradehost::exchange_sim {

class UsdmApi : public VenueApi {
 public:
  /// Loads the candle file (prices must sit on the 0.10 tick) and creates one account per key
  /// whose wallet is the configured USDT balance. Throws std::runtime_error on a bad candle file
  /// or start index.
  UsdmApi(const SimConfig& config, ListenKeys& listen_keys);

  Venue venue() const override { return Venue::UsdM; }
  MatchingEngine& engine() override { return exchange_; }
  const MatchingEngine& engine() const override { return exchange_; }
  UsdmExchange& exchange() { return exchange_; }
  std::optional<Route> route(const std::string& method, const std::string& path, const Params& params) override;
  const char* weight_header() const override { return "X-MBX-USED-WEIGHT-1M"; }
  std::vector<OrderWindow> order_windows() const override;
  /// USDⓈ-M "Error Codes" -1003 TOO_MANY_REQUESTS.
  std::string weight_limit_message(int limit) const override {
    return "Too many requests; current limit is " + std::to_string(limit) +
           " requests per minute. Please use the websocket for live updates to avoid polling the API.";
  }

 private:
  void connect_user(StreamHub& hub) override;
  std::vector<std::string> depth_streams() const override { return {"depth", "depth@100ms", "depth@500ms"}; }
  std::string render_order(const Order& o) const override;
  std::string render_open_orders(const std::vector<Order>& orders) const override;
  std::string render_trades(const std::vector<Fill>& fills) const override;

  HttpResponse exchange_info(const ApiCall& call);
  HttpResponse account(const ApiCall& call);
  HttpResponse position_risk(const ApiCall& call);
  HttpResponse new_order(const ApiCall& call);
  HttpResponse cancel_order(const ApiCall& call);
  HttpResponse new_algo_order(const ApiCall& call);
  HttpResponse cancel_algo_order(const ApiCall& call);
  HttpResponse query_algo_order(const ApiCall& call);
  HttpResponse open_algo_orders(const ApiCall& call);
  HttpResponse leverage(const ApiCall& call);
  HttpResponse margin_type(const ApiCall& call);
  HttpResponse listen_key(const ApiCall& call);

  UsdmExchange exchange_;
};

}  // namespace tradehost::exchange_sim

#endif
