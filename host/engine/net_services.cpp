// The networking and signing services of th_host_api (ABI 1.2): plugins ask, the host does the
// I/O on its loop (net/: Beast HTTP and WebSocket clients over OpenSSL, rate-limit budgets) and
// hands the outcome back through th_component.on_http / on_ws. Secrets stay in the credential
// store (credentials/): a plugin gets its credential's public key id and signatures, never the
// secret.
//
// OWNERSHIP. Every request and WebSocket belongs to the instance that opened it. When an
// instance stops (end of run, containment, hot reload), release_net() cancels its requests and
// closes its sockets, so no callback ever reaches a stopped instance; a result that races with
// that is dropped by the lookup in the completion handler.
#include "engine/engine.hpp"

#include "credentials/credential_store.hpp"
#include "credentials/secret_placeholder.hpp"
#include "credentials/signer.hpp"
#include "net/http_client.hpp"
#include "net/rate_limiter.hpp"
#include "net/websocket_client.hpp"

#include <boost/asio/io_context.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <charconv>

namespace tradehost::engine {

namespace {

std::string_view view(th_str s) { return s.ptr && s.len ? std::string_view(s.ptr, s.len) : std::string_view(); }
th_str th(std::string_view s) { return th_str{s.data(), s.size()}; }

/// "Name: value" lines (CRLF or LF) -> header fields; false on a line without ':'.
bool parse_header_lines(std::string_view text, std::vector<net::HeaderField>& out) {
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    out.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  return true;
}

/// "name=weight,name=weight" -> budget uses; false when malformed.
bool parse_budgets(std::string_view text, std::vector<net::BudgetUse>& out) {
  while (!text.empty()) {
    size_t end = text.find(',');
    std::string_view item = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    const size_t eq = item.rfind('=');
    if (eq == std::string_view::npos || eq == 0) return false;
    int64_t weight = 0;
    const std::string_view w = item.substr(eq + 1);
    auto [p, ec] = std::from_chars(w.data(), w.data() + w.size(), weight);
    if (ec != std::errc() || p != w.data() + w.size() || weight <= 0) return false;
    out.push_back(net::BudgetUse{std::string(item.substr(0, eq)), weight});
  }
  return true;
}

th_status status_of(net::HttpErrc e) {
  switch (e) {
    case net::HttpErrc::ok: return TH_OK;
    case net::HttpErrc::invalid_request: return TH_ERR_INVALID_ARG;
    case net::HttpErrc::rate_limited: return TH_ERR_REJECTED;
    case net::HttpErrc::timed_out:
    case net::HttpErrc::cancelled: return TH_ERR_RETRY;
    default: return TH_ERR_IO;
  }
}

}  // namespace

net::HttpClient& Engine::http_client() {
  if (!http_) {
    rate_limiter_ = std::make_unique<net::RateLimiter>(*io_ctx_, [this](std::string_view venue, std::string_view reason) {
      spdlog::error("venue {} banned this host (HTTP 418): {}; no more requests go to it", venue, reason);
      notify("error", TH_SEV_ERROR, fmt::format("banned by {}", venue), std::string(reason));
    });
    net::HttpClientOptions o;
    o.tls.ca_file = graph_.bot.tls_ca_file.empty() ? std::string() : graph_.bot.tls_ca_file.string();
    o.rate_limiter = rate_limiter_.get();
    http_ = std::make_unique<net::HttpClient>(*io_ctx_, std::move(o));
  }
  return *http_;
}

uint64_t Engine::http_request(th_instance* self, const th_http_request* in, uint64_t cookie) {
  if (!self || !in) return 0;
  auto refuse = [&](const std::string& why) -> uint64_t {
    spdlog::error("{} '{}': http_request refused: {}", graph::kind_name(self->kind), self->name, why);
    return 0;
  };
  if (!self->component->comp.on_http) return refuse("the component has no on_http callback (ABI 1.2)");
  if (self->failed) return refuse("the instance is stopped");
  th_http_request req{};
  std::memcpy(&req, in, std::min<size_t>(in->struct_size, sizeof req));
  net::HttpRequest r;
  switch (req.method) {
    case TH_HTTP_GET: r.method = boost::beast::http::verb::get; break;
    case TH_HTTP_POST: r.method = boost::beast::http::verb::post; break;
    case TH_HTTP_PUT: r.method = boost::beast::http::verb::put; break;
    case TH_HTTP_DELETE: r.method = boost::beast::http::verb::delete_; break;
    default: return refuse(fmt::format("unknown method {}", req.method));
  }
  r.url = std::string(view(req.url));
  if (!parse_header_lines(view(req.headers), r.headers)) return refuse("headers must be 'Name: value' lines");
  // ABI 1.5 flags mean nothing to an older plugin, which may have left junk in those bits.
  const bool abi_1_5 =
      self->component->plugin && loader::negotiated_abi(self->component->plugin->abi_version) >= ((1u << 16) | 5u);
  const bool background = abi_1_5 && (req.flags & TH_HTTP_BACKGROUND);
  std::shared_ptr<const credentials::Secret> secret;
  if (abi_1_5 && (req.flags & TH_HTTP_CREDENTIAL)) {
    // Every message below names the credential, never its secret.
    const credentials::Credential* c = credential_store_ && !self->credential.empty() ? credential_store_->find(self->credential) : nullptr;
    if (!c) return refuse("TH_HTTP_CREDENTIAL without a credential (declare a TH_CFG_CREDENTIAL key and name one in the config)");
    if (c->type != credentials::CredentialType::Token)
      return refuse(fmt::format("TH_HTTP_CREDENTIAL: credential '{}' is of type {}; only a token credential is put into a request "
                                "(`tradehost credentials add NAME --type token`)",
                                self->credential, credentials::credential_type_name(c->type)));
    std::string why;
    auto url = credentials::expand_in_url(r.url, c->secret.view(), &why);
    if (!url) return refuse("TH_HTTP_CREDENTIAL: " + why);
    r.url = std::move(*url);
    for (auto& [name, value] : r.headers) value = credentials::expand(value, c->secret.view());
    secret = std::make_shared<const credentials::Secret>(c->secret.clone());
  }
  r.body.assign(reinterpret_cast<const char*>(req.body.ptr), req.body.ptr ? req.body.len : 0);
  if (req.timeout_ms) r.timeout = std::chrono::milliseconds(req.timeout_ms);
  if (req.flags & TH_HTTP_IDEMPOTENT) r.idempotent = true;
  if (req.flags & TH_HTTP_NOT_IDEMPOTENT) r.idempotent = false;
  r.cost.venue = std::string(view(req.venue));
  if (!parse_budgets(view(req.budgets), r.cost.budgets)) return refuse("budgets must be 'name=weight' items separated by ','");
  if (!r.cost.budgets.empty() && r.cost.venue.empty()) return refuse("budgets need a venue");
  try {
    http_client();  // creates the rate limiter too
  } catch (const std::exception& e) {
    return refuse(e.what());
  }
  for (const auto& b : r.cost.budgets)  // else the limiter's refusal would read as a venue ban
    if (!rate_limiter_->used(b.budget)) return refuse(fmt::format("budget '{}' was never declared with rate_budget", b.budget));
  const uint64_t id = next_net_id_++;
  uint64_t net_id = 0;
  try {
    // The callback never runs inside request() (net/http_client.hpp), so the entry is recorded
    // after it returns.
    net_id = http_client().request(std::move(r), [this, id](uint64_t, net::HttpResult result) {
      auto it = http_calls_.find(id);
      if (it == http_calls_.end()) return;  // the owner stopped meanwhile
      const HttpCall call = std::move(it->second);
      http_calls_.erase(it);
      th_instance* owner = call.owner;
      if (!owner->started || owner->failed) return;
      std::string headers;
      for (const auto& [k, v] : result.response.headers) headers += k + ": " + v + "\r\n";
      if (call.secret) {
        // A server may echo the URL (a 404 page, a proxy's error) and net/ may quote it in a
        // message: whatever goes back to the plugin holds "***" instead of the secret.
        credentials::redact(headers, call.secret->view());
        credentials::redact(result.response.body, call.secret->view());
        credentials::redact(result.message, call.secret->view());
      }
      th_http_response resp{};
      resp.struct_size = sizeof resp;
      resp.status = result.ok() ? static_cast<int32_t>(result.response.status) : 0;
      resp.error = status_of(result.error);
      resp.flags = result.may_have_been_sent && !result.ok() ? TH_HTTP_MAYBE_SENT : 0;
      resp.headers = th(headers);
      resp.body = th_bytes{reinterpret_cast<const uint8_t*>(result.response.body.data()), result.response.body.size()};
      resp.message = th(result.ok() ? std::string_view() : std::string_view(result.message));
      const th_status st = owner->component->comp.on_http(owner->state, id, call.cookie, &resp);
      after_callback(owner, "on_http", st);
    });
  } catch (const std::exception& e) {
    return refuse(e.what());
  }
  http_calls_[id] = HttpCall{self, cookie, net_id, background, std::move(secret)};
  return id;
}

th_status Engine::http_cancel(th_instance* self, uint64_t request_id) {
  auto it = http_calls_.find(request_id);
  if (it == http_calls_.end() || it->second.owner != self) return TH_ERR_NOT_FOUND;
  return http_ && http_->cancel(it->second.net_id) ? TH_OK : TH_ERR_NOT_FOUND;
}

th_status Engine::rate_budget(th_instance* self, th_str name, th_str venue, int64_t limit, th_time_ns interval, th_str usage_header) {
  if (!self) return TH_ERR_INVALID_ARG;
  net::BudgetSpec spec;
  spec.name = std::string(view(name));
  spec.venue = std::string(view(venue));
  spec.limit = limit;
  spec.interval = std::chrono::milliseconds(interval / 1'000'000);
  spec.usage_header = std::string(view(usage_header));
  try {
    http_client();
    rate_limiter_->define(spec);
  } catch (const std::exception& e) {
    spdlog::error("{} '{}': rate_budget '{}' refused: {}", graph::kind_name(self->kind), self->name, spec.name, e.what());
    return TH_ERR_INVALID_ARG;
  }
  return TH_OK;
}

uint64_t Engine::ws_open(th_instance* self, th_str url, uint64_t cookie) {
  if (!self || self->failed) return 0;
  if (!self->component->comp.on_ws) {
    spdlog::error("{} '{}': ws_open refused: the component has no on_ws callback (ABI 1.2)", graph::kind_name(self->kind), self->name);
    return 0;
  }
  const uint64_t id = next_net_id_++;
  auto deliver_ws = [this, id](int32_t what, std::string_view data) {
    auto it = ws_conns_.find(id);
    if (it == ws_conns_.end()) return;
    th_instance* owner = it->second.owner;
    if (!owner->started || owner->failed) return;
    const th_status st = owner->component->comp.on_ws(owner->state, id, it->second.cookie, what, th(data));
    after_callback(owner, "on_ws", st);
  };
  net::WebSocketHandlers h;
  h.on_opened = [deliver_ws] { deliver_ws(TH_WS_OPENED, {}); };
  h.on_message = [deliver_ws](std::string_view m, bool) { deliver_ws(TH_WS_MESSAGE, m); };
  h.on_closed = [deliver_ws](const net::WsClosed& c) { deliver_ws(TH_WS_CLOSED, c.message); };
  net::WebSocketOptions o;
  o.tls.ca_file = graph_.bot.tls_ca_file.empty() ? std::string() : graph_.bot.tls_ca_file.string();
  try {
    auto client = std::make_unique<net::WebSocketClient>(*io_ctx_, std::string(view(url)), std::move(o), std::move(h));
    client->start();
    ws_conns_[id] = WsConn{self, cookie, std::move(client)};
  } catch (const std::exception& e) {
    spdlog::error("{} '{}': ws_open refused: {}", graph::kind_name(self->kind), self->name, e.what());
    return 0;
  }
  return id;
}

th_status Engine::ws_send(th_instance* self, uint64_t conn, th_str text) {
  auto it = ws_conns_.find(conn);
  if (it == ws_conns_.end() || it->second.owner != self) return TH_ERR_NOT_FOUND;
  return it->second.client->send(std::string(view(text))) ? TH_OK : TH_ERR_NOT_READY;
}

void Engine::ws_close(th_instance* self, uint64_t conn) {
  auto it = ws_conns_.find(conn);
  if (it == ws_conns_.end() || it->second.owner != self) return;
  auto client = std::move(it->second.client);
  ws_conns_.erase(it);  // no more on_ws, even for the close handshake's own event
  client->close();
  retire(std::move(client));  // its handlers may still run until the close completes
}

void Engine::retire(std::unique_ptr<net::WebSocketClient> client) {
  // Clients that finished closing have delivered their last event and sit on no stack: free them,
  // so a long paper run that reconnects or reloads often does not accumulate them.
  std::erase_if(closing_ws_, [](const auto& c) { return c->state() == net::WsState::closed; });
  closing_ws_.push_back(std::move(client));
}

void Engine::release_net(th_instance* inst) noexcept {
  for (auto it = http_calls_.begin(); it != http_calls_.end();) {
    if (it->second.owner != inst) {
      ++it;
      continue;
    }
    if (http_) http_->cancel(it->second.net_id);
    it = http_calls_.erase(it);
  }
  for (auto it = ws_conns_.begin(); it != ws_conns_.end();) {
    if (it->second.owner != inst) {
      ++it;
      continue;
    }
    it->second.client->close();
    retire(std::move(it->second.client));
    it = ws_conns_.erase(it);
  }
}

th_status Engine::credential_api_key(th_instance* self, th_str* out) {
  if (!self || !out || self->credential.empty() || !signer_) return TH_ERR_NOT_FOUND;
  try {
    self->credential_api_key = signer_->api_key(self->credential);
  } catch (const std::exception& e) {
    spdlog::error("{} '{}': {}", graph::kind_name(self->kind), self->name, e.what());
    return TH_ERR_NOT_FOUND;
  }
  *out = th(self->credential_api_key);
  return TH_OK;
}

th_status Engine::sign(th_instance* self, int32_t algorithm, th_bytes payload, char* out, size_t cap, size_t* len) {
  if (!self || !len || self->credential.empty() || !signer_) return TH_ERR_NOT_FOUND;
  credentials::SignatureAlgorithm alg;
  switch (algorithm) {
    case TH_SIGN_HMAC_SHA256_HEX: alg = credentials::SignatureAlgorithm::HmacSha256; break;
    case TH_SIGN_HMAC_SHA512_HEX: alg = credentials::SignatureAlgorithm::HmacSha512; break;
    case TH_SIGN_ED25519_BASE64: alg = credentials::SignatureAlgorithm::Ed25519; break;
    default: return TH_ERR_INVALID_ARG;
  }
  std::string sig;
  try {
    sig = signer_->sign(self->credential, alg,
                        std::string_view(reinterpret_cast<const char*>(payload.ptr), payload.ptr ? payload.len : 0));
  } catch (const std::exception& e) {  // messages never hold the secret (credentials/signer.hpp)
    spdlog::error("{} '{}': sign refused: {}", graph::kind_name(self->kind), self->name, e.what());
    return TH_ERR_INVALID_ARG;
  }
  *len = sig.size();
  if (sig.size() > cap || !out) return TH_ERR_INVALID_ARG;
  std::memcpy(out, sig.data(), sig.size());
  return TH_OK;
}

}  // namespace tradehost::engine
