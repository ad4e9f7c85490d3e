#include "rest_client.hpp"

#include <utility>

namespace tradehost::binance {

namespace {

th_str view(std::string_view s) { return th_str{s.data(), s.size()}; }

}  // namespace

RestClient::RestClient(th_instance* self, const th_host_api* host, std::string base_url, std::string venue,
                       int64_t recv_window_ms)
    : self_(self),
      host_(host),
      base_url_(std::move(base_url)),
      venue_(std::move(venue)),
      recv_window_ms_(recv_window_ms) {}

bool RestClient::api_key(std::string& out, std::string& error) const {
  th_str key{};
  if (host_->credential_api_key(self_, &key) != TH_OK || key.len == 0) {
    error = "no credential: set the connector's credential key to an entry of the credential store";
    return false;
  }
  out.assign(key.ptr, key.len);
  return true;
}

bool RestClient::has_credential() const {
  std::string key, error;
  return api_key(key, error);
}

RestSent RestClient::send(const RestCall& call, uint64_t cookie, std::string& error) {
  RestSent sent;
  sent.queued_at = host_->now(self_);
  std::string query = call.params.text();
  std::string headers;
  if (call.security != Security::None) {
    std::string key;
    if (!api_key(key, error)) return RestSent{};
    headers = "X-MBX-APIKEY: " + key;
  }
  if (call.security == Security::Signed) {
    sent.timestamp_ms = clock_.server_ms(sent.queued_at);
    const SignFn sign = [this](std::string_view payload, std::string& signature, std::string& why) {
      char buf[256];
      size_t len = 0;
      const th_bytes bytes{reinterpret_cast<const uint8_t*>(payload.data()), payload.size()};
      const th_status st = host_->sign(self_, TH_SIGN_HMAC_SHA256_HEX, bytes, buf, sizeof buf, &len);
      if (st != TH_OK || len > sizeof buf) {
        why = "the host could not sign the request (status " + std::to_string(st) + ")";
        return false;
      }
      signature.assign(buf, len);
      return true;
    };
    if (!sign_query(query, sent.timestamp_ms, recv_window_ms_, sign, error)) return RestSent{};
  }
  std::string url = base_url_ + call.path;
  if (!query.empty()) url += "?" + query;
  th_http_request req{};
  req.struct_size = sizeof req;
  req.method = call.method;
  req.url = view(url);
  req.headers = view(headers);
  req.venue = view(venue_);
  req.budgets = view(call.budgets);
  req.flags = call.flags;
  req.timeout_ms = timeout_ms_;
  sent.request_id = host_->http_request(self_, &req, cookie);
  if (sent.request_id == 0) {
    error = "the host refused the request " + call.path + " (see its log)";
    return RestSent{};
  }
  return sent;
}

}  // namespace tradehost::binance
