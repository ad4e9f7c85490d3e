// The encrypted credential store file: round trips, permissions, refusals, and that no secret
// reaches the file bytes, an exception message or the log.
#include "credentials/credential_file.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "credentials/credentials_error.hpp"

namespace tradehost::credentials {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSecret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
constexpr const char* kApiKey = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
// 32 bytes 00 01 02 .. 1f, and a different key.
constexpr const char* kKeyHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr const char* kOtherKeyHex = "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
// Cheap scrypt for tests that are not about its cost (2^10 * 8 * 128 B = 1 MiB).
constexpr ScryptParams kFastScrypt{1024, 8, 1};

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "tradehost-creds-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  fs::path operator/(const std::string& rel) const { return path_ / rel; }

 private:
  fs::path path_;
};

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
}

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

std::string ed25519_pem() {
  // RFC 8032 section 7.1 TEST 1 secret key; any valid key would do here.
  const unsigned char raw[32] = {0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a,
                                 0xf4, 0x92, 0xec, 0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32,
                                 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};
  EVP_PKEY* key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, raw, sizeof raw);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

template <typename Fn>
std::string error_of(Fn&& fn, CredentialsErrc code) {
  try {
    fn();
  } catch (const CredentialsError& e) {
    EXPECT_EQ(static_cast<int>(e.code()), static_cast<int>(code)) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no CredentialsError thrown";
  return {};
}

/// A store file with one hmac and one ed25519 credential, locked with kKeyHex.
void write_sample(const fs::path& path) {
  CredentialFile file = CredentialFile::open(path, MasterSecret::from_hex(kKeyHex));
  file.store().add(Credential{"binance-main", CredentialType::Hmac, kApiKey, Secret(kSecret)});
  file.store().add(Credential{"binance.ed", CredentialType::Ed25519, "EdKeyId1234", Secret(ed25519_pem())});
  file.save();
}

TEST(CredentialFile, RoundTripWithRawKey) {
  TempDir dir;
  const fs::path path = dir / "creds.enc";
  write_sample(path);

  CredentialFile file = CredentialFile::open(path, MasterSecret::from_hex(kKeyHex));
  EXPECT_TRUE(file.existed());
  const auto list = file.store().list();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "binance-main");  // sorted by name: '-' (0x2d) < '.' (0x2e)
  EXPECT_EQ(list[0].type, CredentialType::Hmac);
  EXPECT_EQ(list[0].api_key, kApiKey);
  EXPECT_EQ(list[1].name, "binance.ed");
  EXPECT_EQ(list[1].type, CredentialType::Ed25519);
  ASSERT_NE(file.store().find("binance-main"), nullptr);
  EXPECT_EQ(file.store().find("binance-main")->secret.view(), kSecret);
  EXPECT_EQ(file.store().find("binance.ed")->secret.view(), ed25519_pem());

  // Remove, save, reopen: the removal persisted.
  EXPECT_TRUE(file.store().remove("binance-main"));
  EXPECT_FALSE(file.store().remove("binance-main"));
  file.save();
  CredentialFile again = CredentialFile::open(path, MasterSecret::from_hex(kKeyHex));
  ASSERT_EQ(again.store().size(), 1u);
  EXPECT_EQ(again.store().list()[0].name, "binance.ed");
}

TEST(CredentialFile, RoundTripWithPassphraseAndHeaderRecordsScryptParams) {
  TempDir dir;
  const fs::path path = dir / "creds.enc";
  {
    CredentialFile file = CredentialFile::open(path, MasterSecret::passphrase(Secret("correct horse")), kFastScrypt);
    EXPECT_FALSE(file.existed());
    file.store().add(Credential{"a", CredentialType::Hmac, "KEY", Secret(kSecret)});
    file.save();
  }
  // The header, read by hand from the layout documented in credential_file.hpp.
  const std::string bytes = read_bytes(path);
  ASSERT_GT(bytes.size(), 28u + 16 + 12 + 16);
  EXPECT_EQ(bytes.substr(0, 8), std::string("THCREDS\0", 8));
  EXPECT_EQ(bytes[8], 1);  // version 1, little-endian
  EXPECT_EQ(bytes[9], 0);
  EXPECT_EQ(bytes[10], 1);                                 // scrypt
  EXPECT_EQ(bytes[11], 16);                                // salt length
  EXPECT_EQ(static_cast<unsigned char>(bytes[12]), 0x00);  // N = 1024 = 0x400
  EXPECT_EQ(static_cast<unsigned char>(bytes[13]), 0x04);
  EXPECT_EQ(bytes[20], 8);  // r
  EXPECT_EQ(bytes[24], 1);  // p

  // Header bytes that stay well-formed when changed (a salt byte; p = 1 -> 3) are covered by the
  // tag as well: the right passphrase then fails like a wrong one.
  for (size_t at : {size_t{28}, size_t{24}}) {
    std::string bad = bytes;
    bad[at] = static_cast<char>(bad[at] ^ 0x02);
    write_bytes(path, bad);
    error_of([&] { CredentialFile::open(path, MasterSecret::passphrase(Secret("correct horse"))); },
             CredentialsErrc::DecryptFailed);
  }
  write_bytes(path, bytes);

  CredentialFile file = CredentialFile::open(path, MasterSecret::passphrase(Secret("correct horse")));
  ASSERT_NE(file.store().find("a"), nullptr);
  EXPECT_EQ(file.store().find("a")->secret.view(), kSecret);

  const std::string msg = error_of([&] { CredentialFile::open(path, MasterSecret::passphrase(Secret("wrong horse"))); },
                                   CredentialsErrc::DecryptFailed);
  EXPECT_NE(msg.find("cannot decrypt"), std::string::npos) << msg;
  EXPECT_NE(msg.find("wrong passphrase or the file was modified"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("wrong horse"), std::string::npos) << msg;
}

TEST(CredentialFile, DefaultScryptCostOpensAndRecordsTwoToThe15) {
  TempDir dir;
  const fs::path path = dir / "creds.enc";
  {
    CredentialFile file = CredentialFile::open(path, MasterSecret::passphrase(Secret("pw")));
    file.store().add(Credential{"a", CredentialType::Hmac, "KEY", Secret("s")});
    file.save();
  }
  const std::string bytes = read_bytes(path);
  EXPECT_EQ(static_cast<unsigned char>(bytes[13]), 0x80);  // N = 32768 = 0x8000, little-endian
  EXPECT_EQ(CredentialFile::open(path, MasterSecret::passphrase(Secret("pw"))).store().size(), 1u);
}

TEST(CredentialFile, ModeIs0600AfterEveryWriteEvenWithAPermissiveUmask) {
  TempDir dir;
  const fs::path path = dir / "sub" / "creds.enc";  // the parent is created too
  const mode_t old = ::umask(0);
  write_sample(path);
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(mode_of(path.parent_path()), 0700u);
  CredentialFile file = CredentialFile::open(path, MasterSecret::from_hex(kKeyHex));
  file.store().remove("binance.ed");
  file.save();
  EXPECT_EQ(mode_of(path), 0600u);
  ::umask(old);
  // No temporary file left next to it.
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(path.parent_path())) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST(CredentialFile, WiderModeIsRefusedWithTheFix) {
  TempDir dir;
  const fs::path path = dir / "creds.enc";
  write_sample(path);
  for (mode_t mode : {0644, 0640, 0604, 0660}) {
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    const std::string msg =
        error_of([&] { CredentialFile::open(path, MasterSecret::from_hex(kKeyHex)); }, CredentialsErrc::InsecureFile);
    EXPECT_NE(msg.find("chmod 600 " + path.string()), std::string::npos) << msg;
    error_of([&] { check_credentials_file_mode(path); }, CredentialsErrc::InsecureFile);
  }
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  EXPECT_NO_THROW(check_credentials_file_mode(path));
  EXPECT_EQ(CredentialFile::open(path, MasterSecret::from_hex(kKeyHex)).store().size(), 2u);
  ASSERT_EQ(::chmod(path.c_str(), 0400), 0);  // narrower is fine
  EXPECT_EQ(CredentialFile::open(path, MasterSecret::from_hex(kKeyHex)).store().size(), 2u);
}

TEST(CredentialFile, WrongKeyIsRefused) {
  TempDir dir;
  const fs::path path = dir / "creds.enc";
  write_sample(path);
  const std::string msg = error_of([&] { CredentialFile::open(path, MasterSecret::from_hex(kOtherKeyHex)); },
                                   CredentialsErrc::DecryptFailed);
  EXPECT_NE(
      msg.find("cannot decrypt credential store '" + path.string() + "': wrong passphrase or the file was modified"),
      std::string::npos)
      << msg;
}

TEST(CredentialFile, AnyFlippedByteIsRefused) {
  TempDir dir;
  const fs::path path = dir / "creds.enc";
  write_sample(path);
  const std::string good = read_bytes(path);
  // A nonce byte (header = AAD, offset 28 with no salt), the first and a middle ciphertext byte
  // (offset 40 on) and the last tag byte.
  for (size_t at : {size_t{28}, size_t{40}, good.size() / 2, good.size() - 1}) {
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ 0x01);
    write_bytes(path, bad);
    error_of([&] { CredentialFile::open(path, MasterSecret::from_hex(kKeyHex)); }, CredentialsErrc::DecryptFailed);
  }
  // An unknown version is refused before any decryption, with a message that says so.
  std::string bad = good;
  bad[8] = 2;
  write_bytes(path, bad);
  const std::string msg =
      error_of([&] { CredentialFile::open(path, MasterSecret::from_hex(kKeyHex)); }, CredentialsErrc::BadFile);
  EXPECT_NE(msg.find("format version 2"), std::string::npos) << msg;
  write_bytes(path, good.substr(0, good.size() - 1));  // truncated
  error_of([&] { CredentialFile::open(path, MasterSecret::from_hex(kKeyHex)); }, CredentialsErrc::DecryptFailed);
  write_bytes(path, "not a store at all, just text\n");
  error_of([&] { CredentialFile::open(path, MasterSecret::from_hex(kKeyHex)); }, CredentialsErrc::BadFile);
  write_bytes(path, good);
  EXPECT_EQ(CredentialFile::open(path, MasterSecret::from_hex(kKeyHex)).store().size(), 2u);
}

TEST(CredentialFile, FreshNonceOnEveryWrite) {
  TempDir dir;
  const fs::path path = dir / "creds.enc";
  write_sample(path);
  const std::string first = read_bytes(path);
  CredentialFile file = CredentialFile::open(path, MasterSecret::from_hex(kKeyHex));
  file.save();  // same content
  const std::string second = read_bytes(path);
  ASSERT_EQ(first.size(), second.size());
  EXPECT_EQ(first.substr(0, 28), second.substr(0, 28));    // same header fields
  EXPECT_NE(first.substr(28, 12), second.substr(28, 12));  // another nonce
  EXPECT_NE(first.substr(40), second.substr(40));          // hence another ciphertext
}

TEST(CredentialFile, KeyKindMustMatchTheFile) {
  TempDir dir;
  const fs::path raw = dir / "raw.enc", pass = dir / "pass.enc";
  write_sample(raw);
  {
    CredentialFile f = CredentialFile::open(pass, MasterSecret::passphrase(Secret("pw")), kFastScrypt);
    f.save();
  }
  const std::string m1 = error_of([&] { CredentialFile::open(raw, MasterSecret::passphrase(Secret("pw"))); },
                                  CredentialsErrc::WrongKeyKind);
  EXPECT_NE(m1.find("TRADEHOST_MASTER_KEY"), std::string::npos) << m1;
  error_of([&] { CredentialFile::open(pass, MasterSecret::from_hex(kKeyHex)); }, CredentialsErrc::WrongKeyKind);
}

TEST(CredentialFile, SecretNeverInFileBytesMessagesOrLog) {
  // Every log line, debug included, goes to `log` for the duration of the test.
  std::ostringstream log;
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(log));
  logger->set_level(spdlog::level::trace);
  spdlog::set_default_logger(logger);

  TempDir dir;
  const fs::path path = dir / "creds.enc";
  write_sample(path);
  const std::string pem = ed25519_pem();
  const std::string pem_body = pem.substr(pem.find('\n') + 1, 40);  // base64 of the key, not the armour

  std::string messages;
  const auto collect = [&](auto&& fn) {
    try {
      fn();
    } catch (const std::exception& e) {
      messages += e.what();
      messages += '\n';
    }
  };
  collect([&] { CredentialFile::open(path, MasterSecret::from_hex(kOtherKeyHex)); });
  collect([&] {
    CredentialFile f = CredentialFile::open(path, MasterSecret::from_hex(kKeyHex));
    f.store().add(Credential{"binance-main", CredentialType::Hmac, "KEY", Secret(kSecret)});  // duplicate
  });
  collect([&] {
    CredentialStore s;
    s.add(Credential{"x", CredentialType::Ed25519, "KEY", Secret(kSecret)});  // not a PEM
  });
  collect([&] {
    CredentialStore s;
    s.add(Credential{"x", CredentialType::Hmac, "bad key with spaces", Secret(kSecret)});
  });
  collect([&] { MasterSecret::from_hex(std::string(kKeyHex).substr(1)); });
  {
    CredentialFile f = CredentialFile::open(path, MasterSecret::from_hex(kKeyHex));
    f.save();
  }
  spdlog::set_default_logger(previous);

  EXPECT_EQ(std::count(messages.begin(), messages.end(), '\n'), 5) << messages;
  EXPECT_NE(log.str().find("credential store saved"), std::string::npos) << "the capture works: " << log.str();
  const std::string file = read_bytes(path);
  for (const std::string& needle : {std::string(kSecret), std::string(kSecret).substr(0, 16), pem_body,
                                    std::string(kKeyHex), std::string(kKeyHex).substr(1)}) {
    EXPECT_EQ(file.find(needle), std::string::npos) << "in the file: " << needle;
    EXPECT_EQ(messages.find(needle), std::string::npos) << "in a message: " << needle << "\n" << messages;
    EXPECT_EQ(log.str().find(needle), std::string::npos) << "in the log: " << needle;
  }
}

TEST(MasterSecret, MalformedMasterKeyIsAnErrorThatHidesTheValue) {
  const std::string m1 =
      error_of([] { MasterSecret::from_hex(std::string(kKeyHex).substr(0, 63)); }, CredentialsErrc::BadMasterKey);
  EXPECT_NE(m1.find("64 hex characters"), std::string::npos) << m1;
  EXPECT_NE(m1.find("it has 63"), std::string::npos) << m1;
  std::string bad = kKeyHex;
  bad[10] = 'g';
  const std::string m2 = error_of([&] { MasterSecret::from_hex(bad); }, CredentialsErrc::BadMasterKey);
  EXPECT_NE(m2.find("character 11"), std::string::npos) << m2;
  EXPECT_EQ(m2.find(bad), std::string::npos) << m2;
  error_of([] { MasterSecret::from_hex(""); }, CredentialsErrc::BadMasterKey);
  error_of([] { MasterSecret::from_hex(std::string(kKeyHex) + "00"); }, CredentialsErrc::BadMasterKey);
  error_of([] { MasterSecret::passphrase(Secret("")); }, CredentialsErrc::BadMasterKey);
  // Upper case is hex too, and decodes to the same key: a file written with one opens with the other.
  TempDir dir;
  write_sample(dir / "c.enc");
  std::string upper = kKeyHex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(CredentialFile::open(dir / "c.enc", MasterSecret::from_hex(upper)).store().size(), 2u);
}

TEST(CredentialStore, ValidatesEveryField) {
  CredentialStore s;
  error_of([&] { s.add(Credential{"", CredentialType::Hmac, "K", Secret("s")}); }, CredentialsErrc::InvalidName);
  error_of(
      [&] {
        s.add(Credential{"has space", CredentialType::Hmac, "K", Secret("s")});
      },
      CredentialsErrc::InvalidName);
  error_of(
      [&] {
        s.add(Credential{std::string(65, 'a'), CredentialType::Hmac, "K", Secret("s")});
      },
      CredentialsErrc::InvalidName);
  EXPECT_NO_THROW(s.add(Credential{std::string(64, 'a'), CredentialType::Hmac, "K", Secret("s")}));
  error_of([&] { s.add(Credential{"n", CredentialType::Hmac, "", Secret("s")}); }, CredentialsErrc::InvalidApiKey);
  error_of(
      [&] {
        s.add(Credential{"n", CredentialType::Hmac, "K\r\nX-Evil: 1", Secret("s")});
      },
      CredentialsErrc::InvalidApiKey);
  error_of([&] { s.add(Credential{"n", CredentialType::Hmac, "K", Secret("")}); }, CredentialsErrc::InvalidSecret);
  error_of(
      [&] {
        s.add(Credential{"n", CredentialType::Ed25519, "K", Secret("-----BEGIN PRIVATE KEY-----\nAAAA\n")});
      },
      CredentialsErrc::InvalidSecret);
  EXPECT_NO_THROW(s.add(Credential{"n", CredentialType::Ed25519, "K", Secret(ed25519_pem())}));
  error_of([&] { s.add(Credential{"n", CredentialType::Hmac, "K", Secret("s")}); }, CredentialsErrc::AlreadyExists);
  EXPECT_EQ(s.size(), 2u);
}

TEST(Credential, NamesTypesAndPreview) {
  EXPECT_TRUE(is_valid_credential_name("Binance_main.v2-ed"));
  EXPECT_FALSE(is_valid_credential_name("a/b"));
  EXPECT_FALSE(is_valid_credential_name("é"));
  EXPECT_EQ(parse_credential_type("hmac"), CredentialType::Hmac);
  EXPECT_EQ(parse_credential_type("ed25519"), CredentialType::Ed25519);
  EXPECT_FALSE(parse_credential_type("rsa"));
  EXPECT_EQ(api_key_preview(kApiKey), "vmPU\u2026");
  EXPECT_EQ(api_key_preview("ab"), "ab\u2026");
}

TEST(CredentialFile, DefaultPathFollowsTheEnvironment) {
  const auto restore = [](const char* name, const char* old) {
    if (old)
      ::setenv(name, old, 1);
    else
      ::unsetenv(name);
  };
  const char* old_creds = std::getenv("TRADEHOST_CREDENTIALS");
  const char* old_xdg = std::getenv("XDG_CONFIG_HOME");
  const char* old_home = std::getenv("HOME");
  const std::string saved_creds = old_creds ? old_creds : "", saved_xdg = old_xdg ? old_xdg : "",
                    saved_home = old_home ? old_home : "";
  ::setenv("TRADEHOST_CREDENTIALS", "/x/creds.enc", 1);
  ::setenv("XDG_CONFIG_HOME", "/cfg", 1);
  ::setenv("HOME", "/home/u", 1);
  EXPECT_EQ(default_credentials_path(), fs::path("/x/creds.enc"));
  ::unsetenv("TRADEHOST_CREDENTIALS");
  EXPECT_EQ(default_credentials_path(), fs::path("/cfg/tradehost/credentials.enc"));
  ::unsetenv("XDG_CONFIG_HOME");
  EXPECT_EQ(default_credentials_path(), fs::path("/home/u/.config/tradehost/credentials.enc"));
  restore("TRADEHOST_CREDENTIALS", old_creds ? saved_creds.c_str() : nullptr);
  restore("XDG_CONFIG_HOME", old_xdg ? saved_xdg.c_str() : nullptr);
  restore("HOME", old_home ? saved_home.c_str() : nullptr);
}

}  // namespace
}  // namespace tradehost::credentials
