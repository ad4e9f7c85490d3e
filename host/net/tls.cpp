#include "net/tls.hpp"

#include <boost/asio/ip/address.hpp>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace tradehost::net {

namespace ssl = boost::asio::ssl;

std::shared_ptr<ssl::context> make_client_tls_context(const TlsOptions& options) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  ctx->set_verify_mode(ssl::verify_peer);
  ctx->set_default_verify_paths();
  if (!options.ca_file.empty()) {
    boost::system::error_code ec;
    ctx->load_verify_file(options.ca_file, ec);
    if (ec) throw boost::system::system_error(ec, "cannot load CA file " + options.ca_file);
  }
  return ctx;
}

boost::system::error_code prepare_tls_client(SSL* ssl, const std::string& host) {
  boost::system::error_code parse_ec;
  boost::asio::ip::make_address(host, parse_ec);
  const bool ip_literal = !parse_ec;
  auto fail = [] {
    return boost::system::error_code(static_cast<int>(::ERR_get_error()), boost::asio::error::get_ssl_category());
  };
  if (ip_literal) {
    if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) != 1) return fail();
    return {};
  }
  if (SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) return fail();
  // Partial wildcards ("api*.example.com") are not accepted: only a whole left-most label.
  SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (SSL_set1_host(ssl, host.c_str()) != 1) return fail();
  return {};
}

std::string describe_tls_failure(SSL* ssl, const boost::system::error_code& ec) {
  std::string text = ec.message();
  const long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) {
    text += ": ";
    text += X509_verify_cert_error_string(verify);
  }
  return text;
}

}  // namespace tradehost::net
