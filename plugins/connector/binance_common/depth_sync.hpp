// Keeps a local L2 book of one symbol in sync with Binance's diff depth stream and REST snapshots,
// following "How to manage a local order book correctly" (spot: web-socket-streams.md; USD-M:
// "Websocket Market Streams" > "How to manage a local order book correctly").
#ifndef TRADEHOST_BINANCE_DEPTH_SYNC_HPP
#define TRADEHOST_BINANCE_DEPTH_SYNC_HPP

#include "market_data.hpp"

#include <tradehost/order_book.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>

namespace tradehost::binance {

/// The documented procedure, per venue. The caller owns the I/O: it feeds every diff of the
/// symbol's depth stream to on_diff() (from the moment the stream is open), fetches a REST
/// snapshot whenever needs_snapshot() is true, and passes it to on_snapshot().
///
/// 1. Until a snapshot arrives, diffs are buffered.
/// 2. On the snapshot (lastUpdateId = L) the book is replaced and the buffer replayed through 3-4.
/// 3. Before the first diff is applied, stale diffs are dropped -- spot: u <= L; USD-M: u < L --
///    and the first one kept must bridge the snapshot -- spot: U <= L+1 <= u; USD-M: U <= L <= u.
///    USD-M also accepts a first diff with U > L when its pu <= L: update ids are global across
///    USD-M symbols, so a symbol can have no event spanning L at all; pu <= L then proves the
///    symbol had no update between its previous event (already inside the snapshot) and U.
///    A first diff that bridges neither way means updates were missed.
/// 4. Every later diff must chain to the previous one -- spot: U == previous u + 1; USD-M:
///    pu == previous u.
/// Any break is a gap: the book is cleared at once (a strategy must never read stale levels),
/// the diff that showed the gap starts a new buffer, and needs_snapshot() turns true again.
///
/// Not thread-safe; one instance per symbol, owned by the connector's loop thread.
class DepthSynchroniser {
 public:
  enum class State : uint8_t {
    AwaitingSnapshot,  ///< buffering diffs; the book is empty; needs_snapshot() is true
    Bridging,          ///< snapshot applied, no diff applied yet; the book is the snapshot
    Live,              ///< snapshot and a chain of diffs applied; the book is current
  };

  /// What became of a diff or snapshot.
  enum class Outcome : uint8_t {
    Buffered,      ///< diff kept until a snapshot arrives
    Applied,       ///< diff applied / snapshot applied and the buffer replayed without a gap
    Stale,         ///< diff older than the book (step 3), ignored
    ResyncNeeded,  ///< gap: book cleared, fetch a new snapshot
  };

  /// `max_buffered` bounds the buffer while a snapshot is awaited; beyond it the oldest diff is
  /// dropped, which the bridge check of step 3 then reports as a gap if it mattered.
  explicit DepthSynchroniser(Venue venue, size_t max_buffered = 4096);

  /// Feeds one diff of this synchroniser's symbol (the caller routes by DepthDiff::symbol).
  Outcome on_diff(const DepthDiff& diff);

  /// Applies a snapshot and replays the buffered diffs. Returns Applied, or ResyncNeeded when the
  /// buffer does not bridge the snapshot (e.g. the snapshot is older than the oldest buffered
  /// diff: fetch another) or the snapshot itself is corrupt (OrderBook::apply_snapshot refused
  /// it). Accepted in any state: a snapshot always restarts the procedure at step 2.
  Outcome on_snapshot(const DepthSnapshot& snapshot);

  /// Clears the book and the buffer and waits for a snapshot (e.g. after a reconnect).
  void reset();

  bool needs_snapshot() const noexcept { return state_ == State::AwaitingSnapshot; }
  State state() const noexcept { return state_; }
  /// The local book: empty while AwaitingSnapshot, otherwise the state as of last_update_id().
  const OrderBook& book() const noexcept { return book_; }
  /// Update id the book is current to: the snapshot's lastUpdateId, then each applied diff's u.
  /// Meaningless while AwaitingSnapshot.
  int64_t last_update_id() const noexcept { return last_update_id_; }
  size_t buffered() const noexcept { return buffer_.size(); }
  /// Counters since construction: diffs applied, diffs dropped as stale (step 3), gaps (each
  /// one asked for a resync). For the connector's metrics and the tests.
  uint64_t applied() const noexcept { return applied_; }
  uint64_t stale() const noexcept { return stale_; }
  uint64_t gaps() const noexcept { return gaps_; }

 private:
  Outcome step(const DepthDiff& diff);  // steps 3-4 on a book that has a snapshot
  void apply(const DepthDiff& diff);
  Outcome gap(const DepthDiff& diff);
  Outcome drop_stale();

  Venue venue_;
  size_t max_buffered_;
  State state_ = State::AwaitingSnapshot;
  OrderBook book_;
  int64_t last_update_id_ = 0;
  std::deque<DepthDiff> buffer_;
  uint64_t applied_ = 0;
  uint64_t stale_ = 0;
  uint64_t gaps_ = 0;
};

}  // namespace tradehost::binance

#endif  // TRADEHOST_BINANCE_DEPTH_SYNC_HPP
