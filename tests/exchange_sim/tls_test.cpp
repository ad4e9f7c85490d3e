// exchange-sim with --tls-cert / --tls-key: the same port speaks HTTPS and WSS only. The
// certificates come from the net tests' in-process CA (tests/unit/net/test_pki.hpp); the clients
// trust that CA alone and check the name "localhost", as a connector configured with a CA file
// would. Expected market values are the candle file's rows:
//   [1] 1672678200000,16726.0,16726.8,16705.0,16707.5,1301.173
#include "sim_client.hpp"
#include "tests/unit/net/test_pki.hpp"

#include <gtest/gtest.h>

using namespace sim_test;
namespace pki = tradehost::net::test;

namespace {

class TlsServerTest : public ::testing::Test {
 protected:
  TlsServerTest()
      : ca(pki::make_test_ca("exchange-sim test CA")),
        leaf(pki::make_server_cert(ca, {kTlsHost})),
        cert_file(leaf.cert_pem),
        key_file(leaf.key_pem) {
    sim.config.tls_cert_file = cert_file.path().string();
    sim.config.tls_key_file = key_file.path().string();
    sim.tls_ca_pem = ca.cert_pem;
    sim.start();
  }
  pki::TestCa ca;
  pki::ServerCert leaf;
  pki::TempFile cert_file;
  pki::TempFile key_file;
  SimHarness sim;
};

}  // namespace

TEST_F(TlsServerTest, HttpsTimeAndWssStreamVerifyAgainstTheTestCa) {
  Reply time = sim.get("/api/v3/time");
  ASSERT_EQ(time.status, 200) << time.body;
  ASSERT_TRUE(time.json.IsObject());
  EXPECT_EQ(time.json["serverTime"].GetInt64(), sim.now.load());

  WssClient ws(sim.port(), "/ws/btcusdt@bookTicker", ca.cert_pem);
  // The WSS session answers live requests too: LIST_SUBSCRIPTIONS names the stream it opened on.
  EXPECT_EQ(ws.ready_reply, R"({"result":["btcusdt@bookTicker"],"id":1})");
  sim.advance(1);  // to row [1]
  auto book = parse(ws.read());
  EXPECT_EQ(std::string(book["b"].GetString()), "16707.50000000");  // its close
  EXPECT_EQ(std::string(book["a"].GetString()), "16707.51000000");  // one 0.01 tick above
}

TEST_F(TlsServerTest, AClientThatDoesNotTrustTheCaRefusesTheServer) {
  // Proves the clients above really verify: the same server fails against another CA.
  const pki::TestCa stranger = pki::make_test_ca("someone else's CA");
  sim.tls_ca_pem = stranger.cert_pem;
  EXPECT_THROW(sim.get("/api/v3/time"), beast::system_error);
}

TEST_F(TlsServerTest, PlainHttpOnTheTlsPortGetsNoAnswer) {
  sim.tls_ca_pem.clear();  // speak plain HTTP/1.1 to the TLS port
  try {
    Reply r = sim.get("/api/v3/time");
    ADD_FAILURE() << "a plain request was answered: " << r.status << " " << r.body;
  } catch (const beast::system_error& e) {
    // The server reads the request line as a TLS record, fails the handshake and hangs up.
    SUCCEED() << e.code().message();
  }
  EXPECT_THROW(WsClient(sim.port(), "/ws/btcusdt@bookTicker"), beast::system_error);
}
