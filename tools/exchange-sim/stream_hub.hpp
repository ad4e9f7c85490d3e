// stream_hub.hpp -- who listens to which WebSocket stream, and the stream-side fault switches.
// Knows nothing about sockets: a connection is a StreamSink the server implements with Beast.
#ifndef TRADEHOST_EXCHANGE_SIM_STREAM_HUB_HPP
#define TRADEHOST_EXCHANGE_SIM_STREAM_HUB_HPP

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace tradehost::exchange_sim {

/// One WebSocket connection as the hub sees it. Called on the server's io_context thread.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  /// Sends a text frame after `delay_ms` (0: now), keeping frames in the order they were given.
  virtual void deliver(std::shared_ptr<const std::string> text, int delay_ms) = 0;
  /// Closes the TCP connection without a close frame, as a network failure would.
  virtual void drop() = 0;
};

/// Stream-side faults (POST /_sim/fault). Counts are "the next N published messages".
struct StreamFaults {
  bool stall = false;    ///< hold every frame (the connections stay open) until cleared
  int delay_ms = 0;      ///< delay every frame by this much
  int duplicate = 0;     ///< send each of the next N messages twice
  int depth_gap = 0;     ///< silently skip the next N clock steps' depth updates (a sequence gap)
};

/// Subscriptions by stream name, with Binance's combined-stream envelope
/// {"stream":"<streamName>","data":<rawPayload>} for connections opened on /stream.
class StreamHub {
 public:
  /// Which connections a drop fault or a closed listenKey hits.
  enum class Target { All, Market, User };

  /// Registers a connection with its initial streams. `user` marks a user data stream.
  void attach(const std::shared_ptr<StreamSink>& sink, const std::vector<std::string>& streams, bool combined,
              bool user);
  void detach(const StreamSink* sink);
  /// True when at least one live connection listens to `stream` (rendering can be skipped if not).
  bool has_subscribers(const std::string& stream);
  /// Sends `payload` to every listener of `stream`, applying the stall, delay and duplicate faults.
  void publish(const std::string& stream, const std::string& payload);
  /// Adds or removes streams of a connection (live SUBSCRIBE / UNSUBSCRIBE).
  void subscribe(const StreamSink* sink, const std::vector<std::string>& streams);
  void unsubscribe(const StreamSink* sink, const std::vector<std::string>& streams);
  std::vector<std::string> subscriptions(const StreamSink* sink) const;
  /// Drops connections (see StreamSink::drop); returns how many.
  size_t drop(Target target);
  /// Drops the connections that listen to `stream` (a closed listenKey).
  size_t drop_stream(const std::string& stream);
  /// Whether the depth gap fault swallows this clock step's depth diff (on every depth stream),
  /// counting it down when it does.
  bool take_depth_gap();
  /// Starts or ends a stall; ending it sends the held frames in order.
  void set_stall(bool stall);
  StreamFaults& faults() { return faults_; }
  size_t connections();

 private:
  struct Connection {
    std::weak_ptr<StreamSink> sink;
    std::set<std::string> streams;
    bool combined = false;
    bool user = false;
    std::vector<std::shared_ptr<const std::string>> held;
  };
  void prune();
  void send(Connection& c, const std::shared_ptr<const std::string>& text);

  std::vector<Connection> connections_;
  StreamFaults faults_;
};

}  // namespace tradehost::exchange_sim

#endif
