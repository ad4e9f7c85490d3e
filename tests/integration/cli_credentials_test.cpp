// `tradehost credentials add|list|remove` through the real executable: what a user sees, what
// lands on disk, and that the secret shows up in neither.
#include <sys/stat.h>

#include "cli_harness.hpp"

namespace tradehost_it {
namespace {

// The secret and API key of Binance's documented HMAC example (spot REST docs, "SIGNED (TRADE
// and USER_DATA) Endpoint security"): published, so safe in a test, and realistic in shape.
constexpr const char* kSecret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
constexpr const char* kApiKey = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
constexpr const char* kMasterKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
// An Ed25519 private key in PKCS#8 PEM: the RFC 8032 section 7.1 TEST 1 secret key
// 9d61b1...7f60 behind the fixed PKCS#8 prefix 302e020100300506032b657004220420 (RFC 8410).
constexpr const char* kEdPem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
    "-----END PRIVATE KEY-----\n";
constexpr const char* kEdPemBody = "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g";

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

/// The environment of a run: the raw master key (SetUp removed the caller's own settings).
std::map<std::string, std::string> env_with(std::map<std::string, std::string> extra = {}) {
  std::map<std::string, std::string> env = {{"TRADEHOST_MASTER_KEY", kMasterKey}};
  for (auto& [k, v] : extra) env[k] = v;
  return env;
}

class CliCredentials : public ::testing::Test {
 protected:
  void SetUp() override {
    // Children inherit this process's environment: keep the caller's own settings out.
    for (const char* name : {"TRADEHOST_MASTER_KEY", "TRADEHOST_PASSPHRASE", "TRADEHOST_CREDENTIALS"}) ::unsetenv(name);
    write_file(tmp / "hmac.txt", std::string(kSecret) + "\n");
    write_file(tmp / "ed.pem", kEdPem);
  }
  /// Runs tradehost with `args` (plus --store), stdin from `stdin_file` when given; checks that
  /// no secret reached its output.
  Result cred(std::vector<std::string> args, const std::string& stdin_file = {},
              std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), "credentials");
    args.push_back("--store");
    args.push_back(store.string());
    Result r = run(args, tmp.path(), env_with(std::move(env)), std::chrono::seconds(60),
                   stdin_file.empty() ? fs::path() : tmp / stdin_file);
    expect_no_secret(r.both(), "output of " + args[1]);
    return r;
  }
  void expect_no_secret(const std::string& text, const std::string& where) {
    for (const std::string& needle : {std::string(kSecret), std::string(kSecret).substr(0, 12), std::string(kEdPemBody),
                                      std::string(kEdPemBody).substr(20, 16), std::string(kMasterKey)})
      EXPECT_FALSE(contains(text, needle)) << where << " holds a secret: " << needle << "\n" << text;
  }

  TempDir tmp;
  fs::path store = tmp / "conf" / "credentials.enc";
};

TEST_F(CliCredentials, AddListRemoveWithMasterKey) {
  Result r = cred({"add", "binance-main", "--type", "hmac", "--api-key", kApiKey}, "hmac.txt");
  ASSERT_EQ(r.rc, 0) << r.both();
  EXPECT_EQ(r.out, "added binance-main (hmac, api key vmPU\u2026) to " + store.string() + "\n");
  EXPECT_EQ(mode_of(store), 0600u);

  r = cred({"add", "binance-ed", "--type", "ed25519", "--api-key", "EdKeyId42"}, "ed.pem");
  ASSERT_EQ(r.rc, 0) << r.both();
  EXPECT_EQ(mode_of(store), 0600u);

  r = cred({"list"});
  ASSERT_EQ(r.rc, 0) << r.both();
  EXPECT_EQ(r.out,
            "NAME          TYPE     API KEY\n"
            "binance-ed    ed25519  EdKe\u2026\n"
            "binance-main  hmac     vmPU\u2026\n");
  EXPECT_FALSE(contains(r.out, kApiKey)) << "the whole API key is not listed";

  r = cred({"remove", "binance-main"});
  ASSERT_EQ(r.rc, 0) << r.both();
  EXPECT_EQ(r.out, "removed binance-main from " + store.string() + "\n");
  EXPECT_EQ(mode_of(store), 0600u);
  r = cred({"list"});
  EXPECT_EQ(r.out, "NAME        TYPE     API KEY\nbinance-ed  ed25519  EdKe\u2026\n");

  expect_no_secret(read_file(store), "the store file");
}

TEST_F(CliCredentials, RefusalsSayWhyAndExitNonZero) {
  ASSERT_EQ(cred({"add", "main", "--type", "hmac", "--api-key", kApiKey}, "hmac.txt").rc, 0);

  // Wrong master key: the store cannot be opened (1).
  Result r = cred({"list"}, {}, {{"TRADEHOST_MASTER_KEY", std::string(64, 'f')}});
  EXPECT_EQ(r.rc, 1);
  EXPECT_TRUE(contains(
      r.err, "cannot decrypt credential store '" + store.string() + "': wrong passphrase or the file was modified"))
      << r.err;
  EXPECT_EQ(r.out, "");

  // Malformed master key: bad configuration (2), and the value is not echoed.
  r = cred({"list"}, {}, {{"TRADEHOST_MASTER_KEY", "0123456789abcdefXYZ"}});
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(r.err, "TRADEHOST_MASTER_KEY must be 64 hex characters")) << r.err;
  EXPECT_FALSE(contains(r.err, "0123456789abcdefXYZ")) << r.err;

  // A store others can read is refused before anything is asked or read (1).
  ASSERT_EQ(::chmod(store.c_str(), 0644), 0);
  r = cred({"list"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_TRUE(contains(r.err, "chmod 600 " + store.string())) << r.err;
  r = cred({"add", "other", "--type", "hmac", "--api-key", "K"}, "hmac.txt");
  EXPECT_EQ(r.rc, 1);
  ASSERT_EQ(::chmod(store.c_str(), 0600), 0);

  // Bad usage (2): duplicate name, missing options, unknown type, bad name, not-a-PEM, unknown name.
  r = cred({"add", "main", "--type", "hmac", "--api-key", "K"}, "hmac.txt");
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(r.err, "credential 'main' already exists")) << r.err;
  EXPECT_EQ(cred({"add", "x", "--api-key", "K"}, "hmac.txt").rc, 2);
  EXPECT_EQ(cred({"add", "x", "--type", "hmac"}, "hmac.txt").rc, 2);
  EXPECT_EQ(cred({"add", "x", "--type", "rsa", "--api-key", "K"}, "hmac.txt").rc, 2);
  EXPECT_EQ(cred({"add", "a/b", "--type", "hmac", "--api-key", "K"}, "hmac.txt").rc, 2);
  r = cred({"add", "x", "--type", "ed25519", "--api-key", "K"}, "hmac.txt");  // an HMAC secret is no PEM
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(r.err, "not an unencrypted Ed25519 private key in PEM")) << r.err;
  r = cred({"remove", "nope"});
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(r.err, "no credential named 'nope'")) << r.err;
  EXPECT_EQ(cred({"frobnicate"}).rc, 2);

  // None of that changed the store.
  r = cred({"list"});
  EXPECT_EQ(r.out, "NAME  TYPE     API KEY\nmain  hmac     vmPU\u2026\n");
  expect_no_secret(read_file(store), "the store file");
}

TEST_F(CliCredentials, DefaultStorePathFromTheEnvironment) {
  // No --store: $TRADEHOST_CREDENTIALS, else $XDG_CONFIG_HOME/tradehost/credentials.enc.
  const fs::path by_env = tmp / "by-env.enc";
  Result r = run({"credentials", "add", "a", "--type", "hmac", "--api-key", "KEYA"}, tmp.path(),
                 env_with({{"TRADEHOST_CREDENTIALS", by_env.string()}}), std::chrono::seconds(60), tmp / "hmac.txt");
  ASSERT_EQ(r.rc, 0) << r.both();
  EXPECT_TRUE(fs::exists(by_env));

  const fs::path xdg = tmp / "xdg";
  r = run({"credentials", "add", "b", "--type", "hmac", "--api-key", "KEYB"}, tmp.path(),
          env_with({{"XDG_CONFIG_HOME", xdg.string()}}), std::chrono::seconds(60), tmp / "hmac.txt");
  ASSERT_EQ(r.rc, 0) << r.both();
  EXPECT_EQ(mode_of(xdg / "tradehost" / "credentials.enc"), 0600u);
  EXPECT_EQ(mode_of(xdg / "tradehost"), 0700u);
  r = run({"credentials", "list"}, tmp.path(), env_with({{"XDG_CONFIG_HOME", xdg.string()}}));
  EXPECT_EQ(r.out, "NAME  TYPE     API KEY\nb     hmac     KEYB\u2026\n");
}

TEST_F(CliCredentials, PassphraseFromTheEnvironmentForAutomation) {
  // No TRADEHOST_MASTER_KEY: TRADEHOST_PASSPHRASE, through scrypt.
  const std::map<std::string, std::string> pass = {{"TRADEHOST_PASSPHRASE", "s3cret pass"}};
  const auto run_pass = [&](std::vector<std::string> args, const std::map<std::string, std::string>& env,
                            const std::string& stdin_file = {}) {
    args.insert(args.begin(), "credentials");
    args.push_back("--store");
    args.push_back(store.string());
    Result r = run(args, tmp.path(), env, std::chrono::seconds(60), stdin_file.empty() ? fs::path() : tmp / stdin_file);
    expect_no_secret(r.both(), "output");
    EXPECT_FALSE(contains(r.both(), "s3cret")) << r.both();
    return r;
  };
  Result r = run_pass({"add", "p", "--type", "hmac", "--api-key", "KEYP"}, pass, "hmac.txt");
  ASSERT_EQ(r.rc, 0) << r.both();
  EXPECT_EQ(run_pass({"list"}, pass).out, "NAME  TYPE     API KEY\np     hmac     KEYP\u2026\n");
  EXPECT_FALSE(contains(read_file(store), "s3cret"));

  r = run_pass({"list"}, {{"TRADEHOST_PASSPHRASE", "s3cret pasS"}});
  EXPECT_EQ(r.rc, 1);
  EXPECT_TRUE(contains(r.err, "wrong passphrase or the file was modified")) << r.err;
  // The master key takes precedence, and cannot open a passphrase store.
  r = run_pass({"list"}, {{"TRADEHOST_PASSPHRASE", "s3cret pass"}, {"TRADEHOST_MASTER_KEY", kMasterKey}});
  EXPECT_EQ(r.rc, 1);
  EXPECT_TRUE(contains(r.err, "locked with a passphrase")) << r.err;
}

}  // namespace
}  // namespace tradehost_it
