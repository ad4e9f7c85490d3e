// Request signing against the documented example (binance-spot-api-docs rest-api.md, "SIGNED
// Endpoint Examples for POST /api/v3/order", HMAC Keys):
//   secretKey NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j
//   Example 1/2: echo -n "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&
//     recvWindow=5000&timestamp=1499827319559" | openssl dgst -sha256 -hmac "<secret>"
//     (stdin)= c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71
//   Example 3: queryString symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC, requestBody
//     quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559 ->
//     0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77
//     ("There is no & between "GTC" and "quantity=1".")
#include "request_auth.hpp"

#include <gtest/gtest.h>

using namespace tradehost::exchange_sim;

namespace {
const char* kSecret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
const char* kDocParams =
    "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
const char* kDocSignature = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71";
const int64_t kDocTimestamp = 1499827319559;

std::optional<ApiError> check(std::string_view query, std::string_view body, int64_t now) {
  Params p;
  EXPECT_FALSE(parse_params(query, body, p).has_value());
  return check_signed(kSecret, query, body, p, now);
}
}  // namespace

TEST(RequestAuth, HmacMatchesTheDocumentedSignature) {
  EXPECT_EQ(hmac_sha256_hex(kSecret, kDocParams), kDocSignature);
}

TEST(RequestAuth, TotalParamsDropsTheSignatureFromQueryOrBody) {
  std::string sig;
  EXPECT_EQ(total_params("", std::string(kDocParams) + "&signature=" + kDocSignature, sig), kDocParams);
  EXPECT_EQ(sig, kDocSignature);
  sig.clear();
  EXPECT_EQ(total_params("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC",
                         "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559&signature=abc", sig),
            "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTCquantity=1&price=0.1&recvWindow=5000&timestamp="
            "1499827319559");
  EXPECT_EQ(sig, "abc");
}

TEST(RequestAuth, DocumentedExamplesAreAcceptedAtTheirTimestamp) {
  const int64_t now = kDocTimestamp + 10;
  EXPECT_FALSE(check("", std::string(kDocParams) + "&signature=" + kDocSignature, now));  // example 1
  EXPECT_FALSE(check(std::string(kDocParams) + "&signature=" + kDocSignature, "", now));  // example 2
  EXPECT_FALSE(check("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC",
                     "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559&signature="
                     "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77",
                     now));  // example 3
  // "The signature is not case sensitive."
  EXPECT_FALSE(check("", std::string(kDocParams) + "&signature=C8DB56825AE71D6D79447849E617115F4A920FA2ACDCAB2B053C4B2838BD6B71", now));
}

TEST(RequestAuth, OneChangedCharacterIsRejectedWith1022) {
  const int64_t now = kDocTimestamp + 10;
  // A changed signature digit, and a changed parameter (quantity=2) under the original signature.
  auto e = check("", std::string(kDocParams) + "&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b72", now);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, -1022);
  EXPECT_EQ(e->msg, "Signature for this request is not valid.");
  std::string tampered = kDocParams;
  tampered.replace(tampered.find("quantity=1"), 10, "quantity=2");
  e = check("", tampered + "&signature=" + kDocSignature, now);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, -1022);
}

TEST(RequestAuth, TimingRuleFromTheDocs) {
  // if (timestamp < (serverTime + 1000) && (serverTime - timestamp) <= recvWindow) -> process
  const std::string body = std::string(kDocParams) + "&signature=" + kDocSignature;  // recvWindow=5000
  EXPECT_FALSE(check("", body, kDocTimestamp + 5000));  // exactly recvWindow old: still valid
  auto late = check("", body, kDocTimestamp + 5001);
  ASSERT_TRUE(late);
  EXPECT_EQ(late->code, -1021);
  EXPECT_EQ(late->msg, "Timestamp for this request is outside of the recvWindow.");
  EXPECT_FALSE(check("", body, kDocTimestamp - 999));  // timestamp 999 ms ahead of the server: valid
  auto ahead = check("", body, kDocTimestamp - 1000);
  ASSERT_TRUE(ahead);
  EXPECT_EQ(ahead->code, -1021);
  EXPECT_EQ(ahead->msg, "Timestamp for this request was 1000ms ahead of the server's time.");
}

TEST(RequestAuth, QueryStringWinsOverBodyAndDuplicatesAreRejected) {
  Params p;
  ASSERT_FALSE(parse_params("price=1&symbol=A%42C", "price=2&side=BUY", p));
  EXPECT_EQ(p["price"], "1");
  EXPECT_EQ(p["symbol"], "ABC");
  EXPECT_EQ(p["side"], "BUY");
  auto dup = parse_params("a=1&a=2", "", p);
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->code, -1101);
}
