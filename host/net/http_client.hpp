// HTTP/1.1 client on the host loop (Boost.Beast over Boost.Asio, TLS through OpenSSL), with
// keep-alive connection reuse, per-request deadlines, cancellation and rate-limit budgets.
//
// RETRIES: WHEN A REQUEST IS SENT TWICE, AND WHEN NEVER
// A keep-alive connection the server has closed is the one failure retried automatically, once,
// on a fresh connection, and only when a second copy cannot do harm:
//   1. Before a pooled connection is reused it is checked (non-blocking peek): one the server has
//      already closed (FIN seen) or that holds unexpected bytes is discarded and never written
//      to. That costs nothing and involves no retry.
//   2. If the request then fails on a REUSED connection with a "connection closed" error (EOF,
//      reset, broken pipe, TLS truncation) before a single byte of the response arrived, it is
//      retried once on a NEW connection when either
//        a. not one byte of the request was written (the server cannot have seen it), or
//        b. the request is idempotent: HttpRequest::idempotent, which defaults to true for GET,
//           HEAD, OPTIONS, TRACE, PUT and DELETE (RFC 9110 section 9.2.2) and false otherwise.
//   Anything else is NOT retried: a failure on a fresh connection, a timeout, a partial response,
//   TLS errors, and above all a POST whose bytes went out. Such a POST may have reached the
//   venue and placed an order; sending it again is how orders get duplicated. It fails with
//   HttpErrc::connection_lost (or timed_out) and HttpResult::may_have_been_sent = true, and the
//   caller must find out what happened (query the order by its client order id) instead.
// A caller that knows better (a DELETE whose repetition is harmful) sets `idempotent = false`.
//
// Threading: everything runs on the io_context's (loop) thread; callbacks too. No call blocks.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/beast/http/verb.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/rate_limiter.hpp"
#include "net/tls.hpp"

namespace tradehost::net {

struct HttpRequest {
  boost::beast::http::verb method = boost::beast::http::verb::get;
  /// Absolute http:// or https:// URL; the query string is part of it.
  std::string url;
  /// Sent as given, in order (repeated names allowed). `Host`, `User-Agent` and `Content-Length`
  /// are filled in unless given here. A name or value containing CR, LF or NUL is refused.
  std::vector<HeaderField> headers;
  std::string body;
  /// Deadline for the whole exchange once it leaves the rate limiter: resolve + connect + TLS +
  /// write + read, including a retry. On expiry the request fails with HttpErrc::timed_out and
  /// its connection is closed (a late response could otherwise be read as the next one's).
  std::chrono::milliseconds timeout{10'000};
  /// See the header comment; nullopt: decided by the method.
  std::optional<bool> idempotent;
  /// Rate-limit budgets this request spends (needs HttpClientOptions::rate_limiter). The venue
  /// also receives the response status and headers (usage headers, 429, 418).
  RequestCost cost;
};

struct HttpResponse {
  unsigned status = 0;
  /// Response headers in arrival order.
  std::vector<HeaderField> headers;
  std::string body;

  /// The first header of that name (case-insensitive), if any.
  std::optional<std::string_view> header(std::string_view name) const;
};

enum class HttpErrc {
  ok = 0,
  /// The request could not be built: bad URL, header with CR/LF, method unknown. Never sent.
  invalid_request,
  /// DNS failure. Never sent.
  resolve_failed,
  /// TCP connect failed on every address. Never sent.
  connect_failed,
  /// TLS handshake or certificate verification failed (the message says which). Never sent.
  tls_failed,
  /// HttpRequest::timeout expired. may_have_been_sent says whether bytes went out.
  timed_out,
  /// The connection closed or broke before the whole response arrived (and no retry was safe).
  connection_lost,
  /// The response was malformed or larger than HttpClientOptions::max_body_bytes.
  protocol_error,
  /// cancel() was called.
  cancelled,
  /// The rate limiter refused it: the venue banned us (HTTP 418) or the cost is invalid. Never sent.
  rate_limited,
};

/// Short name of an HttpErrc ("timed_out").
std::string_view to_string(HttpErrc e);

struct HttpResult {
  HttpErrc error = HttpErrc::ok;
  /// One line for logs and the operator, e.g. "timed out after 250 ms waiting for the response".
  std::string message;
  /// True when some of the request's bytes were written before it failed: the server may have
  /// acted on it. Always false for ok (it was sent, and answered).
  bool may_have_been_sent = false;
  /// True when the request was sent a second time on a fresh connection (see the header comment).
  bool retried = false;
  /// Valid when error == ok. Any HTTP status counts as ok here: 4xx/5xx are answers. Note that
  /// for Binance a 5XX means the execution status is UNKNOWN and may have been a success
  /// (rest-api.md "HTTP Return Codes"): the caller reconciles those like may_have_been_sent.
  HttpResponse response;

  bool ok() const { return error == HttpErrc::ok; }
};

struct HttpClientOptions {
  TlsOptions tls;
  /// Idle keep-alive connections kept per (scheme, host, port); more are closed on release.
  size_t max_idle_per_origin = 4;
  /// Idle connections older than this are closed instead of reused. Servers close idle
  /// keep-alive connections after their own timeout (often 5 to 60 s); not reusing old ones keeps
  /// requests away from the race where the server closes just as a POST is written.
  std::chrono::milliseconds max_idle_age{30'000};
  /// Responses with a bigger body fail with protocol_error (Binance's full exchangeInfo is ~20 MB).
  uint64_t max_body_bytes = 64ull << 20;
  std::string user_agent = "tradehost";
  /// Budgets for HttpRequest::cost; must outlive the client. Null: costs are ignored.
  RateLimiter* rate_limiter = nullptr;
};

class HttpClient {
 public:
  using RequestId = uint64_t;
  /// Invoked exactly once per request, on the loop, never from inside request() or cancel().
  using Callback = std::function<void(RequestId id, HttpResult result)>;

  /// Throws boost::system::system_error when options.tls.ca_file cannot be loaded.
  HttpClient(boost::asio::io_context& io, HttpClientOptions options = {});
  /// Closes every connection and drops pending requests WITHOUT invoking their callbacks.
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// Starts a request and returns its id (ids start at 1 and are never reused by one client).
  RequestId request(HttpRequest request, Callback callback);

  /// Cancels a request that has not completed: its callback gets HttpErrc::cancelled (with
  /// may_have_been_sent set if bytes went out) and its connection, if it had one, is closed.
  /// Returns false when the id is unknown or already completed.
  bool cancel(RequestId id);

  /// Idle pooled connections to `scheme://host:port` (e.g. "http://127.0.0.1:8080").
  size_t idle_connections(std::string_view origin) const;
  /// Requests started and not yet completed.
  size_t in_flight() const;

  struct Exchange;
  struct Connection;

 private:
  friend struct Exchange;
  std::shared_ptr<Connection> take_idle(const std::string& origin);
  void release(std::shared_ptr<Connection> connection);
  void forget(RequestId id);

  boost::asio::io_context& io_;
  HttpClientOptions options_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::map<std::string, std::vector<std::shared_ptr<Connection>>, std::less<>> idle_;
  std::map<RequestId, std::shared_ptr<Exchange>> active_;
  RequestId next_id_ = 1;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace tradehost::net
