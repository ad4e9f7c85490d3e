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
// The bot token is a secret (TH_CFG_SECRET; write token = "${TELEGRAM_BOT_TOKEN}" to take it
// from the environment). The credential store cannot hold it: the host only gives plugins a
// credential's public key id and signatures, never a secret. The token is never logged: logs
// name the target as {api_url}/bot***/sendMessage (and the host logs only origins).
//
// Delivery, retries and the queue: http_delivery/delivery_queue.hpp. A 429 waits for
// `parameters.retry_after` of Telegram's answer. notify() never fails because of the network.
#include <tradehost/plugin.hpp>

#include "http_delivery/delivery_queue.hpp"
#include "http_delivery/json_text.hpp"
#include "http_delivery/severity.hpp"

#include <memory>
#include <string>

namespace {

using tradehost::Context;
using tradehost::Error;
using tradehost::Field;
namespace nt = tradehost::notify;

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
        {"token", TH_CFG_STR, "", "the bot's token from @BotFather (\"123456:ABC-...\"); use \"${ENV_VAR}\"",
         TH_CFG_REQUIRED | TH_CFG_SECRET},
        {"chat_id", TH_CFG_STR, "", "target chat: its numeric id (\"-1001234567890\") or \"@channelusername\"", TH_CFG_REQUIRED},
        {"api_url", TH_CFG_STR, "\"https://api.telegram.org\"", "Bot API server (a local Bot API server, or a test server)"},
        {"parse_mode", TH_CFG_STR, "\"\"", "\"\" (plain text), \"HTML\" or \"MarkdownV2\": the title is sent in bold, the text escaped"},
        {"min_severity", TH_CFG_STR, "\"info\"", "least severity sent: \"info\", \"warn\" or \"error\""},
    };
    for (const Field& r : nt::retry_fields()) f.push_back(r);
    return f;
  }

  explicit TelegramNotifier(Context ctx) : Notifier(ctx) {
    const std::string token = ctx.str("token");
    // Checked so the token cannot change the URL's shape; the message never repeats it.
    const size_t colon = token.find(':');
    if (colon == std::string::npos || !all_of(std::string_view(token).substr(0, colon), is_digit) ||
        !all_of(std::string_view(token).substr(colon + 1), is_token_char))
      throw Error(TH_ERR_INVALID_ARG, "config key 'token' is not a Telegram bot token (digits, ':', then letters, digits, '_' or '-')");
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
    queue_ = std::make_unique<nt::DeliveryQueue>(ctx, nt::read_retry_settings(ctx), api + "/bot" + token + "/sendMessage",
                                                 "Content-Type: application/json", api + "/bot***/sendMessage");
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

  void on_http(uint64_t request_id, uint64_t cookie, const th_http_response& r) override { queue_->on_http(request_id, cookie, r); }
  void on_timer(uint64_t timer_id, uint64_t cookie) override { queue_->on_timer(timer_id, cookie); }
  void stop() override { queue_->stop(); }

 private:
  std::string chat_json_, parse_mode_;
  int32_t min_severity_ = TH_SEV_INFO;
  std::unique_ptr<nt::DeliveryQueue> queue_;
};

}  // namespace

TH_DECLARE_PLUGIN("telegram", "1.0.0", "tradehost-telegram-notifier-1", TelegramNotifier)
