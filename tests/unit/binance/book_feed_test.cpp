// BookFeeds driven by a scripted host: the WebSocket events, HTTP answers and timers come from the
// test, which reads back the requests, timers and events the feed made. Spot frames and snapshot
// bodies in Binance's shapes (web-socket-streams.md "Diff. Depth Stream", rest-api.md "Order
// book"); the expected books are written out by hand. No sockets, no sleeps.
#include <binance_common/book_feed.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace {

namespace binance = tradehost::binance;
using binance::BookFeeds;

constexpr th_instrument_id kId = 7;
constexpr uint64_t kCookie = BookFeeds::kCookieBase + kId;
constexpr th_time_ns kNow = 1'672'531'200'000'000'000;  // 2023-01-01T00:00:00Z

std::string str(th_str s) { return s.ptr ? std::string(s.ptr, s.len) : std::string(); }

struct Request {
  uint64_t id = 0, cookie = 0;
  std::string url, venue, budgets;
  uint32_t timeout_ms = 0;
};
struct Timer {
  uint64_t id = 0, cookie = 0;
  th_time_ns period = 0;
};
/// One emitted event; levels as "price:qty" raw.
struct Event {
  uint32_t type = 0;
  th_instrument_id instrument = 0;
  uint64_t update_id = 0;
  std::vector<std::string> bids, asks;
  int32_t code = 0;
  std::string message;
};

struct Host {
  std::vector<Request> requests;
  std::vector<uint64_t> cancelled_requests, cancelled_timers;
  std::vector<Timer> timers;
  std::vector<std::string> ws_urls, logs;
  std::vector<Event> events;
  th_status emit_status = TH_OK;
  uint64_t next_id = 100;
};
Host* g = nullptr;

void h_log(th_instance*, int32_t, th_str msg) { g->logs.push_back(str(msg)); }
th_time_ns h_now(th_instance*) { return kNow; }
uint64_t h_http(th_instance*, const th_http_request* r, uint64_t cookie) {
  g->requests.push_back({++g->next_id, cookie, str(r->url), str(r->venue), str(r->budgets), r->timeout_ms});
  return g->next_id;
}
th_status h_http_cancel(th_instance*, uint64_t id) {
  g->cancelled_requests.push_back(id);
  return TH_OK;
}
uint64_t h_ws_open(th_instance*, th_str url, uint64_t) {
  g->ws_urls.push_back(str(url));
  return ++g->next_id;
}
uint64_t h_timer_start(th_instance*, th_time_ns period, int32_t, uint64_t cookie) {
  g->timers.push_back({++g->next_id, cookie, period});
  return g->next_id;
}
void h_timer_cancel(th_instance*, uint64_t id) { g->cancelled_timers.push_back(id); }
th_status h_emit(th_instance*, const th_event* ev) {
  Event e;
  e.type = ev->type;
  e.instrument = ev->instrument;
  if (ev->type == TH_EV_BOOK_SNAPSHOT || ev->type == TH_EV_BOOK_DELTA) {
    const auto* b = reinterpret_cast<const th_ev_book*>(ev);
    e.update_id = b->update_id;
    for (uint32_t i = 0; i < b->bid_count; ++i)
      e.bids.push_back(std::to_string(b->bids[i].price) + ":" + std::to_string(b->bids[i].qty));
    for (uint32_t i = 0; i < b->ask_count; ++i)
      e.asks.push_back(std::to_string(b->asks[i].price) + ":" + std::to_string(b->asks[i].qty));
  } else if (ev->type == TH_EV_STATUS) {
    const auto* s = reinterpret_cast<const th_ev_status*>(ev);
    e.code = s->code;
    e.message = str(s->message);
  }
  if (g->emit_status == TH_OK) g->events.push_back(e);
  return g->emit_status;
}

th_host_api make_api() {
  th_host_api api{};
  api.struct_size = sizeof api;
  api.abi_version = TH_ABI_VERSION;
  api.log = h_log;
  api.now = h_now;
  api.http_request = h_http;
  api.http_cancel = h_http_cancel;
  api.ws_open = h_ws_open;
  api.timer_start = h_timer_start;
  api.timer_cancel = h_timer_cancel;
  api.emit = h_emit;
  return api;
}

/// Prices at scale 2, quantities at scale 3: "100.01" -> 10001, "1.5" -> 1500.
std::string diff(int64_t U, int64_t u, const std::string& bids, const std::string& asks) {
  return R"({"e":"depthUpdate","E":1672531200123,"s":"BTCUSDT","U":)" + std::to_string(U) + R"(,"u":)" +
         std::to_string(u) + R"(,"b":[)" + bids + R"(],"a":[)" + asks + "]}";
}
const std::string kSnapshot100 =
    R"({"lastUpdateId":100,"bids":[["100.00","1.000"],["99.99","2.000"],["99.98","3.000"]],)"
    R"("asks":[["100.01","1.000"],["100.02","2.000"],["100.03","3.000"]]})";

class BookFeedTest : public ::testing::Test {
 protected:
  void SetUp() override { g = &host_; }
  void TearDown() override { g = nullptr; }

  std::unique_ptr<BookFeeds> make(size_t depth) {
    binance::BookFeedSettings s;
    s.venue = binance::Venue::Spot;
    s.rest_url = "http://venue";
    s.ws_url = "ws://venue";
    s.rate_venue = "binance-spot";
    s.weight_budget = "binance-spot:REQUEST_WEIGHT:1m";
    s.depth = binance::spot_depth_endpoint();
    s.book_depth = depth;
    auto feeds = std::make_unique<BookFeeds>(ctx_, s);
    feeds->add(kId, "BTCUSDT", binance::Scales{2, 3});
    return feeds;
  }
  void answer(BookFeeds& f, const Request& r, int status, const std::string& body, const std::string& headers = "") {
    th_http_response resp{};
    resp.struct_size = sizeof resp;
    resp.status = status;
    resp.error = TH_OK;
    resp.headers = th_str{headers.data(), headers.size()};
    resp.body = th_bytes{reinterpret_cast<const uint8_t*>(body.data()), body.size()};
    f.on_http(r.id, r.cookie, resp);
  }
  static void ws(BookFeeds& f, int32_t what, const std::string& data = "") { f.on_ws(kCookie, what, data); }

  Host host_;
  th_host_api api_ = make_api();
  tradehost::Context ctx_{reinterpret_cast<th_instance*>(&host_), &api_};
};

TEST_F(BookFeedTest, SnapshotAfterBridgingThenDeltasWithinTheWindow) {
  auto feeds = make(2);
  ASSERT_EQ(host_.ws_urls, (std::vector<std::string>{"ws://venue/ws/btcusdt@depth@100ms"}));
  EXPECT_TRUE(host_.requests.empty());  // the snapshot is asked for once the stream is open

  ws(*feeds, TH_WS_OPENED);
  ASSERT_EQ(host_.requests.size(), 1u);
  EXPECT_EQ(host_.requests[0].url, "http://venue/api/v3/depth?symbol=BTCUSDT&limit=100");
  EXPECT_EQ(host_.requests[0].budgets, "binance-spot:REQUEST_WEIGHT:1m=5");  // limit 1-100: weight 5
  EXPECT_EQ(host_.requests[0].venue, "binance-spot");
  EXPECT_EQ(host_.requests[0].cookie, kCookie);

  // Buffered until the snapshot: 99..101 bridges lastUpdateId 100 and takes the best bid away.
  ws(*feeds, TH_WS_MESSAGE, diff(99, 101, R"(["100.00","0"])", ""));
  EXPECT_TRUE(host_.events.empty());
  answer(*feeds, host_.requests[0], 200, kSnapshot100);
  ASSERT_EQ(host_.events.size(), 1u);
  EXPECT_EQ(host_.events[0].type, TH_EV_BOOK_SNAPSHOT);
  EXPECT_EQ(host_.events[0].instrument, kId);
  EXPECT_EQ(host_.events[0].update_id, 101u);
  EXPECT_EQ(host_.events[0].bids, (std::vector<std::string>{"9999:2000", "9998:3000"}));
  EXPECT_EQ(host_.events[0].asks, (std::vector<std::string>{"10001:1000", "10002:2000"}));

  // The best ask goes: 100.03 enters the two-level window.
  ws(*feeds, TH_WS_MESSAGE, diff(102, 102, "", R"(["100.01","0.000"])"));
  ASSERT_EQ(host_.events.size(), 2u);
  EXPECT_EQ(host_.events[1].type, TH_EV_BOOK_DELTA);
  EXPECT_EQ(host_.events[1].update_id, 102u);
  EXPECT_TRUE(host_.events[1].bids.empty());
  EXPECT_EQ(host_.events[1].asks, (std::vector<std::string>{"10001:0", "10003:3000"}));

  // Below the window: applied, nothing to send.
  ws(*feeds, TH_WS_MESSAGE, diff(103, 103, R"(["99.90","5"])", ""));
  EXPECT_EQ(host_.events.size(), 2u);
  EXPECT_EQ(feeds->synchroniser(kId)->last_update_id(), 103);
  EXPECT_EQ(host_.requests.size(), 1u);
}

TEST_F(BookFeedTest, GapDropsTheBookSaysDisconnectedAndResynchronises) {
  auto feeds = make(2);
  ws(*feeds, TH_WS_OPENED);
  answer(*feeds, host_.requests[0], 200, kSnapshot100);
  ws(*feeds, TH_WS_MESSAGE, diff(101, 101, R"(["100.00","4"])", ""));
  ASSERT_EQ(host_.events.size(), 2u);

  // 102 never came.
  ws(*feeds, TH_WS_MESSAGE, diff(103, 103, R"(["100.00","5"])", ""));
  ASSERT_EQ(host_.events.size(), 3u);
  EXPECT_EQ(host_.events[2].type, TH_EV_STATUS);
  EXPECT_EQ(host_.events[2].code, TH_STATUS_DISCONNECTED);
  EXPECT_EQ(host_.events[2].message, "book resync BTCUSDT: sequence gap: diff U=103 u=103 after update id 101");
  EXPECT_TRUE(feeds->synchroniser(kId)->book().empty());
  ASSERT_EQ(host_.requests.size(), 2u);  // asked again at once

  // The new snapshot is newer than the diff that showed the gap: a fresh book from it alone.
  answer(*feeds, host_.requests[1], 200,
         R"({"lastUpdateId":104,"bids":[["99.50","1"]],"asks":[["99.60","1"],["99.70","2"],["99.80","3"]]})");
  ASSERT_EQ(host_.events.size(), 5u);
  EXPECT_EQ(host_.events[3].type, TH_EV_BOOK_SNAPSHOT);
  EXPECT_EQ(host_.events[3].update_id, 104u);
  EXPECT_EQ(host_.events[3].bids, (std::vector<std::string>{"9950:1000"}));
  EXPECT_EQ(host_.events[3].asks, (std::vector<std::string>{"9960:1000", "9970:2000"}));
  EXPECT_EQ(host_.events[4].type, TH_EV_STATUS);
  EXPECT_EQ(host_.events[4].code, TH_STATUS_READY);
  EXPECT_EQ(host_.events[4].message, "book synchronised BTCUSDT at update id 104");
}

TEST_F(BookFeedTest, ClosedStreamDropsTheBookAndWaitsForTheReopenedOne) {
  auto feeds = make(2);
  ws(*feeds, TH_WS_OPENED);
  answer(*feeds, host_.requests[0], 200, kSnapshot100);
  ASSERT_EQ(host_.events.size(), 1u);

  ws(*feeds, TH_WS_CLOSED, "eof");
  ASSERT_EQ(host_.events.size(), 2u);
  EXPECT_EQ(host_.events[1].code, TH_STATUS_DISCONNECTED);
  EXPECT_EQ(host_.events[1].message, "book resync BTCUSDT: market stream closed (eof)");
  EXPECT_EQ(host_.requests.size(), 1u);  // no snapshot while the stream is down

  ws(*feeds, TH_WS_OPENED);
  ASSERT_EQ(host_.requests.size(), 2u);
  // The stream closes again before the answer: the request is abandoned and its late answer
  // must not build a book.
  ws(*feeds, TH_WS_CLOSED, "reset");
  EXPECT_EQ(host_.cancelled_requests, (std::vector<uint64_t>{host_.requests[1].id}));
  answer(*feeds, host_.requests[1], 200, kSnapshot100);
  EXPECT_EQ(host_.events.size(), 2u);

  ws(*feeds, TH_WS_OPENED);
  ASSERT_EQ(host_.requests.size(), 3u);
  answer(*feeds, host_.requests[2], 200, R"({"lastUpdateId":300,"bids":[["90.00","1"]],"asks":[["90.01","1"]]})");
  ASSERT_EQ(host_.events.size(), 4u);
  EXPECT_EQ(host_.events[2].type, TH_EV_BOOK_SNAPSHOT);
  EXPECT_EQ(host_.events[2].update_id, 300u);
  EXPECT_EQ(host_.events[2].bids, (std::vector<std::string>{"9000:1000"}));
  EXPECT_EQ(host_.events[3].code, TH_STATUS_READY);
}

TEST_F(BookFeedTest, RateLimitedSnapshotIsAskedAgainAfterRetryAfter) {
  auto feeds = make(20);
  ws(*feeds, TH_WS_OPENED);
  answer(*feeds, host_.requests[0], 429, R"({"code":-1003,"msg":"Too many requests."})", "Retry-After: 7\r\n");
  ASSERT_EQ(host_.timers.size(), 1u);
  EXPECT_EQ(host_.timers[0].period, 7'000'000'000);
  EXPECT_EQ(host_.timers[0].cookie, kCookie);
  EXPECT_EQ(host_.requests.size(), 1u);
  feeds->on_timer(host_.timers[0].id + 1, kCookie);  // not this feed's timer
  EXPECT_EQ(host_.requests.size(), 1u);
  feeds->on_timer(host_.timers[0].id, kCookie);
  ASSERT_EQ(host_.requests.size(), 2u);
  answer(*feeds, host_.requests[1], 200, kSnapshot100);
  ASSERT_EQ(host_.events.size(), 1u);
  EXPECT_EQ(host_.events[0].bids.size(), 3u);  // the whole snapshot fits a 20-level window
}

TEST_F(BookFeedTest, SnapshotOlderThanTheBufferIsAskedForAgain) {
  auto feeds = make(2);
  ws(*feeds, TH_WS_OPENED);
  ws(*feeds, TH_WS_MESSAGE, diff(150, 151, R"(["100.00","4"])", ""));
  answer(*feeds, host_.requests[0], 200, kSnapshot100);  // 100 < U - 1: updates 101..149 unknown
  EXPECT_TRUE(host_.events.empty());
  ASSERT_EQ(host_.requests.size(), 2u);  // the documented "go back": at once the first time
  answer(*feeds, host_.requests[1], 200, kSnapshot100);
  ASSERT_EQ(host_.requests.size(), 2u);  // then with backoff
  ASSERT_EQ(host_.timers.size(), 1u);
  feeds->on_timer(host_.timers[0].id, kCookie);
  ASSERT_EQ(host_.requests.size(), 3u);
  answer(*feeds, host_.requests[2], 200, R"({"lastUpdateId":150,"bids":[["100.00","1"]],"asks":[["100.01","1"]]})");
  ASSERT_EQ(host_.events.size(), 1u);
  EXPECT_EQ(host_.events[0].update_id, 151u);
  EXPECT_EQ(host_.events[0].bids, (std::vector<std::string>{"10000:4000"}));
}

TEST_F(BookFeedTest, ASnapshotTheHostRefusedIsSentAgainWithTheNextDiff) {
  auto feeds = make(2);
  ws(*feeds, TH_WS_OPENED);
  host_.emit_status = TH_ERR_NOT_READY;  // before the run starts
  answer(*feeds, host_.requests[0], 200, kSnapshot100);
  host_.emit_status = TH_OK;
  ws(*feeds, TH_WS_MESSAGE, diff(101, 101, R"(["100.00","4"])", ""));
  ASSERT_EQ(host_.events.size(), 1u);
  EXPECT_EQ(host_.events[0].type, TH_EV_BOOK_SNAPSHOT);
  EXPECT_EQ(host_.events[0].bids, (std::vector<std::string>{"10000:4000", "9999:2000"}));
}

TEST(BookDepthEndpoint, LimitsAndWeightsPerVenue) {
  const binance::DepthEndpoint spot = binance::spot_depth_endpoint();
  EXPECT_EQ(spot.max_depth(), 5000u);
  EXPECT_EQ(spot.limit_for(1)->limit, 100u);
  EXPECT_EQ(spot.limit_for(100)->weight, 5);
  EXPECT_EQ(spot.limit_for(101)->limit, 500u);
  EXPECT_EQ(spot.limit_for(101)->weight, 25);
  EXPECT_EQ(spot.limit_for(5000)->weight, 250);
  EXPECT_EQ(spot.limit_for(5001), nullptr);
  const binance::DepthEndpoint usdm = binance::usdm_depth_endpoint();
  EXPECT_EQ(usdm.path, "/fapi/v1/depth");
  EXPECT_EQ(usdm.limit_for(20)->limit, 20u);
  EXPECT_EQ(usdm.limit_for(20)->weight, 2);
  EXPECT_EQ(usdm.limit_for(21)->limit, 50u);
  EXPECT_EQ(usdm.limit_for(1000)->weight, 20);
  EXPECT_EQ(usdm.limit_for(1001), nullptr);
}

TEST_F(BookFeedTest, BookDepthBeyondTheEndpointIsRefused) {
  EXPECT_THROW(make(0), tradehost::Error);
  EXPECT_THROW(make(5001), tradehost::Error);
  EXPECT_NO_THROW(make(5000));
}

}  // namespace
