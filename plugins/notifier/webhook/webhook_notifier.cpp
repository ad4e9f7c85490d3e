// The `webhook` notifier: each notification becomes one JSON POST to a URL, through the host's
// HTTP (ABI 1.2), with `Content-Type: application/json`, in one of three shapes (`format`):
//
//   json     tradehost's own, one object per notification:
//            {"severity":"info","topic":"fill","title":"buy 0.1 BTC/USDT @ 16500",
//             "body":"order=...","bot":"btc-ema","ts":"2023-01-05T12:35:00.000Z"}
//            severity "info" | "warn" | "error"; bot: the `bot` key (plugins do not see the
//            [bot] name); ts: the loop clock at notify time (the event's time in a backtest),
//            ISO 8601 UTC with milliseconds.
//   slack    a Slack incoming webhook ("Sending messages using incoming webhooks"):
//            {"text":"*title*\nbody"}; "&", "<" and ">" are written as &amp; &lt; &gt;, as
//            Slack's "Formatting text: escaping text" asks, so text is never read as a link
//            or mention.
//   discord  a Discord webhook ("Execute Webhook"): {"content":"**title**\nbody",
//            "allowed_mentions":{"parse":[]}}; content is at most 2000 characters, so longer
//            texts are cut with "…"; allowed_mentions with no types keeps "@everyone" or a
//            user id in a notification from pinging anyone.
//
// The URL is a secret (TH_CFG_SECRET): Slack and Discord webhook URLs carry their token in the
// path. Logs name only its scheme, host and port. Either the whole URL comes from the environment
// (url = "${SLACK_WEBHOOK_URL}"), or its secret part comes from the host's credential store: with
// credential = "slack" (a token credential: `tradehost credentials add slack --type token`, the
// secret on stdin) the URL says where it goes, url = "https://hooks.slack.com/services/{credential}",
// and the host writes the secret there (ABI 1.5, TH_HTTP_CREDENTIAL), so this plugin never holds
// it. "{credential}" may stand in the path or query only, never in the host. Delivery, retries and the queue:
// http_delivery/delivery_queue.hpp (Discord's 429 body gives `retry_after`, Slack's 429 a
// Retry-After header). notify() never fails because of the network.
#include <tradehost/plugin.hpp>

#include "http_delivery/delivery_queue.hpp"
#include "http_delivery/json_text.hpp"
#include "http_delivery/severity.hpp"

#include <cstdio>
#include <ctime>
#include <memory>
#include <string>

namespace {

using tradehost::Context;
using tradehost::Error;
using tradehost::Field;
namespace nt = tradehost::notify;

constexpr size_t kDiscordContentLimit = 2000;  // Execute Webhook: content "up to 2000 characters"

enum class Format { json, slack, discord };

/// Slack mrkdwn control characters as the entities Slack asks for.
std::string slack_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else out += c;
  }
  return out;
}

/// ns since the Unix epoch -> "2023-01-05T12:35:00.000Z".
std::string iso8601_ms(th_time_ns ns) {
  const int64_t ms = ns >= 0 ? ns / 1'000'000 : -((-ns + 999'999) / 1'000'000);
  const std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];  // room for any int year, so the format can never be cut
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, static_cast<int>(ms - static_cast<int64_t>(secs) * 1000));
  return buf;
}

class WebhookNotifier : public tradehost::Notifier {
 public:
  static constexpr int kind = TH_KIND_NOTIFIER;
  static constexpr const char* type_name = "webhook";
  static constexpr const char* description = "POSTs each notification as JSON: tradehost's own shape, Slack or Discord";

  static std::vector<Field> config() {
    std::vector<Field> f = {
        {"url", TH_CFG_STR, "",
         "http:// or https:// URL to POST to (Slack/Discord URLs hold a token: use \"${ENV_VAR}\", or write {credential} where "
         "the secret goes and set credential)",
         TH_CFG_REQUIRED | TH_CFG_SECRET},
        {"credential", TH_CFG_STR, "\"\"",
         "a token credential the host writes where url says {credential} (`tradehost credentials add NAME --type token`)",
         TH_CFG_CREDENTIAL},
        {"format", TH_CFG_STR, "\"json\"", "\"json\" (tradehost's shape), \"slack\" or \"discord\""},
        {"bot", TH_CFG_STR, "\"\"", "the json format's `bot` field, e.g. the [bot] name"},
        {"min_severity", TH_CFG_STR, "\"info\"", "least severity sent: \"info\", \"warn\" or \"error\""},
    };
    for (const Field& r : nt::retry_fields()) f.push_back(r);
    return f;
  }

  explicit WebhookNotifier(Context ctx) : Notifier(ctx), bot_(ctx.str("bot")) {
    const std::string url = ctx.str("url");
    const size_t scheme_end = url.find("://");
    if ((url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) || url.find_first_of(" \r\n") != std::string::npos)
      throw Error(TH_ERR_INVALID_ARG, "config key 'url' must be an http:// or https:// URL");
    const size_t host_end = url.find_first_of("/?#", scheme_end + 3);
    const std::string origin = url.substr(0, host_end);
    if (origin.size() <= scheme_end + 3) throw Error(TH_ERR_INVALID_ARG, "config key 'url' has no host");
    const bool from_store = !ctx.str("credential").empty();
    const size_t placeholder = url.find("{credential}");
    if (from_store && (placeholder == std::string::npos || placeholder < origin.size()))
      throw Error(TH_ERR_INVALID_ARG, "config key 'credential' is set: write {credential} in the path of 'url' where its secret goes, "
                                      "e.g. \"https://hooks.slack.com/services/{credential}\"");
    if (!from_store && placeholder != std::string::npos)
      throw Error(TH_ERR_INVALID_ARG, "config key 'url' holds {credential}: set 'credential' to a token credential");
    const std::string format = ctx.str("format");
    if (format == "json") format_ = Format::json;
    else if (format == "slack") format_ = Format::slack;
    else if (format == "discord") format_ = Format::discord;
    else throw Error(TH_ERR_INVALID_ARG, "config key 'format' must be \"json\", \"slack\" or \"discord\", not \"" + format + "\"");
    min_severity_ = nt::severity_from_name(ctx.str("min_severity"));
    if (!min_severity_) throw Error(TH_ERR_INVALID_ARG, "config key 'min_severity' must be \"info\", \"warn\" or \"error\"");
    queue_ = std::make_unique<nt::DeliveryQueue>(ctx, nt::read_retry_settings(ctx), url, "Content-Type: application/json",
                                                 origin + "/***", from_store ? static_cast<uint32_t>(TH_HTTP_CREDENTIAL) : 0u);
  }

  void notify(int32_t severity, std::string_view topic, std::string_view title, std::string_view body) override {
    if (severity < min_severity_) return;
    std::string json;
    std::string rest;
    if (!body.empty()) rest.append("\n").append(body);
    switch (format_) {
      case Format::json:
        json = "{\"severity\":" + nt::json_string(nt::severity_name(severity)) + ",\"topic\":" + nt::json_string(topic) +
               ",\"title\":" + nt::json_string(title) + ",\"body\":" + nt::json_string(body) + ",\"bot\":" + nt::json_string(bot_) +
               ",\"ts\":" + nt::json_string(iso8601_ms(ctx_.now())) + "}";
        break;
      case Format::slack:
        json = "{\"text\":" + nt::json_string(std::string("*").append(slack_escape(title)).append("*").append(slack_escape(rest))) + "}";
        break;
      case Format::discord:
        json = "{\"content\":" + nt::json_string(nt::truncate_utf16("**" + std::string(title) + "**" + rest, kDiscordContentLimit)) +
               ",\"allowed_mentions\":{\"parse\":[]}}";
        break;
    }
    queue_->push(std::move(json), std::string("topic=").append(topic));
  }

  void on_http(uint64_t request_id, uint64_t cookie, const th_http_response& r) override { queue_->on_http(request_id, cookie, r); }
  void on_timer(uint64_t timer_id, uint64_t cookie) override { queue_->on_timer(timer_id, cookie); }
  void stop() override { queue_->stop(); }

 private:
  std::string bot_;
  Format format_ = Format::json;
  int32_t min_severity_ = TH_SEV_INFO;
  std::unique_ptr<nt::DeliveryQueue> queue_;
};

}  // namespace

TH_DECLARE_PLUGIN("webhook", "1.1.0", "tradehost-webhook-notifier-2", WebhookNotifier)
