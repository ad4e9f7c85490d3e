// The Bot API answers the `telegram` notifier reads for its commands (plugins/notifier/telegram/
// bot_updates.hpp). The JSON is written by hand from core.telegram.org/bots/api: "Making
// requests" (every answer is {"ok":..,"result":..} or {"ok":false,"error_code":..,
// "description":..}), "getUpdates" (an Array of Update), "Update" (update_id; at most one of
// message, edited_message, channel_post, ...), "Message" (message_id, from, chat, date, text,
// entities), "Chat" (id, type), "User" (id, is_bot, first_name, username) and "getMe".
#include "telegram/bot_updates.hpp"

#include <gtest/gtest.h>

namespace {

using namespace tradehost::telegram;

TEST(TelegramBotUpdates, ReadsMessagesAndTheLastUpdateIdOfAGetUpdatesAnswer) {
  const std::string body = R"({"ok":true,"result":[
    {"update_id":873051001,"message":{"message_id":17,"from":{"id":111222333,"is_bot":false,"first_name":"Ann","username":"ann_ops"},
      "chat":{"id":-1001234567890,"title":"ops","type":"supergroup"},"date":1767225600,"text":"/kill@th_test_bot  fat finger ",
      "entities":[{"offset":0,"length":17,"type":"bot_command"}]}},
    {"update_id":873051002,"edited_message":{"message_id":17,"chat":{"id":-1001234567890,"type":"supergroup"},"date":1767225600,
      "edit_date":1767225700,"text":"/kill"}},
    {"update_id":873051003,"message":{"message_id":18,"sender_chat":{"id":-1001234567890,"type":"supergroup"},
      "chat":{"id":-1001234567890,"type":"supergroup"},"date":1767225601,"photo":[]}}
  ]})";
  std::string error;
  const auto page = parse_get_updates(body, &error);
  ASSERT_TRUE(page) << error;
  EXPECT_EQ(page->last_update_id, 873051003);  // the edited message counts for the offset too
  ASSERT_EQ(page->messages.size(), 2u);
  const BotMessage& a = page->messages[0];
  EXPECT_EQ(a.update_id, 873051001);
  EXPECT_EQ(a.message_id, 17);
  EXPECT_EQ(a.chat_id, -1001234567890);
  EXPECT_EQ(a.from_id, 111222333);
  EXPECT_EQ(a.date, 1767225600);
  EXPECT_EQ(a.text, "/kill@th_test_bot  fat finger ");
  const BotMessage& b = page->messages[1];
  EXPECT_FALSE(b.from_id);  // sent on behalf of the chat
  EXPECT_EQ(b.text, "");

  const auto empty = parse_get_updates(R"({"ok":true,"result":[]})", &error);
  ASSERT_TRUE(empty) << error;
  EXPECT_FALSE(empty->last_update_id);
  EXPECT_TRUE(empty->messages.empty());
}

TEST(TelegramBotUpdates, RefusesFailedAndMalformedAnswers) {
  std::string error;
  EXPECT_FALSE(parse_get_updates(
      R"({"ok":false,"error_code":409,"description":"Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"})",
      &error));
  EXPECT_EQ(error, "ok is false: Conflict: terminated by other getUpdates request; make sure that only one bot instance is running");
  EXPECT_FALSE(parse_get_updates("<html>", &error));
  EXPECT_EQ(error.rfind("not JSON at offset 0", 0), 0u) << error;
  EXPECT_FALSE(parse_get_updates(R"({"ok":true,"result":{}})", &error));
  EXPECT_FALSE(parse_get_updates(R"({"ok":true,"result":[{"message":{}}]})", &error));
  EXPECT_EQ(error, "result[0] has no integer update_id");
  EXPECT_FALSE(parse_get_updates(R"({"ok":true,"result":[{"update_id":1,"message":{"message_id":2,"date":3,"chat":{}}}]})", &error));
  EXPECT_EQ(error, "result[0].message has no chat.id");
}

TEST(TelegramBotUpdates, ReadsTheBotsUsernameFromGetMe) {
  std::string error;
  EXPECT_EQ(parse_get_me(R"({"ok":true,"result":{"id":5555,"is_bot":true,"first_name":"TH","username":"th_test_bot"}})", &error),
            "th_test_bot");
  EXPECT_FALSE(parse_get_me(R"({"ok":false,"error_code":401,"description":"Unauthorized"})", &error));
  EXPECT_EQ(error, "ok is false: Unauthorized");
}

TEST(TelegramBotUpdates, ParsesCommandsAsTheBotApiDefinesThem) {
  auto c = parse_command("/kill@th_test_bot  fat finger ");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, "kill");
  EXPECT_EQ(c->bot_username, "th_test_bot");
  EXPECT_EQ(c->args, "fat finger");
  c = parse_command("/Status");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, "status");
  EXPECT_EQ(c->bot_username, "");
  EXPECT_EQ(c->args, "");
  c = parse_command("/reduce\nnews at 14:00");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->args, "news at 14:00");
  EXPECT_FALSE(parse_command("kill"));
  EXPECT_FALSE(parse_command("/"));
  EXPECT_FALSE(parse_command("/kill-now"));
  EXPECT_FALSE(parse_command("/" + std::string(33, 'a')));  // "up to 32 characters"
  EXPECT_TRUE(parse_command("/" + std::string(32, 'a')));
}

}  // namespace
