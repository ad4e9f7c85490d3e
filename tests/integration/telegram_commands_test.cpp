// The `telegram` notifier's operator commands end to end: the real `tradehost` in live mode
// (live_bot.hpp: the binance_spot connector against the real exchange simulator) with a telegram
// notifier whose Bot API is a real loopback HTTP server on a thread of this test. The bot token
// comes from the credential store (ABI 1.5 TH_HTTP_CREDENTIAL), so the request paths prove the
// host wrote it in, and the log and the state database prove it went nowhere else.
//
// The server plays Telegram (core.telegram.org/bots/api): getMe answers a User; getUpdates
// answers two pages of Update objects, then holds the next long poll without answering (as
// Telegram does while nothing is new); sendMessage answers {"ok":true,...}. The Updates follow
// the documented Update / Message / Chat / User fields; `date` is Unix seconds, written by the
// server when it answers (after the notifier started), except for the stale one, an hour old.
// The test waits on the bot's log lines and the control API, never on time.
#include "live_bot.hpp"

#include "threaded_http_server.hpp"

#include <ctime>
#include <thread>

namespace {

using namespace tradehost_it;
namespace nt = tradehost::net::test;

const std::string kControlToken = "tok-0123456789abcdef0123456789abcdef";
const std::string kBotToken = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11";  // the Bot API docs' example token shape
const std::string kControl = "\n[control]\nlisten = \"127.0.0.1:0\"\ntoken_credential = \"control\"\n";
constexpr int64_t kOpsChat = -1001234567890;  // the configured chat_id: the default allow-list
constexpr int64_t kOperator = 111222333;
constexpr int64_t kStranger = 999888777;

bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

using Server = ThreadedHttpServer;

/// One Update carrying a text message (Bot API "Update", "Message").
std::string update(int64_t update_id, int64_t chat_id, int64_t from_id, int64_t date, const std::string& text) {
  const std::string chat_type = chat_id < 0 ? "supergroup" : "private";
  return R"({"update_id":)" + std::to_string(update_id) + R"(,"message":{"message_id":)" + std::to_string(update_id % 1000) +
         R"(,"from":{"id":)" + std::to_string(from_id) + R"(,"is_bot":false,"first_name":"Op"},"chat":{"id":)" + std::to_string(chat_id) +
         R"(,"type":")" + chat_type + R"("},"date":)" + std::to_string(date) + R"(,"text":")" + text + R"("}})";
}

nt::Reply json(const std::string& body) { return nt::Reply{200, {{"Content-Type", "application/json"}}, body, nt::ReplyAction::respond}; }

TEST(TelegramCommands, KillFromTheAllowedChatHaltsStrangersAndStaleCommandsDoNothingAndResumeIsRefused) {
  TempDir d;
  SimProcess sim(d.path());
  int polls = 0;  // server thread only
  const std::string base = "/bot" + kBotToken;
  Server server([&](const nt::ReceivedRequest& q) {
    if (q.target == base + "/getMe") return json(R"({"ok":true,"result":{"id":5555,"is_bot":true,"first_name":"TH","username":"th_test_bot"}})");
    if (q.target == base + "/sendMessage") return json(R"({"ok":true,"result":{"message_id":1}})");
    if (q.target.rfind(base + "/getUpdates?", 0) == 0) {
      const int64_t now = std::time(nullptr);
      if (++polls == 1)
        return json(R"({"ok":true,"result":[)" + update(700001, kOpsChat, kOperator, now - 3600, "/kill stale from before the restart") +
                    "," + update(700002, kStranger, kStranger, now, "/kill intruder says hi") + "," +
                    update(700003, kOpsChat, kOperator, now, "/kill@other_bot not for us") + "," +
                    update(700004, kOpsChat, kOperator, now, "/status") + "]}");
      if (polls == 2)
        return json(R"({"ok":true,"result":[)" + update(700005, kOpsChat, kOperator, now, "/kill@th_test_bot operator test") + "," +
                    update(700006, kOpsChat, kOperator, now, "/resume") + "," + update(700007, kOpsChat, kOperator, now, "/status") +
                    "]}");
      return nt::Reply{200, {}, "", nt::ReplyAction::stall};  // a long poll with nothing new
    }
    return nt::Reply{404, {{"Content-Type", "application/json"}}, R"({"ok":false,"error_code":404,"description":"Not Found"})",
                     nt::ReplyAction::respond};
  });

  LiveBot bot(d, sim);
  bot.add_token("control", kControlToken);
  bot.add_token("tg", kBotToken);
  bot.write_config("qty = \"0.001\"\nprice_offset = \"500\"", "", kControl,
                   "\n[[notifier]]\nname = \"tg\"\ntype = \"telegram\"\non = [\"kill_switch\"]\ncredential = \"tg\"\n"
                   "chat_id = \"" + std::to_string(kOpsChat) + "\"\napi_url = \"" + server.url() + "\"\ncommands = true\n");
  ASSERT_NO_FATAL_FAILURE(bot.start());
  bot.await("commands on: polling " + server.url() + "/bot***/getUpdates as @th_test_bot, accepting chat/user ids " +
            std::to_string(kOpsChat));
  // Page 1: the stale /kill, the stranger's, the one for another bot: none moves the switch, as
  // the /status after them says.
  bot.await("stale command ignored chat_id=-1001234567890 user_id=111222333 update_id=700001 command=/kill");
  bot.await("command ignored chat_id=999888777 user_id=999888777 update_id=700002: not in command_chats (its text is not logged)");
  bot.await("command /status accepted chat_id=-1001234567890 user_id=111222333 update_id=700004: kill switch ACTIVE");
  // Page 2: /kill halts, /resume is refused, /status says HALTED.
  bot.await("command /kill accepted chat_id=-1001234567890 user_id=111222333 update_id=700005: kill switch ACTIVE -> HALTED");
  bot.await("command /resume refused chat_id=-1001234567890 user_id=111222333 update_id=700006");
  bot.await("command /status accepted chat_id=-1001234567890 user_id=111222333 update_id=700007: kill switch HALTED");

  const std::string reason = "telegram /kill from chat_id=-1001234567890 user_id=111222333 update_id=700005: operator test";
  const HttpAnswer status = curl("GET", bot.control_url() + "/v1/status", kControlToken);
  EXPECT_TRUE(has(status.body, R"("kill_switch":{"state":"HALTED","source":"notifier:tg","reason":")" + reason + "\"")) << status.body;
  EXPECT_EQ(bot.stop(), 0) << bot.log();
  server.stop();

  // The switch moved once, by the notifier, and stays HALTED in the state database.
  Db db(bot.state());
  const auto events = db.rows("SELECT from_state, to_state, source, reason FROM kill_switch_events ORDER BY event_id");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(col(events[0], 0) + " " + col(events[0], 1) + " " + col(events[0], 2), "ACTIVE HALTED notifier:tg");
  EXPECT_EQ(col(events[0], 3), reason);
  EXPECT_EQ(db.text("SELECT state FROM kill_switch WHERE bot = 'live-it' AND mode = 'live'"), "HALTED");

  // The requests, in order: getMe, the polls (each confirming the last page with offset = last
  // update_id + 1), and the answers, each a sendMessage to the chat the command came from.
  std::vector<const nt::ReceivedRequest*> polls_seen, sent;
  const auto& reqs = server.http.requests();
  ASSERT_FALSE(reqs.empty());
  EXPECT_EQ(reqs[0].method, "GET");
  EXPECT_EQ(reqs[0].target, base + "/getMe");
  for (const auto& q : reqs) {
    if (q.target.rfind(base + "/getUpdates?", 0) == 0) polls_seen.push_back(&q);
    if (q.target == base + "/sendMessage") sent.push_back(&q);
  }
  ASSERT_EQ(polls_seen.size(), 3u) << bot.log();
  const std::string poll = base + "/getUpdates?timeout=25&allowed_updates=%5B%22message%22%5D";
  EXPECT_EQ(polls_seen[0]->method, "GET");
  EXPECT_EQ(polls_seen[0]->target, poll);
  EXPECT_EQ(polls_seen[1]->target, poll + "&offset=700005");
  EXPECT_EQ(polls_seen[2]->target, poll + "&offset=700008");

  ASSERT_EQ(sent.size(), 6u) << bot.log();
  for (const auto* q : sent) {
    EXPECT_EQ(q->method, "POST");
    EXPECT_EQ(q->header("Content-Type"), "application/json");
  }
  EXPECT_EQ(sent[0]->body.rfind(R"({"chat_id":-1001234567890,"text":"Ignored /kill sent at )", 0), 0u) << sent[0]->body;
  EXPECT_TRUE(has(sent[0]->body, ", before this bot started (")) << sent[0]->body;
  EXPECT_EQ(sent[1]->body, R"({"chat_id":-1001234567890,"text":"Kill switch ACTIVE."})");
  // The answers to the page's three commands, then the transition itself on the topic kill_switch:
  // the host delivers a notification caused by the notifier's own kill_switch call only after
  // that call (here: handling the whole page) has returned (docs/plugins.md).
  EXPECT_EQ(sent[2]->body, R"({"chat_id":-1001234567890,"text":"Kill switch HALTED (was ACTIVE). Resuming takes POST /v1/resume on )"
                           R"(the control API."})");
  EXPECT_EQ(sent[3]->body, R"({"chat_id":-1001234567890,"text":"Refused: resuming is not done from chat. It takes an authenticated )"
                           R"(operator action: POST /v1/resume on the control API with its bearer token. The kill switch stays HALTED."})");
  EXPECT_EQ(sent[4]->body, R"({"chat_id":-1001234567890,"text":"Kill switch HALTED."})");
  EXPECT_EQ(sent[5]->body, R"({"chat_id":-1001234567890,"text":"[ERROR] kill switch HALTED\nbot=live-it from=ACTIVE to=HALTED )"
                           R"(source=notifier:tg reason=)" + reason + "\"}");

  // Nothing of the stranger's text reached the log, and the end-of-run drain did not wait for
  // the held long poll (TH_HTTP_BACKGROUND).
  EXPECT_FALSE(has(bot.log(), "intruder says hi"));
  EXPECT_FALSE(has(bot.log(), "notifiers still had work")) << bot.log();
  // The bot token is in no log line, nor in the state database or its WAL.
  EXPECT_FALSE(has(bot.log(), kBotToken));
  EXPECT_FALSE(has(bot.log(), "ABC-DEF1234ghIkl"));
  for (const fs::path& f : {bot.state(), fs::path(bot.state().string() + "-wal")}) {
    if (!fs::exists(f)) continue;
    std::ifstream in(f, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_FALSE(has(bytes, kBotToken)) << f;
  }
}

}  // namespace
