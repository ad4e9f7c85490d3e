// server.hpp -- exchange-sim's network front: one TCP port on which Boost.Beast serves the REST
// and control API over HTTP/1.1 and upgrades /ws/... and /stream?streams=... to WebSockets. With
// a TLS certificate and key in the SimConfig the port speaks HTTPS and WSS only.
// Everything (the simulator included) runs on the one thread that calls run().
#ifndef TRADEHOST_EXCHANGE_SIM_SERVER_HPP
#define TRADEHOST_EXCHANGE_SIM_SERVER_HPP

#include "simulator.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace tradehost::exchange_sim {

/// Whether `config` asks for TLS (a certificate and a key file). Throws std::runtime_error when
/// only one of the two is set.
bool tls_enabled(const SimConfig& config);

class Server {
 public:
  /// Binds `address`:`port` (port 0: an ephemeral port; see port()). Throws
  /// boost::system::system_error when the address cannot be bound, std::runtime_error when the
  /// configured TLS certificate or key does not load. `sim` must outlive the server and is only
  /// touched from the thread inside run().
  Server(Simulator& sim, const std::string& address, uint16_t port);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// The bound port, valid right after construction.
  uint16_t port() const;
  /// Accepts connections and serves them (and the pace timer) until stop(); blocks.
  void run();
  /// Makes run() return; callable from any thread. Open connections are closed.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tradehost::exchange_sim

#endif
