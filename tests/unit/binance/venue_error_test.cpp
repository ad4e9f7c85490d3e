// Binance error answers and what they mean for a request (errors.md; rest-api.md 2023-06-07 "HTTP
// Return Codes", "LIMITS"). The table is the connector's contract, written out by hand from those
// documents.
#include <binance_common/venue_error.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {

namespace binance = tradehost::binance;
using binance::ErrorAction;

ErrorAction action(int32_t http, int64_t code) { return binance::classify(binance::ApiError{http, code, "x"}); }

TEST(BinanceVenueError, MappingTable) {
  struct Row {
    int32_t http;
    int64_t code;
    ErrorAction action;
    th_status status;
    const char* why;
  };
  const Row rows[] = {
      {400, -1021, ErrorAction::ResyncClock, TH_ERR_RETRY, "INVALID_TIMESTAMP: outside recvWindow"},
      {400, -2010, ErrorAction::Rejected, TH_ERR_REJECTED, "NEW_ORDER_REJECTED"},
      {400, -2011, ErrorAction::Rejected, TH_ERR_REJECTED, "CANCEL_REJECTED"},
      {400, -2013, ErrorAction::Rejected, TH_ERR_REJECTED, "NO_SUCH_ORDER"},
      {400, -1013, ErrorAction::Rejected, TH_ERR_REJECTED, "INVALID_MESSAGE / filter failure"},
      {400, -1100, ErrorAction::Rejected, TH_ERR_REJECTED, "ILLEGAL_CHARS"},
      {400, -1102, ErrorAction::Rejected, TH_ERR_REJECTED, "MANDATORY_PARAM_EMPTY_OR_MALFORMED"},
      {400, -1111, ErrorAction::Rejected, TH_ERR_REJECTED, "BAD_PRECISION"},
      {400, -1121, ErrorAction::Rejected, TH_ERR_REJECTED, "BAD_SYMBOL"},
      {400, -1022, ErrorAction::Rejected, TH_ERR_REJECTED, "INVALID_SIGNATURE"},
      {401, -2015, ErrorAction::Rejected, TH_ERR_REJECTED, "REJECTED_MBX_KEY"},
      {403, 0, ErrorAction::Rejected, TH_ERR_REJECTED, "WAF limit, no JSON body"},
      {429, -1003, ErrorAction::RateLimited, TH_ERR_RETRY, "TOO_MANY_REQUESTS"},
      {429, -1015, ErrorAction::RateLimited, TH_ERR_RETRY, "TOO_MANY_ORDERS"},
      {400, -1015, ErrorAction::RateLimited, TH_ERR_RETRY, "TOO_MANY_ORDERS by code alone"},
      {418, -1003, ErrorAction::RateLimited, TH_ERR_RETRY, "IP banned"},
      {429, 0, ErrorAction::RateLimited, TH_ERR_RETRY, "429 without a body"},
      {400, -1008, ErrorAction::RateLimited, TH_ERR_RETRY, "SERVER_BUSY: try again"},
      {500, 0, ErrorAction::OutcomeUnknown, TH_ERR_IO, "5XX: execution status UNKNOWN"},
      {503, -1001, ErrorAction::OutcomeUnknown, TH_ERR_IO, "5XX with DISCONNECTED"},
      {502, -2010, ErrorAction::OutcomeUnknown, TH_ERR_IO, "5XX wins over any code"},
      {400, -1001, ErrorAction::OutcomeUnknown, TH_ERR_IO, "DISCONNECTED"},
      {408, -1007, ErrorAction::OutcomeUnknown, TH_ERR_IO, "TIMEOUT: execution status unknown"},
      {400, -1006, ErrorAction::OutcomeUnknown, TH_ERR_IO, "UNEXPECTED_RESP: execution status unknown"},
      {400, -1000, ErrorAction::OutcomeUnknown, TH_ERR_IO, "UNKNOWN"},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.why);
    EXPECT_EQ(action(r.http, r.code), r.action) << binance::to_string(action(r.http, r.code));
    EXPECT_EQ(binance::status_of(r.action), r.status);
  }
}

TEST(BinanceVenueError, ParsesErrorBodies) {
  binance::ApiError e;
  ASSERT_TRUE(binance::parse_api_error(400, R"({"code":-1121,"msg":"Invalid symbol."})", e));  // rest-api.md sample
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.code, -1121);
  EXPECT_EQ(e.msg, "Invalid symbol.");
  EXPECT_EQ(binance::describe(e), "HTTP 400 -1121 Invalid symbol.");

  EXPECT_FALSE(binance::parse_api_error(503, "<html>Service Unavailable</html>", e));
  EXPECT_EQ(e.code, 0);
  EXPECT_EQ(e.msg, "<html>Service Unavailable</html>");
  EXPECT_EQ(binance::describe(e), "HTTP 503 <html>Service Unavailable</html>");

  EXPECT_FALSE(binance::parse_api_error(500, "", e));
  EXPECT_EQ(binance::describe(e), "HTTP 500");
  EXPECT_FALSE(binance::parse_api_error(400, R"({"code":"-1","msg":"x"})", e));
  EXPECT_EQ(e.code, 0);
}

TEST(BinanceVenueError, RetryAfterHeader) {
  EXPECT_EQ(binance::retry_after_seconds("Content-Type: application/json\r\nRetry-After: 42\r\n"), 42);
  EXPECT_EQ(binance::retry_after_seconds("retry-after:7"), 7);
  EXPECT_EQ(binance::retry_after_seconds("X-Retry-After: 9\r\n"), 0);
  EXPECT_EQ(binance::retry_after_seconds("Retry-After: Wed, 21 Oct 2015 07:28:00 GMT\r\n"), 0);
  EXPECT_EQ(binance::retry_after_seconds(""), 0);
}

}  // namespace
