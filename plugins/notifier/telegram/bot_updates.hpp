// What the `telegram` notifier reads from the Bot API (core.telegram.org/bots/api): the answers
// of getUpdates and getMe, and bot commands in message text. Pure parsing, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tradehost::telegram {

/// One incoming message with text, from an Update (Bot API "Update", "Message", "Chat", "User").
struct BotMessage {
  int64_t update_id = 0;               ///< Update.update_id
  int64_t message_id = 0;              ///< Message.message_id (unique in its chat)
  int64_t chat_id = 0;                 ///< Message.chat.id (private chats: the user's id; groups negative)
  std::optional<int64_t> from_id;      ///< Message.from.id; absent for messages sent on behalf of a chat
  int64_t date = 0;                    ///< Message.date: Unix time in seconds, Telegram's clock
  std::string text;                    ///< Message.text, UTF-8; empty for messages without text
};

/// One getUpdates answer: {"ok":true,"result":[Update, ...]} ("Making requests": every answer is
/// an object with Boolean `ok` and, when ok, `result`).
struct UpdatesPage {
  /// The updates that carry a `message`, in the order received (Telegram sends them in
  /// update_id order). Other update kinds (edited_message, channel_post, ...) are skipped.
  std::vector<BotMessage> messages;
  /// The highest update_id in the page, messages or not; nullopt for an empty page. The next
  /// getUpdates confirms everything up to it with offset = *last_update_id + 1 ("getUpdates":
  /// "An update is considered confirmed as soon as getUpdates is called with an offset higher
  /// than its update_id").
  std::optional<int64_t> last_update_id;
};

/// Parses a getUpdates response body. nullopt with `*error` set (one line: "not JSON at offset
/// 12", "ok is false: Conflict: ...", "result[3] has no integer update_id") when the body is not
/// a successful answer; an update whose `message` lacks a field the Bot API marks as always
/// present (message_id, date, chat.id) is an error too, rather than a command acted on blindly.
std::optional<UpdatesPage> parse_get_updates(std::string_view body, std::string* error);

/// The bot's username from a getMe answer ({"ok":true,"result":{"id":..,"is_bot":true,
/// "first_name":..,"username":"tradehost_bot"}}). nullopt with `*error` as above.
std::optional<std::string> parse_get_me(std::string_view body, std::string* error);

/// A bot command: "/name[@bot_username] [args]" at the start of a message (Bot API "Commands":
/// a command is '/' then up to 32 Latin letters, digits and underscores; in groups it may name
/// the bot it is meant for after '@').
struct BotCommand {
  std::string name;          ///< lowercased, without '/': "kill"
  std::string bot_username;  ///< after '@', as written; empty when the command names no bot
  std::string args;          ///< the rest of the text, leading and trailing white space removed
};

/// The command at the start of `text`, or nullopt when it does not start with one.
std::optional<BotCommand> parse_command(std::string_view text);

}  // namespace tradehost::telegram
