// spot_api.hpp -- the Binance spot REST API (/api/v3/...) and user data stream on a SpotExchange.
// Endpoints, weights and errors follow binance-spot-api-docs rest-api.md "Public Rest API for
// Binance (2023-06-07)"; README.md lists them.
#ifndef TRADEHOST_EXCHANGE_SIM_SPOT_API_HPP
#define TRADEHOST_EXCHANGE_SIM_SPOT_API_HPP

#include "spot_exchange.hpp"
#include "venue_api.hpp"

namespace tradehost::exchange_sim {

class SpotApi : public VenueApi {
 public:
  /// Loads the candle file and creates one account per key with the configured balances. Throws
  /// std::runtime_error on a bad candle file or start index.
  SpotApi(const SimConfig& config, ListenKeys& listen_keys);

  Venue venue() const override { return Venue::Spot; }
  MatchingEngine& engine() override { return exchange_; }
  const MatchingEngine& engine() const override { return exchange_; }
  SpotExchange& exchange() { return exchange_; }
  std::optional<Route> route(const std::string& method, const std::string& path, const Params& params) override;
  const char* weight_header() const override { return "X-MBX-USED-WEIGHT-1m"; }
  std::vector<OrderWindow> order_windows() const override;
  std::string weight_limit_message(int limit) const override {
    return "Too much request weight used; current limit is " + std::to_string(limit) +
           " request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.";
  }

 private:
  void connect_user(StreamHub& hub) override;
  std::vector<std::string> depth_streams() const override { return {"depth", "depth@100ms"}; }
  std::string render_order(const Order& o) const override;
  std::string render_open_orders(const std::vector<Order>& orders) const override;
  std::string render_trades(const std::vector<Fill>& fills) const override;

  HttpResponse exchange_info(const ApiCall& call);
  HttpResponse account(const ApiCall& call);
  HttpResponse new_order(const ApiCall& call);
  HttpResponse cancel_order(const ApiCall& call);
  HttpResponse user_data_stream(const ApiCall& call);

  SpotExchange exchange_;
};

}  // namespace tradehost::exchange_sim

#endif
