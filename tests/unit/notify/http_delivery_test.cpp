// The pieces of plugins/notifier/http_delivery that the end-to-end notifier tests
// (tests/integration/http_notifiers_test.cpp) cannot reach: malformed UTF-8, length limits at a
// surrogate pair, and every source of a retry delay. Expected values are written by hand from
// RFC 8259 (JSON strings), RFC 3629 (UTF-8), RFC 9110 (Retry-After, its HTTP-date example) and
// the Telegram / Discord answer shapes quoted in retry_after.hpp.
#include "http_delivery/json_text.hpp"
#include "http_delivery/retry_after.hpp"

#include <gtest/gtest.h>

namespace {

using namespace tradehost::notify;

TEST(JsonText, EscapesWhatRfc8259RequiresAndPassesUtf8Through) {
  EXPECT_EQ(json_string("a\"b\\c/d"), R"("a\"b\\c/d")");
  EXPECT_EQ(json_string("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  EXPECT_EQ(json_string(std::string("\x00\x01\x1f\x7f", 4)), "\"\\u0000\\u0001\\u001f\x7f\"");
  EXPECT_EQ(json_string("ü € 😀"), "\"ü € 😀\"");
}

TEST(JsonText, MalformedUtf8BecomesReplacementCharacters) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(json_string("\xC0\xAF"), "\"" + fffd + fffd + "\"");               // overlong '/'
  EXPECT_EQ(json_string("\xED\xA0\x80"), "\"" + fffd + fffd + fffd + "\"");    // a UTF-16 surrogate
  EXPECT_EQ(json_string("\xF4\x90\x80\x80"), "\"" + fffd + fffd + fffd + fffd + "\"");  // above U+10FFFF
  EXPECT_EQ(json_string("ok\xE2\x82"), "\"ok" + fffd + fffd + "\"");           // cut short at the end
}

TEST(JsonText, Utf16LengthAndTruncation) {
  EXPECT_EQ(utf16_length("abc"), 3u);
  EXPECT_EQ(utf16_length("ü€"), 2u);
  EXPECT_EQ(utf16_length("😀"), 2u);  // a surrogate pair
  EXPECT_EQ(truncate_utf16("abcd", 4), "abcd");
  EXPECT_EQ(truncate_utf16("abcde", 4), "abc…");
  // The emoji does not fit beside the ellipsis and is never split.
  EXPECT_EQ(truncate_utf16("ab😀cd", 4), "ab…");
  EXPECT_EQ(truncate_utf16("ab😀cd", 5), "ab😀…");
}

TEST(RetryAfter, TelegramParametersComeFirst) {
  const std::string body =
      R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 5","parameters":{"retry_after":5}})";
  EXPECT_EQ(retry_after_ns("Retry-After: 60\r\n", body), 5'000'000'000);
  EXPECT_EQ(failure_text(body), "Too Many Requests: retry after 5");
}

TEST(RetryAfter, DiscordFractionalSeconds) {
  const std::string body = R"({"message": "You are being rate limited.", "retry_after": 0.25, "global": false})";
  EXPECT_EQ(retry_after_ns("", body), 250'000'000);
  EXPECT_EQ(failure_text(body), "You are being rate limited.");
}

TEST(RetryAfter, HeaderSecondsOrHttpDateAgainstTheAnswersDate) {
  EXPECT_EQ(retry_after_ns("Content-Type: text/plain\r\nretry-after:  7 \r\n", "slow down"), 7'000'000'000);
  // RFC 9110's example date, and an answer dated 2 min 3 s earlier.
  EXPECT_EQ(retry_after_ns("Date: Sun, 06 Nov 1994 08:47:34 GMT\r\nRetry-After: Sun, 06 Nov 1994 08:49:37 GMT\r\n", ""),
            123'000'000'000);
  // A date with nothing to measure it against, a negative count, or nothing at all: no wait given.
  EXPECT_EQ(retry_after_ns("Retry-After: Sun, 06 Nov 1994 08:49:37 GMT\r\n", ""), std::nullopt);
  EXPECT_EQ(retry_after_ns("Retry-After: -3\r\n", ""), std::nullopt);
  EXPECT_EQ(retry_after_ns("", R"({"ok":false})"), std::nullopt);
}

TEST(RetryAfter, FailureTextOfAPlainBodyIsOneShortLine) {
  EXPECT_EQ(failure_text("bad\ngateway\r\n"), "bad gateway  ");
  EXPECT_EQ(failure_text(std::string(300, 'x')).size(), 200u);
}

// A 400 000-deep nested answer overflowed the default 8 MiB stack in RapidJSON's recursive
// descent (the bug fuzz/ found in binance_common); it is now an answer without JSON fields.
TEST(RetryAfter, DeeplyNestedAnswerIsNotJsonNotAStackOverflow) {
  const std::string deep(400'000, '[');
  EXPECT_EQ(retry_after_ns("Retry-After: 7\r\n", deep), 7'000'000'000);  // the header still counts
  EXPECT_EQ(failure_text(deep), std::string(200, '['));
}

}  // namespace
