// HttpClient against real loopback servers (tests/unit/net/loopback_server.hpp).
#include "net/http_client.hpp"

#include <gtest/gtest.h>

#include <optional>

#include "tests/unit/net/loopback_server.hpp"
#include "tests/unit/net/test_pki.hpp"

namespace tradehost::net {
namespace {

namespace http = boost::beast::http;
using test::LoopbackHttpServer;
using test::ReceivedRequest;
using test::Reply;
using test::ReplyAction;
using test::run_until;

std::string url(const LoopbackHttpServer& server, const std::string& path = "/",
                const std::string& host = "127.0.0.1", const char* scheme = "http") {
  return std::string(scheme) + "://" + host + ":" + std::to_string(server.port()) + path;
}

// Issues one request and runs the loop until its callback fired.
HttpResult fetch(boost::asio::io_context& io, HttpClient& client, HttpRequest request) {
  std::optional<HttpResult> out;
  client.request(std::move(request), [&](HttpClient::RequestId, HttpResult r) { out = std::move(r); });
  EXPECT_TRUE(run_until(io, [&] { return out.has_value(); }));
  return out ? std::move(*out) : HttpResult{};
}

Reply ok(std::string body = "ok") { return Reply{200, {}, std::move(body), ReplyAction::respond}; }
Reply act(ReplyAction action) {
  Reply r;
  r.action = action;
  return r;
}

HttpRequest make(http::verb method, std::string url, std::string body = {}) {
  HttpRequest r;
  r.method = method;
  r.url = std::move(url);
  r.body = std::move(body);
  return r;
}
HttpRequest get(std::string url) { return make(http::verb::get, std::move(url)); }

HttpClientOptions trusting(const std::filesystem::path& ca_file) {
  HttpClientOptions o;
  o.tls.ca_file = ca_file.string();
  return o;
}

TEST(HttpClient, GetAndPostRoundTripHeadersStatusAndBody) {
  boost::asio::io_context io;
  LoopbackHttpServer server(io, [](const ReceivedRequest& r) {
    Reply reply{r.method == "POST" ? 201u : 200u, {{"X-Echo-Key", r.header("X-MBX-APIKEY")}, {"X-Seen-Target", r.target}},
                r.method + " " + r.body};
    return reply;
  });
  HttpClient client(io);

  HttpRequest get;
  get.url = url(server, "/api/v3/time?x=1");
  get.headers = {{"X-MBX-APIKEY", "key-1"}};
  const HttpResult g = fetch(io, client, get);
  ASSERT_TRUE(g.ok()) << g.message;
  EXPECT_EQ(g.response.status, 200u);
  EXPECT_EQ(g.response.body, "GET ");
  EXPECT_EQ(g.response.header("x-echo-key").value_or(""), "key-1");  // case-insensitive lookup
  EXPECT_EQ(g.response.header("X-Seen-Target").value_or(""), "/api/v3/time?x=1");

  HttpRequest post;
  post.method = http::verb::post;
  post.url = url(server, "/api/v3/order");
  post.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"X-MBX-APIKEY", "key-2"}};
  post.body = "symbol=BTCUSDT&side=BUY";
  const HttpResult p = fetch(io, client, post);
  ASSERT_TRUE(p.ok()) << p.message;
  EXPECT_EQ(p.response.status, 201u);
  EXPECT_EQ(p.response.body, "POST symbol=BTCUSDT&side=BUY");

  ASSERT_EQ(server.requests().size(), 2u);
  const ReceivedRequest& seen = server.requests()[1];
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.header("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(seen.header("Content-Length"), "23");
  EXPECT_EQ(seen.header("Host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(seen.header("User-Agent"), "tradehost");
}

TEST(HttpClient, HttpErrorStatusIsAnAnswerNotAFailure) {
  boost::asio::io_context io;
  LoopbackHttpServer server(io, [](const ReceivedRequest&) {
    return Reply{400, {{"Content-Type", "application/json"}}, R"({"code":-1121,"msg":"Invalid symbol."})"};
  });
  HttpClient client(io);
  const HttpResult r = fetch(io, client, get(url(server)));
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.response.status, 400u);
  EXPECT_EQ(r.response.body, R"({"code":-1121,"msg":"Invalid symbol."})");
}

TEST(HttpClient, SequentialRequestsReuseOneKeepAliveConnection) {
  boost::asio::io_context io;
  LoopbackHttpServer server(io, [](const ReceivedRequest&) { return ok(); });
  HttpClient client(io);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(fetch(io, client, get(url(server))).ok());
  EXPECT_EQ(server.accepted(), 1);
  ASSERT_EQ(server.requests().size(), 3u);
  EXPECT_EQ(server.requests()[2].connection, 1);
  EXPECT_EQ(server.requests()[2].index_on_connection, 2);
  EXPECT_EQ(client.idle_connections("http://127.0.0.1:" + std::to_string(server.port())), 1u);
}

TEST(HttpClient, ConcurrentRequestsOpenTheirOwnConnectionsAndThePoolKeepsAtMostItsSize) {
  boost::asio::io_context io;
  LoopbackHttpServer server(io, [](const ReceivedRequest&) { return ok(); });
  HttpClientOptions options;
  options.max_idle_per_origin = 2;
  HttpClient client(io, options);
  int done = 0;
  for (int i = 0; i < 3; ++i)
    client.request(get(url(server)), [&](HttpClient::RequestId, HttpResult r) {
      EXPECT_TRUE(r.ok()) << r.message;
      ++done;
    });
  ASSERT_TRUE(run_until(io, [&] { return done == 3; }));
  EXPECT_EQ(server.accepted(), 3);
  EXPECT_EQ(client.idle_connections("http://127.0.0.1:" + std::to_string(server.port())), 2u);
  // The next two reuse the pooled ones: no new connection.
  ASSERT_TRUE(fetch(io, client, get(url(server))).ok());
  EXPECT_EQ(server.accepted(), 3);
}

TEST(HttpClient, StalledServerTimesOutClosesTheConnectionAndTheNextRequestUsesANewOne) {
  boost::asio::io_context io;
  LoopbackHttpServer server(io, [](const ReceivedRequest& r) {
    return r.connection == 1 ? act(ReplyAction::stall) : ok();
  });
  HttpClient client(io);
  HttpRequest slow = get(url(server, "/slow"));
  slow.timeout = std::chrono::milliseconds(200);
  const HttpResult r = fetch(io, client, slow);
  EXPECT_EQ(r.error, HttpErrc::timed_out);
  EXPECT_TRUE(r.may_have_been_sent);  // the server did read it
  EXPECT_NE(r.message.find("timed out after 200 ms while waiting for the response"), std::string::npos) << r.message;
  // The client closed its end, which the stalled server sees as the end of the connection.
  ASSERT_TRUE(run_until(io, [&] { return server.closed() == 1; }));
  const HttpResult next = fetch(io, client, get(url(server)));
  ASSERT_TRUE(next.ok()) << next.message;
  EXPECT_EQ(server.accepted(), 2);
}

TEST(HttpClient, ConnectionTheServerClosedWhileIdleIsNotReusedAndNothingIsRetried) {
  boost::asio::io_context io;
  LoopbackHttpServer server(io, [](const ReceivedRequest& r) {
    return Reply{200, {}, "ok", r.connection == 1 ? ReplyAction::respond_then_close : ReplyAction::respond};
  });
  HttpClient client(io);
  ASSERT_TRUE(fetch(io, client, get(url(server))).ok());
  ASSERT_TRUE(run_until(io, [&] { return server.closed() == 1; }));
  // The pooled connection has the server's FIN: the POST goes out once, on a new connection.
  HttpRequest post = make(http::verb::post, url(server, "/api/v3/order"), "a=1");
  const HttpResult r = fetch(io, client, post);
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_FALSE(r.retried);
  EXPECT_EQ(server.accepted(), 2);
  ASSERT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.requests()[1].connection, 2);
}

// The server reads the second request on a kept-alive connection and closes without answering:
// what a client sees when the server's idle close races with its request.
Reply drop_second_on_first_connection(const ReceivedRequest& r) {
  if (r.connection == 1 && r.index_on_connection == 1) return act(ReplyAction::close_without_response);
  return ok(r.method + " answered on connection " + std::to_string(r.connection));
}

TEST(HttpClient, IdempotentRequestIsRetriedOnceOnAFreshConnectionWhenAReusedOneDrops) {
  boost::asio::io_context io;
  LoopbackHttpServer server(io, drop_second_on_first_connection);
  HttpClient client(io);
  ASSERT_TRUE(fetch(io, client, get(url(server))).ok());
  const HttpResult r = fetch(io, client, get(url(server, "/api/v3/openOrders")));
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_TRUE(r.retried);
  EXPECT_EQ(r.response.body, "GET answered on connection 2");
  EXPECT_EQ(server.accepted(), 2);
  EXPECT_EQ(server.requests().size(), 3u);  // the dropped copy and the retried one
}

TEST(HttpClient, PostThatMayHaveReachedTheServerIsNotResentAndSaysSo) {
  boost::asio::io_context io;
  LoopbackHttpServer server(io, drop_second_on_first_connection);
  HttpClient client(io);
  ASSERT_TRUE(fetch(io, client, get(url(server))).ok());
  HttpRequest order = make(http::verb::post, url(server, "/api/v3/order"), "newClientOrderId=bot-1-7");
  const HttpResult r = fetch(io, client, order);
  EXPECT_EQ(r.error, HttpErrc::connection_lost);
  EXPECT_TRUE(r.may_have_been_sent);
  EXPECT_FALSE(r.retried);
  EXPECT_NE(r.message.find("may have been sent"), std::string::npos) << r.message;
  // Exactly one copy of the order reached the server, and no second connection was opened.
  const auto posts = std::count_if(server.requests().begin(), server.requests().end(),
                                   [](const ReceivedRequest& q) { return q.method == "POST"; });
  EXPECT_EQ(posts, 1);
  EXPECT_EQ(server.accepted(), 1);
}

TEST(HttpClient, CallerCanMarkADeleteAsNotSafeToRepeat) {
  boost::asio::io_context io;
  LoopbackHttpServer server(io, drop_second_on_first_connection);
  HttpClient client(io);
  ASSERT_TRUE(fetch(io, client, get(url(server))).ok());
  HttpRequest cancel_order = make(http::verb::delete_, url(server, "/api/v3/order?orderId=1"));
  cancel_order.idempotent = false;
  const HttpResult r = fetch(io, client, cancel_order);
  EXPECT_EQ(r.error, HttpErrc::connection_lost);
  EXPECT_TRUE(r.may_have_been_sent);
  EXPECT_EQ(server.accepted(), 1);
}

TEST(HttpClient, CancelFailsTheRequestOnceAndClosesItsConnection) {
  boost::asio::io_context io;
  LoopbackHttpServer server(io, [](const ReceivedRequest&) { return act(ReplyAction::stall); });
  HttpClient client(io);
  int calls = 0;
  HttpResult got;
  const auto id = client.request(get(url(server)), [&](HttpClient::RequestId, HttpResult r) {
    ++calls;
    got = std::move(r);
  });
  ASSERT_TRUE(run_until(io, [&] { return server.requests().size() == 1; }));
  EXPECT_TRUE(client.cancel(id));
  EXPECT_EQ(calls, 0);  // never from inside cancel()
  EXPECT_FALSE(client.cancel(id));
  ASSERT_TRUE(run_until(io, [&] { return calls == 1 && server.closed() == 1; }));
  EXPECT_EQ(got.error, HttpErrc::cancelled);
  EXPECT_TRUE(got.may_have_been_sent);
  EXPECT_EQ(client.in_flight(), 0u);
}

TEST(HttpClient, InvalidRequestsFailWithoutBeingSentAndNeverSynchronously) {
  boost::asio::io_context io;
  HttpClient client(io);
  std::vector<HttpResult> results;
  auto keep = [&](HttpClient::RequestId, HttpResult r) { results.push_back(std::move(r)); };
  client.request(get("ftp://example.com/"), keep);
  HttpRequest evil = get("http://127.0.0.1:1/");
  evil.headers = {{"X-Evil", "a\r\nInjected: 1"}};
  client.request(evil, keep);
  EXPECT_TRUE(results.empty());
  ASSERT_TRUE(run_until(io, [&] { return results.size() == 2; }));
  EXPECT_EQ(results[0].error, HttpErrc::invalid_request);
  EXPECT_EQ(results[1].error, HttpErrc::invalid_request);
  EXPECT_FALSE(results[1].may_have_been_sent);
}

// ---- TLS ----

struct Pki {
  test::TestCa ca = test::make_test_ca("tradehost test CA");
  test::TempFile ca_file{ca.cert_pem};
};

TEST(HttpClientTls, VerifiesTheServerAgainstTheConfiguredCa) {
  boost::asio::io_context io;
  Pki pki;
  LoopbackHttpServer server(io, [](const ReceivedRequest& r) { return ok("tls " + r.target); },
                            test::server_tls_context(test::make_server_cert(pki.ca, {"localhost"})));
  HttpClient client(io, trusting(pki.ca_file.path()));
  const HttpResult r = fetch(io, client, get(url(server, "/secure", "localhost", "https")));
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.response.body, "tls /secure");
  // Keep-alive works over TLS too.
  ASSERT_TRUE(fetch(io, client, get(url(server, "/again", "localhost", "https"))).ok());
  EXPECT_EQ(server.accepted(), 1);
}

TEST(HttpClientTls, RefusesACertificateFromAnUntrustedCa) {
  boost::asio::io_context io;
  Pki trusted;
  const test::TestCa stranger = test::make_test_ca("someone else's CA");
  LoopbackHttpServer server(io, [](const ReceivedRequest&) { return ok(); },
                            test::server_tls_context(test::make_server_cert(stranger, {"localhost"})));
  HttpClient client(io, trusting(trusted.ca_file.path()));
  const HttpResult r = fetch(io, client, get(url(server, "/", "localhost", "https")));
  EXPECT_EQ(r.error, HttpErrc::tls_failed);
  EXPECT_FALSE(r.may_have_been_sent);
  EXPECT_NE(r.message.find("unable to get local issuer certificate"), std::string::npos) << r.message;
  EXPECT_TRUE(server.requests().empty());
}

TEST(HttpClientTls, RefusesACertificateForAnotherHostName) {
  boost::asio::io_context io;
  Pki pki;
  LoopbackHttpServer server(io, [](const ReceivedRequest&) { return ok(); },
                            test::server_tls_context(test::make_server_cert(pki.ca, {"api.other-venue.test"})));
  HttpClient client(io, trusting(pki.ca_file.path()));
  const HttpResult r = fetch(io, client, get(url(server, "/", "localhost", "https")));
  EXPECT_EQ(r.error, HttpErrc::tls_failed);
  EXPECT_NE(r.message.find("hostname mismatch"), std::string::npos) << r.message;
  EXPECT_TRUE(server.requests().empty());
}

TEST(HttpClientTls, WithoutTheTestCaTheSystemStoreDoesNotTrustIt) {
  boost::asio::io_context io;
  Pki pki;
  LoopbackHttpServer server(io, [](const ReceivedRequest&) { return ok(); },
                            test::server_tls_context(test::make_server_cert(pki.ca, {"localhost"})));
  HttpClient client(io);
  const HttpResult r = fetch(io, client, get(url(server, "/", "localhost", "https")));
  EXPECT_EQ(r.error, HttpErrc::tls_failed);
}

}  // namespace
}  // namespace tradehost::net
