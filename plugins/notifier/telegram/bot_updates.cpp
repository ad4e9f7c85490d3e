#include "telegram/bot_updates.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

namespace tradehost::telegram {
namespace {

using Value = rapidjson::Value;

/// The `result` of a Bot API answer, or null with *error set.
const Value* result_of(rapidjson::Document& doc, std::string_view body, std::string* error) {
  auto fail = [&](std::string why) -> const Value* {
    if (error) *error = std::move(why);
    return nullptr;
  };
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError())
    return fail(std::string("not JSON at offset ") + std::to_string(doc.GetErrorOffset()) + ": " +
                rapidjson::GetParseError_En(doc.GetParseError()));
  if (!doc.IsObject()) return fail("not a JSON object");
  const auto ok = doc.FindMember("ok");
  if (ok == doc.MemberEnd() || !ok->value.IsBool()) return fail("no Boolean 'ok'");
  if (!ok->value.GetBool()) {
    const auto d = doc.FindMember("description");
    return fail(std::string("ok is false") + (d != doc.MemberEnd() && d->value.IsString() ? std::string(": ") + d->value.GetString() : ""));
  }
  const auto r = doc.FindMember("result");
  if (r == doc.MemberEnd()) return fail("no 'result'");
  return &r->value;
}

bool int_member(const Value& obj, const char* key, int64_t& out) {
  if (!obj.IsObject()) return false;
  const auto m = obj.FindMember(key);
  if (m == obj.MemberEnd() || !m->value.IsInt64()) return false;
  out = m->value.GetInt64();
  return true;
}

bool is_command_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

std::optional<UpdatesPage> parse_get_updates(std::string_view body, std::string* error) {
  rapidjson::Document doc;
  const Value* result = result_of(doc, body, error);
  if (!result) return std::nullopt;
  auto fail = [&](std::string why) -> std::optional<UpdatesPage> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  if (!result->IsArray()) return fail("'result' is not an array of Update");
  UpdatesPage page;
  for (rapidjson::SizeType i = 0; i < result->Size(); ++i) {
    const Value& u = (*result)[i];
    const std::string where = "result[" + std::to_string(i) + "]";
    int64_t update_id = 0;
    if (!int_member(u, "update_id", update_id)) return fail(where + " has no integer update_id");
    if (!page.last_update_id || update_id > *page.last_update_id) page.last_update_id = update_id;
    const auto m = u.FindMember("message");
    if (m == u.MemberEnd()) continue;
    const Value& msg = m->value;
    BotMessage out;
    out.update_id = update_id;
    if (!int_member(msg, "message_id", out.message_id)) return fail(where + ".message has no integer message_id");
    if (!int_member(msg, "date", out.date)) return fail(where + ".message has no integer date");
    const auto chat = msg.FindMember("chat");
    if (chat == msg.MemberEnd() || !int_member(chat->value, "id", out.chat_id)) return fail(where + ".message has no chat.id");
    if (const auto from = msg.FindMember("from"); from != msg.MemberEnd()) {
      int64_t id = 0;
      if (!int_member(from->value, "id", id)) return fail(where + ".message.from has no integer id");
      out.from_id = id;
    }
    if (const auto text = msg.FindMember("text"); text != msg.MemberEnd() && text->value.IsString())
      out.text.assign(text->value.GetString(), text->value.GetStringLength());
    page.messages.push_back(std::move(out));
  }
  return page;
}

std::optional<std::string> parse_get_me(std::string_view body, std::string* error) {
  rapidjson::Document doc;
  const Value* result = result_of(doc, body, error);
  if (!result) return std::nullopt;
  const auto u = result->IsObject() ? result->FindMember("username") : result->MemberEnd();
  if (!result->IsObject() || u == result->MemberEnd() || !u->value.IsString()) {
    if (error) *error = "'result' is not a User with a username";
    return std::nullopt;
  }
  return std::string(u->value.GetString(), u->value.GetStringLength());
}

std::optional<BotCommand> parse_command(std::string_view text) {
  if (text.empty() || text[0] != '/') return std::nullopt;
  size_t end = 1;
  while (end < text.size() && is_command_char(text[end])) ++end;
  if (end == 1 || end - 1 > 32) return std::nullopt;
  BotCommand c;
  for (char ch : text.substr(1, end - 1)) c.name += (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
  if (end < text.size() && text[end] == '@') {
    size_t u = end + 1;
    while (u < text.size() && is_command_char(text[u])) ++u;
    c.bot_username = std::string(text.substr(end + 1, u - end - 1));
    end = u;
  }
  if (end < text.size() && !is_space(text[end])) return std::nullopt;  // "/kill-now" is not a command
  std::string_view rest = text.substr(end);
  while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
  while (!rest.empty() && is_space(rest.back())) rest.remove_suffix(1);
  c.args = std::string(rest);
  return c;
}

}  // namespace tradehost::telegram
