#include "depth_sync.hpp"

namespace tradehost::binance {

DepthSynchroniser::DepthSynchroniser(Venue venue, size_t max_buffered)
    : venue_(venue), max_buffered_(max_buffered == 0 ? 1 : max_buffered) {}

void DepthSynchroniser::reset() {
  book_.clear();
  buffer_.clear();
  state_ = State::AwaitingSnapshot;
}

DepthSynchroniser::Outcome DepthSynchroniser::on_diff(const DepthDiff& diff) {
  if (state_ == State::AwaitingSnapshot) {
    if (buffer_.size() == max_buffered_) buffer_.pop_front();
    buffer_.push_back(diff);
    return Outcome::Buffered;
  }
  return step(diff);
}

DepthSynchroniser::Outcome DepthSynchroniser::on_snapshot(const DepthSnapshot& snapshot) {
  if (!book_.apply_snapshot(snapshot.bids, snapshot.asks)) {
    reset();
    ++gaps_;
    return Outcome::ResyncNeeded;
  }
  last_update_id_ = snapshot.last_update_id;
  state_ = State::Bridging;
  // Replay from a moved-out buffer: a gap inside the replay starts a new buffer_ (see gap()),
  // which must receive the rest of the old one too -- a later snapshot may bridge them.
  std::deque<DepthDiff> pending;
  pending.swap(buffer_);
  Outcome result = Outcome::Applied;
  for (const DepthDiff& d : pending) {
    if (state_ == State::AwaitingSnapshot) {
      buffer_.push_back(d);
      continue;
    }
    if (step(d) == Outcome::ResyncNeeded) result = Outcome::ResyncNeeded;
  }
  return result;
}

DepthSynchroniser::Outcome DepthSynchroniser::step(const DepthDiff& d) {
  const int64_t last = last_update_id_;
  if (state_ == State::Bridging) {
    if (venue_ == Venue::Spot) {
      if (d.final_update_id <= last) return drop_stale();
      // u > last here, so U <= last + 1 completes "U <= lastUpdateId+1 <= u".
      if (d.first_update_id > last + 1) return gap(d);
    } else {
      if (d.final_update_id < last) return drop_stale();
      // u >= last here; "U <= lastUpdateId <= u", or the pu bridge (see the header).
      if (d.first_update_id > last && d.prev_final_update_id > last) return gap(d);
    }
  } else {  // Live
    const bool chained = venue_ == Venue::Spot ? d.first_update_id == last + 1
                                               : d.prev_final_update_id == last;
    if (!chained) return gap(d);
  }
  apply(d);
  state_ = State::Live;
  return Outcome::Applied;
}

void DepthSynchroniser::apply(const DepthDiff& d) {
  // Parsed quantities are never negative (MarketDataParser refuses them), so set_level cannot
  // refuse a level here.
  for (const BookLevel& l : d.bids) book_.set_level(BookSide::Bid, l.price, l.qty);
  for (const BookLevel& l : d.asks) book_.set_level(BookSide::Ask, l.price, l.qty);
  last_update_id_ = d.final_update_id;
  ++applied_;
}

DepthSynchroniser::Outcome DepthSynchroniser::drop_stale() {
  ++stale_;
  return Outcome::Stale;
}

DepthSynchroniser::Outcome DepthSynchroniser::gap(const DepthDiff& d) {
  reset();
  ++gaps_;
  buffer_.push_back(d);  // the next snapshot may well be bridged by this very diff
  return Outcome::ResyncNeeded;
}

}  // namespace tradehost::binance
