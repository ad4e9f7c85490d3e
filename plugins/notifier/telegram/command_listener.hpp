// The `telegram` notifier's operator commands: a long poll of the Bot API's getUpdates through the
// host's HTTP (ABI 1.2), acting on the kill switch (ABI 1.4) for commands from allowed chats.
//
//   GET {api_url}/bot{token}/getMe                          once, for the bot's @username
//   GET {api_url}/bot{token}/getUpdates?timeout=25&allowed_updates=%5B%22message%22%5D[&offset=N]
//
// (core.telegram.org/bots/api: "getMe"; "getUpdates": `timeout` is the long-poll wait in
// seconds, `allowed_updates` a JSON-serialized list of update types, and an update is confirmed
// by calling getUpdates with an offset higher than its update_id, so offset = the last
// update_id + 1; "Commands" for /command@botname.)
//
// Commands (from an allowed chat or user only):
//   /kill [reason]    -> th_host_api.kill_switch(TH_KILL_HALTED, ...)
//   /reduce [reason]  -> th_host_api.kill_switch(TH_KILL_REDUCING, ...)
//   /status           -> the kill switch's state
//   /resume           -> refused: resuming takes an authenticated operator action (POST
//                        /v1/resume on the control API); a chat message is not one
//   anything else     -> the list of commands
// Each one is answered with sendMessage in the chat it came from. A message from a chat or user
// not on the allow-list is ignored and logged with its chat and user ids, never its text.
//
// Stale commands: Telegram keeps unconfirmed updates for 24 hours and delivers them to the next
// getUpdates, so after a restart (or while the host was down) an old "/kill" would arrive as if
// new. A message whose `date` (Unix seconds, Telegram's clock) is older than the second this
// listener started is not acted on: it is logged and answered "ignored, send it again". The
// start is taken from the wall clock, not host->now(), because `date` is wall-clock time and the
// loop clock of a paper replay is the replayed data's time. Telegram's dates have one-second
// resolution, so a command sent in the same second as the start counts as new.
//
// Failures (no answer, 5xx, 409 "terminated by other getUpdates request", a body that is not an
// Update list) are logged and retried after a backoff on a host timer (retry_initial, doubling
// up to retry_max; a 429's retry_after wins); the poll never blocks anything, and the polls are
// TH_HTTP_BACKGROUND (ABI 1.5) so the end-of-run notifier drain does not wait for them.
#pragma once

#include <tradehost/plugin.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "telegram/bot_updates.hpp"

namespace tradehost::telegram {

struct CommandSettings {
  /// "{api_url}/bot{token}" or, with a credential, "{api_url}/bot{credential}" (the host expands it).
  std::string bot_url;
  /// How logs name bot_url: "{api_url}/bot***".
  std::string log_url;
  /// th_http_request flags every request carries besides the listener's own: TH_HTTP_CREDENTIAL
  /// when the token comes from the credential store, else 0.
  uint32_t extra_flags = 0;
  /// Chat ids and user ids whose commands are accepted (Message.chat.id or Message.from.id).
  std::vector<int64_t> allowed;
  int64_t poll_timeout_s = 25;                 ///< getUpdates `timeout`, seconds, >= 1
  int64_t retry_initial_ns = 1'000'000'000;    ///< wait after the first failed request
  int64_t retry_max_ns = 60'000'000'000;       ///< cap of the doubling wait
};

class CommandListener {
 public:
  /// How a reply goes out: a sendMessage to `chat_id` with `text` (plain text).
  using Reply = std::function<void(int64_t chat_id, const std::string& text)>;

  CommandListener(tradehost::Context ctx, CommandSettings settings, Reply reply);

  /// Notes the start time and asks getMe; from the component's start().
  void start();
  /// Forwarded from the component: true when the response or timer was the listener's.
  bool on_http(uint64_t request_id, uint64_t cookie, const th_http_response& response);
  bool on_timer(uint64_t timer_id, uint64_t cookie);
  /// Cancels the pending retry timer (the host cancels the poll itself).
  void stop();

 private:
  enum class Step { get_me, poll };
  void send(Step step);
  void failed(const std::string& why, std::optional<int64_t> wait_ns);
  void handle(const BotMessage& m);
  void act(const BotMessage& m, const BotCommand& c);
  bool allowed(const BotMessage& m) const;

  tradehost::Context ctx_;
  CommandSettings settings_;
  Reply reply_;
  int64_t start_s_ = 0;                  // Unix seconds, wall clock
  std::string username_;                 // from getMe
  std::optional<int64_t> offset_;        // the next getUpdates offset
  Step step_ = Step::get_me;
  uint64_t request_id_ = 0, timer_id_ = 0;
  int64_t failures_ = 0;                 // in a row
  bool stopped_ = false;
};

}  // namespace tradehost::telegram
