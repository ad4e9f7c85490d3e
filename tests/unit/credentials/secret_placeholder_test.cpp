// The "{credential}" placeholder of ABI 1.5 (TH_HTTP_CREDENTIAL): where the host writes a token
// credential's secret, where it refuses to, and how it masks the secret in what goes back to a
// plugin. Percent-encodings are written by hand from RFC 3986 section 2.1 (':' is %3A, '/' %2F).
#include "credentials/secret_placeholder.hpp"

#include <gtest/gtest.h>

namespace tradehost::credentials {
namespace {

// The shape of the Bot API docs' example token ("Authorizing your bot": 123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11).
const std::string kToken = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11";

TEST(SecretPlaceholder, ExpandsEveryPlaceholderInThePathAndQuery) {
  std::string error;
  EXPECT_EQ(expand_in_url("https://api.telegram.org/bot{credential}/sendMessage", kToken, &error),
            "https://api.telegram.org/bot123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11/sendMessage");
  EXPECT_EQ(expand_in_url("http://127.0.0.1:8080/x/{credential}?k={credential}", "s3cr3t", &error),
            "http://127.0.0.1:8080/x/s3cr3t?k=s3cr3t");
  EXPECT_EQ(expand("Authorization: Bearer {credential}\r\nX-A: b", "tok"), "Authorization: Bearer tok\r\nX-A: b");
  EXPECT_EQ(expand("no placeholder", "tok"), "no placeholder");
}

TEST(SecretPlaceholder, RefusesTheOriginANonUrlAndAUrlWithoutAPlaceholderWithoutQuotingTheSecret) {
  std::string error;
  EXPECT_FALSE(expand_in_url("https://{credential}.example.com/hook", kToken, &error));
  EXPECT_EQ(error, "{credential} may only stand in the URL's path or query, not in its scheme, host or port");
  EXPECT_FALSE(expand_in_url("https://example.com:{credential}/hook", kToken, &error));
  EXPECT_FALSE(expand_in_url("{credential}", kToken, &error));
  EXPECT_EQ(error, "not an absolute URL (no scheme://)");
  EXPECT_FALSE(expand_in_url("https://example.com/hook", kToken, &error));
  EXPECT_EQ(error, "the URL has no {credential} placeholder");
  EXPECT_FALSE(expand_in_url("https://example.com/{credential}", "", &error));
  EXPECT_EQ(error.find(kToken), std::string::npos);
}

TEST(SecretPlaceholder, RedactsTheSecretAsIsAndPercentEncoded) {
  std::string body = "Cannot POST /bot" + kToken + "/sendMessage";
  EXPECT_TRUE(redact(body, kToken));
  EXPECT_EQ(body, "Cannot POST /bot***/sendMessage");
  // ':' outside RFC 3986's unreserved set: %3A, or %3a from a server that writes lowercase hex.
  std::string quoted = "url=https%3A%2F%2Fapi%2Fbot123456%3AABC-DEF1234ghIkl-zyx57W2v1u123ew11%2FsendMessage and "
                       "123456%3aABC-DEF1234ghIkl-zyx57W2v1u123ew11";
  EXPECT_TRUE(redact(quoted, kToken));
  EXPECT_EQ(quoted, "url=https%3A%2F%2Fapi%2Fbot***%2FsendMessage and ***");
  std::string clean = "{\"ok\":true}";
  EXPECT_FALSE(redact(clean, kToken));
  EXPECT_EQ(clean, "{\"ok\":true}");
  EXPECT_FALSE(redact(clean, ""));
}

}  // namespace
}  // namespace tradehost::credentials
