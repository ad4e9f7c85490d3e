// venue.hpp -- which Binance API a simulator process speaks.
#ifndef TRADEHOST_EXCHANGE_SIM_VENUE_HPP
#define TRADEHOST_EXCHANGE_SIM_VENUE_HPP

namespace tradehost::exchange_sim {

/// Spot (/api/v3, SpotApi) or the USDⓈ-M futures subset (/fapi, UsdmApi).
enum class Venue { Spot, UsdM };

}  // namespace tradehost::exchange_sim

#endif
