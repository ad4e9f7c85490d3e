// A real loopback HTTP server (tests/unit/net/loopback_server.hpp) on its own io_context and
// thread, for integration tests whose client is another process (`tradehost`): the notifier tests
// play the Telegram Bot API and webhook services with it.
#pragma once

#include "tests/unit/net/loopback_server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <string>
#include <thread>

namespace tradehost_it {

/// Answers each request with the handler, called on the server's thread. Read the server's
/// requests() only after stop().
struct ThreadedHttpServer {
  explicit ThreadedHttpServer(tradehost::net::test::LoopbackHttpServer::Handler handler) : http(io, std::move(handler)) {}
  boost::asio::io_context io;
  tradehost::net::test::LoopbackHttpServer http;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::thread thread{[this] { io.run(); }};

  /// "http://127.0.0.1:<port>".
  std::string url() const { return "http://127.0.0.1:" + std::to_string(http.port()); }
  void stop() {
    work.reset();
    io.stop();
    if (thread.joinable()) thread.join();
  }
  ~ThreadedHttpServer() { stop(); }
};

}  // namespace tradehost_it
