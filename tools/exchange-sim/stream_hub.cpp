#include "stream_hub.hpp"

#include <algorithm>

namespace tradehost::exchange_sim {

void StreamHub::attach(const std::shared_ptr<StreamSink>& sink, const std::vector<std::string>& streams,
                       bool combined, bool user) {
  Connection c;
  c.sink = sink;
  c.streams.insert(streams.begin(), streams.end());
  c.combined = combined;
  c.user = user;
  connections_.push_back(std::move(c));
}

void StreamHub::detach(const StreamSink* sink) {
  std::erase_if(connections_, [&](const Connection& c) {
    auto s = c.sink.lock();
    return !s || s.get() == sink;
  });
}

void StreamHub::prune() {
  std::erase_if(connections_, [](const Connection& c) { return c.sink.expired(); });
}

size_t StreamHub::connections() {
  prune();
  return connections_.size();
}

bool StreamHub::has_subscribers(const std::string& stream) {
  prune();
  return std::any_of(connections_.begin(), connections_.end(),
                     [&](const Connection& c) { return c.streams.count(stream) != 0; });
}

void StreamHub::send(Connection& c, const std::shared_ptr<const std::string>& text) {
  if (faults_.stall) {
    c.held.push_back(text);
    return;
  }
  if (auto s = c.sink.lock()) s->deliver(text, faults_.delay_ms);
}

void StreamHub::publish(const std::string& stream, const std::string& payload) {
  prune();
  bool twice = faults_.duplicate > 0;
  if (twice) --faults_.duplicate;
  std::shared_ptr<const std::string> raw, wrapped;
  for (auto& c : connections_) {
    if (c.streams.count(stream) == 0) continue;
    auto& text = c.combined ? wrapped : raw;
    if (!text)
      text = std::make_shared<const std::string>(
          c.combined ? "{\"stream\":\"" + stream + "\",\"data\":" + payload + "}" : payload);
    send(c, text);
    if (twice) send(c, text);
  }
}

bool StreamHub::take_depth_gap() {
  if (faults_.depth_gap <= 0) return false;
  --faults_.depth_gap;
  return true;
}

void StreamHub::subscribe(const StreamSink* sink, const std::vector<std::string>& streams) {
  for (auto& c : connections_)
    if (c.sink.lock().get() == sink) c.streams.insert(streams.begin(), streams.end());
}

void StreamHub::unsubscribe(const StreamSink* sink, const std::vector<std::string>& streams) {
  for (auto& c : connections_)
    if (c.sink.lock().get() == sink)
      for (const auto& s : streams) c.streams.erase(s);
}

std::vector<std::string> StreamHub::subscriptions(const StreamSink* sink) const {
  for (const auto& c : connections_)
    if (c.sink.lock().get() == sink) return {c.streams.begin(), c.streams.end()};
  return {};
}

size_t StreamHub::drop(Target target) {
  prune();
  std::vector<std::shared_ptr<StreamSink>> victims;
  for (auto& c : connections_)
    if (target == Target::All || (target == Target::User) == c.user)
      if (auto s = c.sink.lock()) victims.push_back(s);
  // Drop after collecting: a sink's drop() may detach itself and reshape connections_.
  for (auto& s : victims) s->drop();
  return victims.size();
}

size_t StreamHub::drop_stream(const std::string& stream) {
  prune();
  std::vector<std::shared_ptr<StreamSink>> victims;
  for (auto& c : connections_)
    if (c.streams.count(stream) != 0)
      if (auto s = c.sink.lock()) victims.push_back(s);
  for (auto& s : victims) s->drop();
  return victims.size();
}

void StreamHub::set_stall(bool stall) {
  faults_.stall = stall;
  if (stall) return;
  prune();
  for (auto& c : connections_) {
    auto held = std::move(c.held);
    c.held.clear();
    for (auto& text : held) send(c, text);
  }
}

}  // namespace tradehost::exchange_sim
