// Signed requests: Binance's own HMAC example reproduced byte for byte through the order-parameter
// builder, the query signer and the REST client (rest-api.md 2023-06-07, "SIGNED Endpoint Examples
// for POST /api/v3/order", HMAC Keys, Example 2: the query string and the signature are quoted from
// there), signed by the host's real signer (host/credentials) with the doc's secret key. The
// server-time offset is checked against hand calculations.
#include <binance_common/order_params.hpp>
#include <binance_common/rest_client.hpp>
#include <binance_common/signed_request.hpp>

#include "credentials/signer.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace {

namespace binance = tradehost::binance;
namespace cred = tradehost::credentials;

// rest-api.md, "SIGNED Endpoint Examples for POST /api/v3/order", HMAC Keys.
constexpr char kApiKey[] = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
constexpr char kSecret[] = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
constexpr char kDocQuery[] =
    "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
constexpr char kDocSignature[] = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71";
constexpr int64_t kDocTimestamp = 1499827319559;

std::shared_ptr<cred::Signer> doc_signer() {
  auto store = std::make_shared<cred::CredentialStore>();
  store->add(cred::Credential{"binance-doc", cred::CredentialType::Hmac, kApiKey, cred::Secret(kSecret)});
  return std::make_shared<cred::Signer>(store);
}

binance::SignFn sign_with(std::shared_ptr<cred::Signer> signer) {
  return [signer](std::string_view payload, std::string& signature, std::string&) {
    signature = signer->sign("binance-doc", cred::SignatureAlgorithm::HmacSha256, payload);
    return true;
  };
}

// The doc's order: LTCBTC BUY LIMIT GTC, quantity 1, price 0.1. LTCBTC's scales are picked so the
// decimals must be trimmed: price 0.1 is raw 100000 at scale 6, quantity 1 is raw 100 at scale 2.
binance::OrderParams doc_order_params() {
  th_order_request req{};
  req.struct_size = sizeof req;
  req.side = TH_SIDE_BUY;
  req.type = TH_ORD_LIMIT;
  req.tif = TH_TIF_GTC;
  req.qty = 100;
  req.price = 100000;
  binance::OrderParams p;
  std::string why;
  EXPECT_TRUE(binance::spot_order_params(req, "LTCBTC", binance::Scales{6, 2}, "", p, why)) << why;
  return p;
}

TEST(BinanceSignedRequest, DocExampleThroughTheOrderBuilderAndTheSigner) {
  binance::QueryString q;
  binance::append_order_params(doc_order_params(), q);
  EXPECT_EQ(q.text(), "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1");
  std::string query = q.text(), error;
  ASSERT_TRUE(binance::sign_query(query, kDocTimestamp, 5000, sign_with(doc_signer()), error)) << error;
  EXPECT_EQ(query, std::string(kDocQuery) + "&signature=" + kDocSignature);
}

// USD-M "General Info", "SIGNED Endpoint Examples for POST /fapi/v1/order - HMAC Keys", Example 1:
// the doc's parameters in the doc's order (quantity and price before timeInForce, unlike the
// order builder's), its secret key and its signature, through sign_query and the host's signer.
TEST(BinanceSignedRequest, UsdmDocExampleThroughTheSigner) {
  constexpr char kFuturesKey[] = "dbefbc809e3e83c283a984c3a1459732ea7db1360ca80c5c2c8867408d28cc83";
  constexpr char kFuturesSecret[] = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9";
  auto store = std::make_shared<cred::CredentialStore>();
  store->add(cred::Credential{"binance-doc", cred::CredentialType::Hmac, kFuturesKey, cred::Secret(kFuturesSecret)});
  binance::QueryString q;
  q.add("symbol", "BTCUSDT").add("side", "BUY").add("type", "LIMIT").add("quantity", "1").add("price", "9000");
  q.add("timeInForce", "GTC");
  std::string query = q.text(), error;
  ASSERT_TRUE(binance::sign_query(query, 1591702613943, 5000, sign_with(std::make_shared<cred::Signer>(store)), error))
      << error;
  EXPECT_EQ(query,
            "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943"
            "&signature=3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9");
}

TEST(BinanceSignedRequest, EmptyQueryGetsOnlyTheTimingParameters) {
  std::string query, error;
  std::string signed_payload;
  const binance::SignFn record = [&](std::string_view payload, std::string& signature, std::string&) {
    signed_payload.assign(payload);
    signature = "SIG";
    return true;
  };
  ASSERT_TRUE(binance::sign_query(query, 1700000000123, 60000, record, error));
  EXPECT_EQ(signed_payload, "recvWindow=60000&timestamp=1700000000123");
  EXPECT_EQ(query, "recvWindow=60000&timestamp=1700000000123&signature=SIG");
}

TEST(BinanceSignedRequest, SigningFailureLeavesTheQueryAlone) {
  std::string query = "symbol=BTCUSDT", error;
  const binance::SignFn refuse = [](std::string_view, std::string&, std::string& why) {
    why = "no key";
    return false;
  };
  EXPECT_FALSE(binance::sign_query(query, 1, 5000, refuse, error));
  EXPECT_EQ(error, "no key");
  EXPECT_EQ(query, "symbol=BTCUSDT");
}

TEST(BinanceSignedRequest, QueryStringKeepsUnreservedAndEncodesTheRest) {
  binance::QueryString q;
  q.add("newClientOrderId", "bot-1.run_2~x").add("x", "a b/c:d&e=f").add("limit", int64_t{1000});
  // ' ' %20, '/' %2F, ':' %3A, '&' %26, '=' %3D (RFC 3986 percent-encoding, upper-case hex).
  EXPECT_EQ(q.text(), "newClientOrderId=bot-1.run_2~x&x=a%20b%2Fc%3Ad%26e%3Df&limit=1000");
}

TEST(BinanceServerClock, OffsetIsServerTimeMinusTheMidpointOfTheExchange) {
  binance::ServerClock clock;
  EXPECT_FALSE(clock.synced());
  EXPECT_EQ(clock.server_ms(10'500'000'000), 10'500);  // no measurement yet: offset 0
  // Sent at 10 000 ms, answered at 10 200 ms: midpoint 10 100 ms. serverTime 1499827319559, so
  // offset = 1499827319559 - 10100 = 1499827309459.
  clock.on_server_time(10'000'000'000, 10'200'000'000, 1499827319559);
  EXPECT_TRUE(clock.synced());
  EXPECT_EQ(clock.offset_ms(), 1499827309459);
  EXPECT_EQ(clock.server_ms(10'500'000'000), 1499827319959);       // 10 500 + offset
  EXPECT_EQ(clock.host_time(1499827319959), 10'500'000'000);      // and back
  // A host clock ahead of the venue gives a negative offset: sent 2 000 000 ms, received
  // 2 000 001 ms, midpoint 2 000 000.5 ms -> 2 000 000 ms (rounded down); server 1 500 000 ms.
  clock.on_server_time(2'000'000'000'000, 2'000'001'000'000, 1'500'000);
  EXPECT_EQ(clock.offset_ms(), -500'000);
}

TEST(BinanceServerClock, ParsesTheCheckServerTimeAnswer) {
  int64_t ms = 0;
  std::string error;
  ASSERT_TRUE(binance::parse_server_time(R"({"serverTime": 1499827319559})", ms, error)) << error;  // doc example
  EXPECT_EQ(ms, 1499827319559);
  EXPECT_FALSE(binance::parse_server_time(R"({"serverTime": "1499827319559"})", ms, error));
  EXPECT_EQ(error, "server time: field 'serverTime' is not an integer that fits int64");
  EXPECT_FALSE(binance::parse_server_time("[]", ms, error));
}

// ---- RestClient against a fake host: the exact request the connector hands the host ----

struct FakeHost {
  th_time_ns now = 0;
  bool has_credential = true;
  std::shared_ptr<cred::Signer> signer = doc_signer();
  std::string url, headers, budgets, venue;
  int32_t method = 0;
  uint32_t flags = 0;
  uint64_t cookie = 0;
};
FakeHost* g_host = nullptr;

th_time_ns fake_now(th_instance*) { return g_host->now; }
th_status fake_api_key(th_instance*, th_str* out) {
  if (!g_host->has_credential) return TH_ERR_NOT_FOUND;
  *out = th_str{kApiKey, sizeof kApiKey - 1};
  return TH_OK;
}
th_status fake_sign(th_instance*, int32_t algorithm, th_bytes payload, char* out, size_t cap, size_t* len) {
  if (algorithm != TH_SIGN_HMAC_SHA256_HEX) return TH_ERR_INVALID_ARG;
  const std::string sig = g_host->signer->sign(
      "binance-doc", cred::SignatureAlgorithm::HmacSha256,
      std::string_view(reinterpret_cast<const char*>(payload.ptr), payload.len));
  *len = sig.size();
  if (sig.size() > cap) return TH_ERR_INVALID_ARG;
  sig.copy(out, cap);
  return TH_OK;
}
uint64_t fake_http_request(th_instance*, const th_http_request* req, uint64_t cookie) {
  auto s = [](th_str v) { return std::string(v.ptr ? v.ptr : "", v.len); };
  g_host->url = s(req->url);
  g_host->headers = s(req->headers);
  g_host->budgets = s(req->budgets);
  g_host->venue = s(req->venue);
  g_host->method = req->method;
  g_host->flags = req->flags;
  g_host->cookie = cookie;
  return 77;
}

class BinanceRestClient : public ::testing::Test {
 protected:
  void SetUp() override {
    g_host = &host_;
    api_.struct_size = sizeof api_;
    api_.now = &fake_now;
    api_.credential_api_key = &fake_api_key;
    api_.sign = &fake_sign;
    api_.http_request = &fake_http_request;
  }
  void TearDown() override { g_host = nullptr; }
  FakeHost host_;
  th_host_api api_{};
  th_instance* self_ = reinterpret_cast<th_instance*>(&host_);  // opaque to the client
};

TEST_F(BinanceRestClient, SignedOrderIsTheDocsCurlCommand) {
  binance::RestClient client(self_, &api_, "https://api.binance.com", "binance-spot", 5000);
  host_.now = 3'000'000'000;  // 3 000 ms on the host clock; the venue reads 1499827319559 then
  client.clock().on_server_time(host_.now, host_.now, kDocTimestamp);
  binance::RestCall call;
  call.method = TH_HTTP_POST;
  call.path = "/api/v3/order";
  call.security = binance::Security::Signed;
  binance::append_order_params(doc_order_params(), call.params);
  call.budgets = "binance-spot:REQUEST_WEIGHT:1m=1,binance-spot:ORDERS:10s:doc=1";
  call.flags = TH_HTTP_NOT_IDEMPOTENT;
  std::string error;
  const binance::RestSent sent = client.send(call, 1234, error);
  ASSERT_EQ(sent.request_id, 77u) << error;
  EXPECT_EQ(sent.timestamp_ms, kDocTimestamp);
  EXPECT_EQ(sent.queued_at, 3'000'000'000);
  // Example 2's curl command: -H "X-MBX-APIKEY: <apiKey>" -X POST
  // 'https://api.binance.com/api/v3/order?<queryString>&signature=<signature>'
  EXPECT_EQ(host_.url, std::string("https://api.binance.com/api/v3/order?") + kDocQuery + "&signature=" + kDocSignature);
  EXPECT_EQ(host_.headers, std::string("X-MBX-APIKEY: ") + kApiKey);
  EXPECT_EQ(host_.method, TH_HTTP_POST);
  EXPECT_EQ(host_.flags, uint32_t{TH_HTTP_NOT_IDEMPOTENT});
  EXPECT_EQ(host_.venue, "binance-spot");
  EXPECT_EQ(host_.budgets, "binance-spot:REQUEST_WEIGHT:1m=1,binance-spot:ORDERS:10s:doc=1");
  EXPECT_EQ(host_.cookie, 1234u);
}

TEST_F(BinanceRestClient, ApiKeyCallsAreNotSignedAndPublicCallsCarryNoKey) {
  binance::RestClient client(self_, &api_, "http://127.0.0.1:9", "binance-spot", 5000);
  binance::RestCall listen;
  listen.method = TH_HTTP_POST;
  listen.path = "/api/v3/userDataStream";
  listen.security = binance::Security::ApiKey;
  std::string error;
  ASSERT_NE(client.send(listen, 1, error).request_id, 0u) << error;
  EXPECT_EQ(host_.url, "http://127.0.0.1:9/api/v3/userDataStream");
  EXPECT_EQ(host_.headers, std::string("X-MBX-APIKEY: ") + kApiKey);

  binance::RestCall time;
  time.path = "/api/v3/time";
  const binance::RestSent sent = client.send(time, 2, error);
  ASSERT_NE(sent.request_id, 0u) << error;
  EXPECT_EQ(sent.timestamp_ms, 0);
  EXPECT_EQ(host_.url, "http://127.0.0.1:9/api/v3/time");
  EXPECT_EQ(host_.headers, "");
}

TEST_F(BinanceRestClient, WithoutACredentialNothingIsSent) {
  host_.has_credential = false;
  binance::RestClient client(self_, &api_, "https://api.binance.com", "binance-spot", 5000);
  EXPECT_FALSE(client.has_credential());
  binance::RestCall call;
  call.path = "/api/v3/account";
  call.security = binance::Security::Signed;
  std::string error;
  EXPECT_EQ(client.send(call, 1, error).request_id, 0u);
  EXPECT_EQ(host_.url, "");
  EXPECT_NE(error.find("no credential"), std::string::npos) << error;
}

}  // namespace
