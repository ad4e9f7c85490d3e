// Client-side TLS for the network clients: one OpenSSL context per client, certificate
// verification against the system CA store (plus an optional CA file), SNI and host name checks.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <string>

namespace tradehost::net {

struct TlsOptions {
  /// PEM file of extra CA certificates trusted in addition to the system store (for a venue's
  /// private test CA, or the tests' own CA). Empty: the system store only.
  std::string ca_file;
};

/// A client context that refuses anything unverified: TLS 1.2 or newer, SSL_VERIFY_PEER against
/// the system CA store (`set_default_verify_paths`: OpenSSL's default directory and bundle,
/// /etc/ssl/certs on Debian) and `options.ca_file`. Throws boost::system::system_error naming the
/// file when `ca_file` cannot be read or holds no certificate.
std::shared_ptr<boost::asio::ssl::context> make_client_tls_context(const TlsOptions& options);

/// Prepares one client connection (`ssl` is the stream's native handle) to `host` before the
/// handshake: sends SNI (DNS names only; RFC 6066 section 3 forbids IP literals there) and makes
/// OpenSSL check the peer certificate's names against `host` during the handshake (DNS name
/// against subjectAltName/CN with wildcards as RFC 6125 allows; an IP literal against iPAddress
/// SANs). Returns an error when OpenSSL refuses the name.
boost::system::error_code prepare_tls_client(SSL* ssl, const std::string& host);

/// One line saying why a handshake failed: the error's own text plus, when certificate
/// verification was the cause, OpenSSL's verify result ("certificate verify failed: hostname
/// mismatch", "...: unable to get local issuer certificate").
std::string describe_tls_failure(SSL* ssl, const boost::system::error_code& ec);

}  // namespace tradehost::net
