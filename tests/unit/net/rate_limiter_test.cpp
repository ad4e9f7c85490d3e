// SlidingWindow arithmetic on hand-picked time points, then RateLimiter through HttpClient
// against a loopback server with short windows (the loop's own timers do the waiting).
#include "net/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <optional>

#include "net/http_client.hpp"
#include "tests/unit/net/loopback_server.hpp"

namespace tradehost::net {
namespace {

using namespace std::chrono_literals;
using test::LoopbackHttpServer;
using test::ReceivedRequest;
using test::Reply;
using test::run_until;
using TimePoint = SlidingWindow::time_point;

const TimePoint t0{};

TEST(SlidingWindow, AdmitsUntilTheLimitThenWaitsForTheOldestSpendsToLeave) {
  SlidingWindow w(10, 1000ms);
  w.record(t0, 4);
  w.record(t0 + 100ms, 5);
  EXPECT_EQ(w.used(t0 + 200ms), 9);
  EXPECT_EQ(w.admit_at(t0 + 200ms, 1), t0 + 200ms);  // 9 + 1 = 10 fits
  // 9 + 2 = 11: the 4 spent at t0 must leave first, at t0 + 1000 ms (5 + 2 = 7 then).
  EXPECT_EQ(w.admit_at(t0 + 200ms, 2), t0 + 1000ms);
  // 9 + 8 = 17: both must leave; the 5 spent at 100 ms leaves at 1100 ms.
  EXPECT_EQ(w.admit_at(t0 + 200ms, 8), t0 + 1100ms);
  // A spend counts during [t, t + interval): gone exactly at t + interval.
  EXPECT_EQ(w.used(t0 + 999ms), 9);
  EXPECT_EQ(w.used(t0 + 1000ms), 5);
  EXPECT_EQ(w.used(t0 + 1100ms), 0);
}

TEST(SlidingWindow, VenueReportOnlyRaisesTheCount) {
  SlidingWindow w(100, 60'000ms);
  w.record(t0, 1);
  w.raise_to(t0 + 10ms, 40);  // other processes on the same IP spent 39
  EXPECT_EQ(w.used(t0 + 20ms), 40);
  w.raise_to(t0 + 30ms, 5);  // lower: ignored
  EXPECT_EQ(w.used(t0 + 30ms), 40);
  // The raised part ages out like any spend: at t0 + 60 s the 1 leaves, at +60.01 s the 39.
  EXPECT_EQ(w.used(t0 + 60'000ms), 39);
  EXPECT_EQ(w.used(t0 + 60'010ms), 0);
}

TEST(RateLimiter, DefiningTheSameNameTwiceMustAgree) {
  boost::asio::io_context io;
  RateLimiter limiter(io);
  const BudgetSpec spec{"binance-spot:REQUEST_WEIGHT:1m", "binance-spot", 6000, 60'000ms, "X-MBX-USED-WEIGHT-1M"};
  limiter.define(spec);
  EXPECT_NO_THROW(limiter.define(spec));
  BudgetSpec other = spec;
  other.limit = 1200;
  EXPECT_THROW(limiter.define(other), std::invalid_argument);
  EXPECT_THROW(limiter.define(BudgetSpec{"x", "v", 0, 1000ms, ""}), std::invalid_argument);
}

TEST(RateLimiter, RefusesACostThatCanNeverFitOrNamesAnUnknownBudget) {
  boost::asio::io_context io;
  RateLimiter limiter(io);
  limiter.define({"v:W:1s", "v", 10, 1000ms, ""});
  std::vector<std::pair<AdmitStatus, std::string>> got;
  auto keep = [&](AdmitStatus s, std::string_view reason) { got.emplace_back(s, std::string(reason)); };
  limiter.acquire({"v", {{"v:W:1s", 11}}}, keep);
  limiter.acquire({"v", {{"v:nope", 1}}}, keep);
  limiter.acquire({"other", {{"v:W:1s", 1}}}, keep);
  ASSERT_TRUE(run_until(io, [&] { return got.size() == 3; }));
  for (const auto& [status, reason] : got) EXPECT_EQ(status, AdmitStatus::invalid) << reason;
  EXPECT_EQ(limiter.used("v:W:1s"), 0);
}

// ---- through the HTTP client, against a real server ----

struct Venue {
  boost::asio::io_context io;
  std::optional<std::string> banned_reason;
  RateLimiter limiter{io, [this](std::string_view venue, std::string_view reason) {
                        EXPECT_EQ(venue, "test-venue");
                        banned_reason = std::string(reason);
                      }};
  std::function<Reply(const ReceivedRequest&)> answer = [](const ReceivedRequest&) { return Reply{}; };
  LoopbackHttpServer server{io, [this](const ReceivedRequest& r) { return answer(r); }};
  HttpClient client{io, [this] {
                      HttpClientOptions o;
                      o.rate_limiter = &limiter;
                      return o;
                    }()};
  std::vector<std::pair<int, HttpResult>> results;  // (tag, result) in completion order

  void send(int tag, int64_t weight, const char* budget = "test-venue:REQUEST_WEIGHT:1m") {
    HttpRequest r;
    r.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/r" + std::to_string(tag);
    r.cost = {"test-venue", {{budget, weight}}};
    client.request(std::move(r), [this, tag](HttpClient::RequestId, HttpResult res) {
      results.emplace_back(tag, std::move(res));
    });
  }
  bool wait_results(size_t n) {
    return run_until(io, [&] { return results.size() >= n; });
  }
};

TEST(RateLimiter, BudgetDelaysTheRequestThatWouldExceedItUntilTheWindowAllowsIt) {
  Venue v;
  // Hand calculation: limit 2 per 300 ms, three requests of weight 1 sent together. The first two
  // go at once; the third fits only when the first spend leaves, 300 ms after it was made.
  v.limiter.define({"test-venue:REQUEST_WEIGHT:1m", "test-venue", 2, 300ms, ""});
  const auto before = std::chrono::steady_clock::now();
  v.send(1, 1);
  v.send(2, 1);
  v.send(3, 1);
  EXPECT_EQ(v.limiter.queued("test-venue"), 1u);  // the first two were admitted on the spot
  ASSERT_TRUE(v.wait_results(3));
  ASSERT_EQ(v.server.requests().size(), 3u);
  EXPECT_EQ(v.server.requests()[2].target, "/r3");
  EXPECT_LT(v.server.requests()[1].at - before, 300ms);
  EXPECT_GE(v.server.requests()[2].at - before, 300ms);
  for (const auto& [tag, r] : v.results) EXPECT_TRUE(r.ok()) << tag << ": " << r.message;
}

TEST(RateLimiter, UsedWeightHeaderRaisesTheCountAndDelaysTheNextRequest) {
  Venue v;
  // Binance reports its count in X-MBX-USED-WEIGHT-(intervalNum)(intervalLetter) (rest-api.md
  // "IP Limits"). We spent 1, the venue says 9 (another process on our IP spent 8).
  v.limiter.define({"test-venue:REQUEST_WEIGHT:1m", "test-venue", 10, 500ms, "X-MBX-USED-WEIGHT-1M"});
  v.answer = [](const ReceivedRequest&) { return Reply{200, {{"x-mbx-used-weight-1m", "9"}}, "{}"}; };
  const auto before = std::chrono::steady_clock::now();
  v.send(1, 1);
  ASSERT_TRUE(v.wait_results(1));
  EXPECT_EQ(v.limiter.used("test-venue:REQUEST_WEIGHT:1m"), 9);
  // 9 + 2 > 10: the spend of 1 made before the first request must leave (at +500 ms); then
  // 8 + 2 = 10 fits. Without the header the count would be 1 and it would go at once.
  v.send(2, 2);
  EXPECT_EQ(v.limiter.queued("test-venue"), 1u);
  ASSERT_TRUE(v.wait_results(2));
  EXPECT_GE(v.server.requests()[1].at - before, 500ms);
}

TEST(RateLimiter, OrderCountHeaderFeedsTheOrdersBudget) {
  Venue v;
  v.limiter.define({"test-venue:ORDERS:10s", "test-venue", 100, 10'000ms, "X-MBX-ORDER-COUNT-10S"});
  v.answer = [](const ReceivedRequest&) { return Reply{200, {{"X-MBX-ORDER-COUNT-10S", "57"}}, "{}"}; };
  v.send(1, 1, "test-venue:ORDERS:10s");
  ASSERT_TRUE(v.wait_results(1));
  EXPECT_EQ(v.limiter.used("test-venue:ORDERS:10s"), 57);
}

TEST(RateLimiter, TooManyRequestsWithRetryAfterHoldsEveryRequestOfTheVenue) {
  Venue v;
  v.limiter.define({"test-venue:REQUEST_WEIGHT:1m", "test-venue", 1000, 60'000ms, ""});
  v.answer = [](const ReceivedRequest& r) {
    return r.target == "/r1" ? Reply{429, {{"Retry-After", "1"}}, R"({"code":-1003})"} : Reply{};
  };
  const auto before = std::chrono::steady_clock::now();  // the hold starts after this
  v.send(1, 1);
  ASSERT_TRUE(v.wait_results(1));
  EXPECT_EQ(v.results[0].second.response.status, 429u);  // the caller sees the answer too
  ASSERT_TRUE(v.limiter.held_until("test-venue").has_value());
  v.send(2, 1);
  EXPECT_EQ(v.limiter.queued("test-venue"), 1u);
  ASSERT_TRUE(v.wait_results(2));
  ASSERT_EQ(v.server.requests().size(), 2u);
  EXPECT_GE(v.server.requests()[1].at - before, 1000ms);  // Retry-After: 1 (seconds)
  EXPECT_FALSE(v.limiter.held_until("test-venue").has_value());
}

TEST(RateLimiter, ImATeapotBanStopsTheVenueAndNotifiesUntilLifted) {
  Venue v;
  v.limiter.define({"test-venue:REQUEST_WEIGHT:1m", "test-venue", 1000, 60'000ms, ""});
  v.answer = [](const ReceivedRequest& r) {
    return r.target == "/r1" ? Reply{418, {{"Retry-After", "120"}}, R"({"code":-1003})"} : Reply{};
  };
  v.send(1, 1);
  ASSERT_TRUE(v.wait_results(1));
  ASSERT_TRUE(run_until(v.io, [&] { return v.banned_reason.has_value(); }));
  EXPECT_NE(v.banned_reason->find("HTTP 418"), std::string::npos) << *v.banned_reason;
  EXPECT_NE(v.banned_reason->find("Retry-After 120 s"), std::string::npos) << *v.banned_reason;
  EXPECT_TRUE(v.limiter.banned("test-venue"));

  v.send(2, 1);
  ASSERT_TRUE(v.wait_results(2));
  EXPECT_EQ(v.results[1].second.error, HttpErrc::rate_limited);
  EXPECT_FALSE(v.results[1].second.may_have_been_sent);
  EXPECT_EQ(v.server.requests().size(), 1u);  // nothing reached the venue after the ban

  v.limiter.lift_ban("test-venue");
  v.send(3, 1);
  ASSERT_TRUE(v.wait_results(3));
  EXPECT_TRUE(v.results[2].second.ok());
  EXPECT_EQ(v.server.requests().size(), 2u);
}

TEST(RateLimiter, CancellingAQueuedRequestNeverSendsIt) {
  Venue v;
  v.limiter.define({"test-venue:REQUEST_WEIGHT:1m", "test-venue", 1, 60'000ms, ""});
  v.send(1, 1);
  HttpRequest r;
  r.url = "http://127.0.0.1:" + std::to_string(v.server.port()) + "/queued";
  r.cost = {"test-venue", {{"test-venue:REQUEST_WEIGHT:1m", 1}}};
  std::optional<HttpResult> queued;
  const auto id = v.client.request(std::move(r), [&](HttpClient::RequestId, HttpResult res) { queued = std::move(res); });
  ASSERT_TRUE(v.wait_results(1));
  EXPECT_EQ(v.limiter.queued("test-venue"), 1u);
  EXPECT_TRUE(v.client.cancel(id));
  ASSERT_TRUE(run_until(v.io, [&] { return queued.has_value(); }));
  EXPECT_EQ(queued->error, HttpErrc::cancelled);
  EXPECT_FALSE(queued->may_have_been_sent);
  EXPECT_EQ(v.limiter.queued("test-venue"), 0u);
  EXPECT_EQ(v.server.requests().size(), 1u);
}

}  // namespace
}  // namespace tradehost::net
