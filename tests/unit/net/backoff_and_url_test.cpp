#include <gtest/gtest.h>

#include "net/backoff.hpp"
#include "net/url.hpp"

namespace tradehost::net {
namespace {

using namespace std::chrono_literals;

TEST(Backoff, DoublesFromBaseUpToTheCapAndJitterTakesOffAFraction) {
  const BackoffPolicy p{.base = 100ms, .cap = 1000ms, .jitter = 0.5};
  // r = 0: no jitter; the steps are 100 * 2^n capped at 1000.
  EXPECT_EQ(backoff_delay(p, 0, 0.0), 100ms);
  EXPECT_EQ(backoff_delay(p, 1, 0.0), 200ms);
  EXPECT_EQ(backoff_delay(p, 3, 0.0), 800ms);
  EXPECT_EQ(backoff_delay(p, 4, 0.0), 1000ms);  // 1600 capped
  EXPECT_EQ(backoff_delay(p, 40, 0.0), 1000ms);
  // r = 0.5, jitter 0.5: each step times (1 - 0.25) = 0.75.
  EXPECT_EQ(backoff_delay(p, 0, 0.5), 75ms);
  EXPECT_EQ(backoff_delay(p, 2, 0.5), 300ms);
  EXPECT_EQ(backoff_delay(p, 4, 0.5), 750ms);
  // r close to 1 takes off almost half: 400 * (1 - 0.5 * 0.99) = 202.
  EXPECT_EQ(backoff_delay(p, 2, 0.99), 202ms);
}

TEST(Backoff, ReconnectBackoffWalksTheLadderAndResets) {
  ReconnectBackoff b(BackoffPolicy{.base = 10ms, .cap = 50ms, .jitter = 1.0}, [] { return 0.5; });
  EXPECT_EQ(b.next_delay(), 5ms);   // 10 * 0.5
  EXPECT_EQ(b.next_delay(), 10ms);  // 20 * 0.5
  EXPECT_EQ(b.next_delay(), 20ms);  // 40 * 0.5
  EXPECT_EQ(b.next_delay(), 25ms);  // 50 (cap) * 0.5
  EXPECT_EQ(b.attempts(), 4u);
  b.reset();
  EXPECT_EQ(b.next_delay(), 5ms);
}

TEST(Url, SplitsSchemeHostPortAndTarget) {
  auto u = parse_url("HTTPS://API.Binance.com/api/v3/order?symbol=BTCUSDT#frag");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, Scheme::https);
  EXPECT_EQ(u->host, "api.binance.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/api/v3/order?symbol=BTCUSDT");
  EXPECT_EQ(u->host_header(), "api.binance.com");

  u = parse_url("ws://127.0.0.1:9443");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->port, 9443);
  EXPECT_EQ(u->target, "/");
  EXPECT_EQ(u->host_header(), "127.0.0.1:9443");

  u = parse_url("http://[::1]:8080?x=1");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->target, "/?x=1");
  EXPECT_EQ(u->host_header(), "[::1]:8080");
}

TEST(Url, RefusesWhatTheClientsCannotUse) {
  std::string error;
  EXPECT_FALSE(parse_url("ftp://x/", &error));
  EXPECT_NE(error.find("unsupported URL scheme 'ftp'"), std::string::npos);
  EXPECT_FALSE(parse_url("https://user:secret@host/", &error));
  EXPECT_FALSE(parse_url("http://host:0/", &error));
  EXPECT_FALSE(parse_url("http://host:70000/", &error));
  EXPECT_FALSE(parse_url("http://:80/", &error));
  EXPECT_FALSE(parse_url("host/path", &error));
}

}  // namespace
}  // namespace tradehost::net
