// The `telegram` notifier: each notification becomes one message from a Telegram bot, sent with
// the Bot API's sendMessage method through the host's HTTP (ABI 1.2):
//
//   POST {api_url}/bot{token}/sendMessage
//   Content-Type: application/json
//   {"chat_id":-1001234567890,"text":"buy 0.1 BTC/USDT @ 16500\norder=...","parse_mode":"HTML"}
//
// (core.telegram.org/bots/api: "Making requests" for the URL form and JSON bodies, "sendMessage"
// for chat_id, text and parse_mode, "Formatting options" for HTML and MarkdownV2 escaping.)
// chat_id goes out as a JSON integer when it is one and as a string ("@channelname") otherwise;
// text is at most 4096 characters after entity parsing, so longer texts are cut with "…".
//
// The bot token is a secret. Either `credential = "tg"` names a token credential of the host's
// store (`tradehost credentials add tg --type token`, the token on stdin): the URL then reads
// {api_url}/bot{credential}/sendMessage and the host writes the token into it (ABI 1.5,
// TH_HTTP_CREDENTIAL), so this plugin never holds it. Or `token` gives it (TH_CFG_SECRET; write
// token = "${TELEGRAM_BOT_TOKEN}" to take it from the environment). The token is never logged:
// logs name the target as {api_url}/bot***/sendMessage (and the host logs only origins).
//
// Operator commands (`commands = true`): /kill, /reduce, /status and /resume from allowed chats,
// through getUpdates long polling: telegram/command_listener.hpp.
//
// Delivery, retries and the queue: http_delivery/delivery_queue.hpp. A 429 waits for
// `parameters.retry_after` of Telegram's answer. notify() never fails because of the network.
#include <tradehost/plugin.hpp>

#include "http_delivery/delivery_queue.hpp"
#include "http_delivery/json_text.hpp"
#include "http_delivery/severity.hpp"
#include "telegram/command_listener.hpp"

#include <charconv>

#include <memory>
#include <string>

namespace {

using tradehost::Context;
using tradehost::Error;
using tradehost::Field;
namespace nt = tradehost::notify;
namespace tg = tradehost::telegram;

constexpr size_t kTextLimit = 4096;  // sendMessage: "Text of the message to be sent, 1-4096 characters"

bool all_of(std::string_view s, bool (*ok)(char)) {
  for (char c : s)
    if (!ok(c)) return false;
  return !s.empty();
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_token_char(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-';
}
bool is_username_char(char c) { return is_token_char(c) && c != '-'; }

/// Telegram's HTML mode: "<", ">" and "&" outside tags must be entities.
std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

/// Telegram's MarkdownV2 mode: these characters must be escaped with '\' outside entities, and
/// '\' itself too.
std::string markdown_v2_escape(std::string_view s) {
  static constexpr std::string_view kSpecial = "_*[]()~`>#+-=|{}.!\\";
  std::string out;
  for (char c : s) {
    if (kSpecial.find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

class TelegramNotifier : public tradehost::Notifier {
 public:
  static constexpr int kind = TH_KIND_NOTIFIER;
  static constexpr const char* type_name = "telegram";
  static constexpr const char* description = "Sends each notification as a Telegram bot message (Bot API sendMessage)";

  static std::vector<Field> config() {
    std::vector<Field> f = {
        {"token", TH_CFG_STR, "\"\"", "the bot's token from @BotFather (\"123456:ABC-...\"); use \"${ENV_VAR}\"; or set credential",
         TH_CFG_SECRET},
        {"credential", TH_CFG_STR, "\"\"",
         "a token credential holding the bot token (`tradehost credentials add NAME --type token`), instead of token",
         TH_CFG_CREDENTIAL},
        {"chat_id", TH_CFG_STR, "", "target chat: its numeric id (\"-1001234567890\") or \"@channelusername\"", TH_CFG_REQUIRED},
        {"api_url", TH_CFG_STR, "\"https://api.telegram.org\"", "Bot API server (a local Bot API server, or a test server)"},
        {"parse_mode", TH_CFG_STR, "\"\"", "\"\" (plain text), \"HTML\" or \"MarkdownV2\": the title is sent in bold, the text escaped"},
        {"min_severity", TH_CFG_STR, "\"info\"", "least severity sent: \"info\", \"warn\" or \"error\""},
        {"commands", TH_CFG_BOOL, "false",
         "accept /kill, /reduce, /status (and refuse /resume) from command_chats through getUpdates long polling (paper and live)"},
        {"command_chats", TH_CFG_STR_LIST, "[]",
         "chat ids and user ids whose commands are accepted (\"-1001234567890\", \"123456789\"); empty: chat_id"},
        {"poll_timeout", TH_CFG_DURATION, "\"25s\"", "getUpdates long-poll wait (its `timeout`), whole seconds, 1s..10m"},
    };
    for (const Field& r : nt::retry_fields()) f.push_back(r);
    return f;
  }

  explicit TelegramNotifier(Context ctx) : Notifier(ctx) {
    const std::string token = ctx.str("token");
    const bool from_store = !ctx.str("credential").empty();
    if (from_store == !token.empty())
      throw Error(TH_ERR_INVALID_ARG, "set exactly one of config keys 'token' (\"${ENV_VAR}\") and 'credential' (a token credential)");
    // Checked so the token cannot change the URL's shape; the message never repeats it. A stored
    // token is the operator's own, checked by the store (printable, no spaces).
    const size_t colon = token.find(':');
    if (!from_store && (colon == std::string::npos || !all_of(std::string_view(token).substr(0, colon), is_digit) ||
                        !all_of(std::string_view(token).substr(colon + 1), is_token_char)))
      throw Error(TH_ERR_INVALID_ARG, "config key 'token' is not a Telegram bot token (digits, ':', then letters, digits, '_' or '-')");
    const std::string bot_path = from_store ? "/bot{credential}" : "/bot" + token;
    const uint32_t flags = from_store ? static_cast<uint32_t>(TH_HTTP_CREDENTIAL) : 0u;
    const std::string chat = ctx.str("chat_id");
    const std::string_view digits = !chat.empty() && chat[0] == '-' ? std::string_view(chat).substr(1) : std::string_view(chat);
    if (all_of(digits, is_digit) && digits.size() <= 18) {
      chat_json_ = chat;  // an Integer in the Bot API's terms: sent as a JSON number
    } else if (chat.size() > 1 && chat[0] == '@' && all_of(std::string_view(chat).substr(1), is_username_char)) {
      chat_json_ = nt::json_string(chat);
    } else {
      throw Error(TH_ERR_INVALID_ARG, "config key 'chat_id' must be a numeric chat id or \"@channelusername\", not \"" + chat + "\"");
    }
    std::string api = ctx.str("api_url");
    while (!api.empty() && api.back() == '/') api.pop_back();
    if ((api.rfind("https://", 0) != 0 && api.rfind("http://", 0) != 0) || api.find_first_of("?# ") != std::string::npos)
      throw Error(TH_ERR_INVALID_ARG, "config key 'api_url' must be an http:// or https:// URL without query, e.g. \"https://api.telegram.org\"");
    parse_mode_ = ctx.str("parse_mode");
    if (!parse_mode_.empty() && parse_mode_ != "HTML" && parse_mode_ != "MarkdownV2")
      throw Error(TH_ERR_INVALID_ARG, "config key 'parse_mode' must be \"\", \"HTML\" or \"MarkdownV2\"");
    min_severity_ = nt::severity_from_name(ctx.str("min_severity"));
    if (!min_severity_) throw Error(TH_ERR_INVALID_ARG, "config key 'min_severity' must be \"info\", \"warn\" or \"error\"");
    const nt::RetrySettings retry = nt::read_retry_settings(ctx);
    queue_ = std::make_unique<nt::DeliveryQueue>(ctx, retry, api + bot_path + "/sendMessage", "Content-Type: application/json",
                                                 api + "/bot***/sendMessage", flags);
    if (ctx.boolean("commands")) {
      tg::CommandSettings c;
      c.bot_url = api + bot_path;
      c.log_url = api + "/bot***";
      c.extra_flags = flags;
      c.retry_initial_ns = retry.initial_backoff_ns;
      c.retry_max_ns = retry.max_backoff_ns;
      std::vector<std::string> ids = ctx.list("command_chats");
      if (ids.empty()) {
        if (chat_json_.front() == '"')
          throw Error(TH_ERR_INVALID_ARG, "commands = true with chat_id = " + chat + ": list numeric ids in 'command_chats' "
                                          "(a channel's @name never sends commands)");
        ids.push_back(chat);
      }
      for (const std::string& id : ids) {
        int64_t v = 0;
        const auto [p, ec] = std::from_chars(id.data(), id.data() + id.size(), v);
        if (ec != std::errc() || p != id.data() + id.size() || v == 0)
          throw Error(TH_ERR_INVALID_ARG, "config key 'command_chats' must list numeric chat or user ids, not \"" + id + "\"");
        c.allowed.push_back(v);
      }
      const int64_t poll_ns = ctx.duration_ns("poll_timeout");
      if (poll_ns < 1'000'000'000 || poll_ns > 600'000'000'000 || poll_ns % 1'000'000'000 != 0)
        throw Error(TH_ERR_INVALID_ARG, "config key 'poll_timeout' must be whole seconds between 1s and 10m");
      c.poll_timeout_s = poll_ns / 1'000'000'000;
      commands_ = std::make_unique<tg::CommandListener>(ctx, std::move(c), [this](int64_t chat_id, const std::string& text) {
        std::string json = "{\"chat_id\":" + std::to_string(chat_id) + ",\"text\":";
        nt::append_json_string(json, nt::truncate_utf16(text, kTextLimit));
        json += '}';
        queue_->push(std::move(json), "reply chat_id=" + std::to_string(chat_id));
      });
    }
  }

  void start() override {
    if (commands_) commands_->start();
  }

  void notify(int32_t severity, std::string_view topic, std::string_view title, std::string_view body) override {
    if (severity < min_severity_) return;
    const std::string_view label = severity == TH_SEV_ERROR ? "[ERROR] " : severity == TH_SEV_WARN ? "[WARN] " : "";
    // The limit counts the text after entity parsing, i.e. without markup and escapes: cut the
    // plain text, then mark it up.
    std::string head = std::string(label) + std::string(title);
    std::string plain = head;
    if (!body.empty()) plain.append("\n").append(body);
    plain = nt::truncate_utf16(plain, kTextLimit);
    if (plain.compare(0, head.size(), head) != 0) head = plain;  // cut inside the title
    const std::string rest = plain.substr(head.size());
    std::string text;
    if (parse_mode_ == "HTML") text = "<b>" + html_escape(head) + "</b>" + html_escape(rest);
    else if (parse_mode_ == "MarkdownV2") text = std::string("*").append(markdown_v2_escape(head)).append("*").append(markdown_v2_escape(rest));
    else text = plain;
    std::string json = "{\"chat_id\":" + chat_json_ + ",\"text\":";
    nt::append_json_string(json, text);
    if (!parse_mode_.empty()) json += ",\"parse_mode\":" + nt::json_string(parse_mode_);
    json += '}';
    queue_->push(std::move(json), std::string("topic=").append(topic));
  }

  void on_http(uint64_t request_id, uint64_t cookie, const th_http_response& r) override {
    if (commands_ && commands_->on_http(request_id, cookie, r)) return;
    queue_->on_http(request_id, cookie, r);
  }
  void on_timer(uint64_t timer_id, uint64_t cookie) override {
    if (commands_ && commands_->on_timer(timer_id, cookie)) return;
    queue_->on_timer(timer_id, cookie);
  }
  void stop() override {
    if (commands_) commands_->stop();
    queue_->stop();
  }

 private:
  std::string chat_json_, parse_mode_;
  int32_t min_severity_ = TH_SEV_INFO;
  std::unique_ptr<nt::DeliveryQueue> queue_;
  std::unique_ptr<tg::CommandListener> commands_;  // null unless commands = true
};

}  // namespace

TH_DECLARE_PLUGIN("telegram", "1.1.0", "tradehost-telegram-notifier-2", TelegramNotifier)
