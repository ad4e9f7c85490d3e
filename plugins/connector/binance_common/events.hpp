// Building and emitting a Binance connector's events (plugin.h "Events"): the header every event
// starts with, and status events.
#ifndef TRADEHOST_BINANCE_EVENTS_HPP
#define TRADEHOST_BINANCE_EVENTS_HPP

#include <tradehost/plugin.hpp>

#include <string>

namespace tradehost::binance {

/// A zeroed event struct E (th_ev_order, th_ev_fill, ...) whose header is filled: struct_size =
/// sizeof(E), `type` (TH_EV_*), the instrument (0 for none), the venue's and the host's times.
template <class E>
E make_event(uint32_t type, th_instrument_id instrument, th_time_ns ts_event, th_time_ns ts_recv) {
  E ev{};
  ev.h.struct_size = sizeof ev;
  ev.h.type = type;
  ev.h.instrument = instrument;
  ev.h.ts_event = ts_event;
  ev.h.ts_recv = ts_recv;
  return ev;
}

/// Emits a TH_EV_STATUS (TH_STATUS_*) with `message`, stamped with the host's clock.
inline void emit_status(const Context& ctx, int32_t code, const std::string& message) {
  const th_time_ns now = ctx.now();
  auto ev = make_event<th_ev_status>(TH_EV_STATUS, 0, now, now);
  ev.code = code;
  ev.message = to_th(message);
  ctx.host()->emit(ctx.self(), &ev.h);
}

}  // namespace tradehost::binance

#endif  // TRADEHOST_BINANCE_EVENTS_HPP
