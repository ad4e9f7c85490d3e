#include "telegram/command_listener.hpp"

#include "http_delivery/retry_after.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace tradehost::telegram {
namespace {

constexpr uint64_t kRequestCookie = 0x7465'6c65'0000'0000;  // the listener's on_http cookies: this | Step
constexpr uint64_t kRetryTimer = 2;                        // on_timer cookie (the delivery queue uses 1)
constexpr const char* kHelp = "Commands: /kill [reason], /reduce [reason], /status. Resuming takes POST /v1/resume on the control API.";

std::string_view state_name(int32_t s) {
  return s == TH_KILL_HALTED ? "HALTED" : s == TH_KILL_REDUCING ? "REDUCING" : s == TH_KILL_ACTIVE ? "ACTIVE" : "UNKNOWN";
}

/// Unix seconds -> "2026-05-01T12:00:00Z".
std::string iso8601(int64_t s) {
  const std::time_t t = static_cast<std::time_t>(s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

std::string who(const BotMessage& m) {
  return "chat_id=" + std::to_string(m.chat_id) + " user_id=" + (m.from_id ? std::to_string(*m.from_id) : std::string("none")) +
         " update_id=" + std::to_string(m.update_id);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto lc = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lc(a[i]) != lc(b[i])) return false;
  }
  return true;
}

}  // namespace

CommandListener::CommandListener(tradehost::Context ctx, CommandSettings settings, Reply reply)
    : ctx_(ctx), settings_(std::move(settings)), reply_(std::move(reply)) {}

void CommandListener::start() {
  start_s_ = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  send(Step::get_me);
}

void CommandListener::send(Step step) {
  if (stopped_) return;
  step_ = step;
  std::string url = settings_.bot_url;
  th_http_request req{};
  req.struct_size = sizeof req;
  req.method = TH_HTTP_GET;
  req.flags = TH_HTTP_IDEMPOTENT | TH_HTTP_BACKGROUND | settings_.extra_flags;
  if (step == Step::get_me) {
    url += "/getMe";
    req.timeout_ms = 10'000;
  } else {
    url += "/getUpdates?timeout=" + std::to_string(settings_.poll_timeout_s) + "&allowed_updates=%5B%22message%22%5D";
    if (offset_) url += "&offset=" + std::to_string(*offset_);
    // The server holds the request for up to `timeout` seconds: give it that and some slack.
    req.timeout_ms = static_cast<uint32_t>((settings_.poll_timeout_s + 10) * 1000);
  }
  req.url = tradehost::to_th(url);
  request_id_ = ctx_.host()->http_request(ctx_.self(), &req, kRequestCookie | static_cast<uint64_t>(step));
  if (request_id_ == 0) {
    // The host logged why (a malformed URL, a credential that is not a token): nothing to retry.
    ctx_.error("commands off: the host refused the request to " + settings_.log_url);
    stopped_ = true;
  }
}

bool CommandListener::on_http(uint64_t request_id, uint64_t cookie, const th_http_response& r) {
  if (request_id != request_id_ || cookie != (kRequestCookie | static_cast<uint64_t>(step_))) return false;
  request_id_ = 0;
  const std::string_view body(reinterpret_cast<const char*>(r.body.ptr), r.body.ptr ? r.body.len : 0);
  const char* method = step_ == Step::get_me ? "getMe" : "getUpdates";
  if (r.error != TH_OK) {
    failed(std::string(method) + ": " + std::string(tradehost::to_sv(r.message)), std::nullopt);
    return true;
  }
  if (r.status != 200) {
    std::string why = std::string(method) + ": HTTP " + std::to_string(r.status);
    if (!body.empty()) why.append(" ").append(tradehost::notify::failure_text(body));
    failed(why, r.status == 429 ? tradehost::notify::retry_after_ns(tradehost::to_sv(r.headers), body) : std::nullopt);
    return true;
  }
  std::string error;
  if (step_ == Step::get_me) {
    auto name = parse_get_me(body, &error);
    if (!name) {
      failed(std::string("getMe: ") + error, std::nullopt);
      return true;
    }
    username_ = *name;
    std::string ids;
    for (int64_t id : settings_.allowed) {
      if (!ids.empty()) ids += ',';
      ids += std::to_string(id);
    }
    ctx_.info("commands on: polling " + settings_.log_url + "/getUpdates as @" + username_ + ", accepting chat/user ids " + ids);
    failures_ = 0;
    send(Step::poll);
    return true;
  }
  auto page = parse_get_updates(body, &error);
  if (!page) {
    failed("getUpdates: " + error, std::nullopt);
    return true;
  }
  failures_ = 0;
  if (page->last_update_id) offset_ = *page->last_update_id + 1;
  for (const BotMessage& m : page->messages) handle(m);
  send(Step::poll);
  return true;
}

void CommandListener::failed(const std::string& why, std::optional<int64_t> wait_ns) {
  ++failures_;
  int64_t wait = settings_.retry_initial_ns;
  for (int64_t i = 1; i < failures_ && wait < settings_.retry_max_ns; ++i) wait *= 2;
  wait = std::min(wait, settings_.retry_max_ns);
  if (wait_ns) wait = std::max<int64_t>(*wait_ns, 1'000'000);
  ctx_.warn("commands: " + why + " (" + settings_.log_url + "); retrying in " + std::to_string(wait / 1'000'000) + " ms" +
            (wait_ns ? " (as the server asked)" : "") + "; failure " + std::to_string(failures_) + " in a row");
  timer_id_ = ctx_.host()->timer_start(ctx_.self(), wait, 0, kRetryTimer);
  if (timer_id_ == 0) {
    ctx_.error("commands off: the host refused the retry timer");
    stopped_ = true;
  }
}

bool CommandListener::on_timer(uint64_t timer_id, uint64_t cookie) {
  if (cookie != kRetryTimer || timer_id != timer_id_) return false;
  timer_id_ = 0;
  send(step_);
  return true;
}

void CommandListener::stop() {
  stopped_ = true;
  if (timer_id_) ctx_.host()->timer_cancel(ctx_.self(), timer_id_);
  timer_id_ = 0;
}

bool CommandListener::allowed(const BotMessage& m) const {
  for (int64_t id : settings_.allowed)
    if (id == m.chat_id || (m.from_id && id == *m.from_id)) return true;
  return false;
}

void CommandListener::handle(const BotMessage& m) {
  if (!allowed(m)) {
    ctx_.warn("command ignored " + who(m) + ": not in command_chats (its text is not logged)");
    return;
  }
  const auto c = parse_command(m.text);
  if (!c) return;  // talk in the operators' chat, not a command
  if (!c->bot_username.empty() && !iequals(c->bot_username, username_)) return;  // meant for another bot in the group
  if (m.date < start_s_) {
    ctx_.info("stale command ignored " + who(m) + " command=/" + c->name + " date=" + iso8601(m.date) + " started=" + iso8601(start_s_));
    reply_(m.chat_id, "Ignored /" + c->name + " sent at " + iso8601(m.date) + ", before this bot started (" + iso8601(start_s_) +
                          "). Send it again if you still mean it.");
    return;
  }
  act(m, *c);
}

void CommandListener::act(const BotMessage& m, const BotCommand& c) {
  const int32_t before = ctx_.kill_state();
  if (c.name == "kill" || c.name == "reduce") {
    const int32_t to = c.name == "kill" ? TH_KILL_HALTED : TH_KILL_REDUCING;
    const std::string reason = "telegram /" + c.name + " from " + who(m) + ": " + (c.args.empty() ? std::string("no reason given") : c.args);
    if (!ctx_.kill_switch(to, reason)) {
      ctx_.warn("command /" + c.name + " " + who(m) + ": the host has no kill switch service (ABI 1.4) or refused");
      reply_(m.chat_id, "The host refused /" + c.name + "; the kill switch is " + std::string(state_name(ctx_.kill_state())) + ".");
      return;
    }
    const int32_t after = ctx_.kill_state();
    ctx_.info("command /" + c.name + " accepted " + who(m) + ": kill switch " + std::string(state_name(before)) + " -> " +
              std::string(state_name(after)));
    if (after != before)
      reply_(m.chat_id, "Kill switch " + std::string(state_name(after)) + " (was " + std::string(state_name(before)) +
                            "). Resuming takes POST /v1/resume on the control API.");
    else
      reply_(m.chat_id, "Kill switch stays " + std::string(state_name(after)) + ": it is already at least that strict.");
    return;
  }
  if (c.name == "status") {
    ctx_.info("command /status accepted " + who(m) + ": kill switch " + std::string(state_name(before)));
    reply_(m.chat_id, "Kill switch " + std::string(state_name(before)) + ".");
    return;
  }
  if (c.name == "resume") {
    ctx_.info("command /resume refused " + who(m) + ": resuming takes the control API");
    reply_(m.chat_id, "Refused: resuming is not done from chat. It takes an authenticated operator action: POST /v1/resume on the "
                      "control API with its bearer token. The kill switch stays " + std::string(state_name(before)) + ".");
    return;
  }
  ctx_.info("command /" + c.name + " unknown " + who(m));
  reply_(m.chat_id, "Unknown command /" + c.name + ". " + kHelp);
}

}  // namespace tradehost::telegram
