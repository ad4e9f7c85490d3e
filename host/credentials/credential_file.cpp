#include "credentials/credential_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pwd.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "credentials/credentials_error.hpp"
#include "report/atomic_file.hpp"

namespace tradehost::credentials {

namespace fs = std::filesystem;

namespace {

constexpr std::array<unsigned char, 8> kMagic = {'T', 'H', 'C', 'R', 'E', 'D', 'S', '\0'};
constexpr uint16_t kVersion = 1;
constexpr uint8_t kKdfNone = 0;
constexpr uint8_t kKdfScrypt = 1;
constexpr size_t kFixedHeader = 28;  // magic .. scrypt p
constexpr size_t kSaltLen = 16;
constexpr size_t kNonceLen = 12;  // the GCM nonce size NIST SP 800-38D recommends
constexpr size_t kTagLen = 16;
constexpr size_t kKeyLen = 32;
// Far above any real store (a few keys), low enough that a damaged length cannot exhaust memory.
constexpr size_t kMaxFileSize = 16u << 20;

[[noreturn]] void fail(CredentialsErrc code, const std::string& message) { throw CredentialsError(code, message); }

[[noreturn]] void fail_errno(int err, std::string_view what, const fs::path& p) {
  fail(CredentialsErrc::Io, fmt::format("cannot {} credential store '{}': {}", what, p.string(), std::strerror(err)));
}

std::string decrypt_failed_message(const fs::path& p) {
  return fmt::format("cannot decrypt credential store '{}': wrong passphrase or the file was modified", p.string());
}

std::string insecure_message(const fs::path& p, unsigned mode) {
  return fmt::format(
      "credential store '{}' has mode {:04o}: group and others must have no access; fix it with: "
      "chmod 600 {}",
      p.string(), mode, p.string());
}

void put_u16(std::string& out, uint16_t v) {
  for (int i = 0; i < 2; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t get_le(const unsigned char* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

CipherCtx new_ctx() {
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) fail(CredentialsErrc::Crypto, "OpenSSL: cannot allocate a cipher context");
  return ctx;
}

bool valid_scrypt(const ScryptParams& s) {
  const bool pow2 = s.n >= 2 && (s.n & (s.n - 1)) == 0;
  return pow2 && s.r >= 1 && s.r <= 32 && s.p >= 1 && s.p <= 16 && s.n <= (uint64_t{1} << 23) / s.r;
}

Secret derive_key(const MasterSecret& master, uint8_t kdf, const ScryptParams& params,
                  const std::vector<unsigned char>& salt) {
  if (kdf == kKdfNone) return master.material().clone();
  Secret key = Secret::zeroed(kKeyLen);
  // scrypt needs 128 * r * (N + p + 2) bytes (RFC 7914 section 6 and OpenSSL's own check); leave
  // headroom so a valid header is never refused for memory.
  const uint64_t maxmem = 128 * uint64_t{params.r} * (params.n + params.p + 2) + (1u << 20);
  if (EVP_PBE_scrypt(reinterpret_cast<const char*>(master.material().data()), master.material().size(), salt.data(),
                     salt.size(), params.n, params.r, params.p, maxmem, key.data(), key.size()) != 1)
    fail(CredentialsErrc::Crypto, "OpenSSL: scrypt key derivation failed");
  return key;
}

/// Entries -> plaintext bytes (format in credential_file.hpp).
Secret serialize(const CredentialStore& store) {
  size_t total = 4;
  store.for_each(
      [&](const Credential& c) { total += 1 + c.name.size() + 1 + 2 + c.api_key.size() + 4 + c.secret.size(); });
  Secret out = Secret::zeroed(total);
  unsigned char* p = out.data();
  auto put = [&](uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) *p++ = static_cast<unsigned char>((v >> (8 * i)) & 0xff);
  };
  auto put_bytes = [&](std::string_view b) {
    if (!b.empty()) std::memcpy(p, b.data(), b.size());
    p += b.size();
  };
  put(store.size(), 4);
  store.for_each([&](const Credential& c) {
    put(c.name.size(), 1);
    put_bytes(c.name);
    put(static_cast<uint64_t>(c.type), 1);  // 0 hmac, 1 ed25519, 2 token
    put(c.api_key.size(), 2);
    put_bytes(c.api_key);
    put(c.secret.size(), 4);
    put_bytes(c.secret.view());
  });
  return out;
}

/// Plaintext bytes -> entries. The plaintext was authenticated, so a malformed one means a file
/// written by something else than this code.
void parse_entries(const Secret& plain, CredentialStore& store, const fs::path& path) {
  const unsigned char* p = plain.data();
  size_t left = plain.size();
  auto corrupt = [&]() {
    fail(CredentialsErrc::BadFile, fmt::format("credential store '{}' has malformed entries", path.string()));
  };
  auto take = [&](int bytes) -> uint64_t {
    if (left < static_cast<size_t>(bytes)) corrupt();
    const uint64_t v = get_le(p, bytes);
    p += bytes;
    left -= bytes;
    return v;
  };
  auto take_bytes = [&](uint64_t n) -> std::string_view {
    if (left < n) corrupt();
    std::string_view v(reinterpret_cast<const char*>(p), n);
    p += n;
    left -= n;
    return v;
  };
  const uint64_t count = take(4);
  for (uint64_t i = 0; i < count; ++i) {
    Credential c;
    c.name = std::string(take_bytes(take(1)));
    const uint64_t type = take(1);
    if (type > 2) corrupt();
    c.type = static_cast<CredentialType>(type);
    c.api_key = std::string(take_bytes(take(2)));
    c.secret = Secret(take_bytes(take(4)));
    store.add(std::move(c));
  }
  if (left != 0) corrupt();
}

std::string read_all(int fd, const fs::path& path, size_t size) {
  std::string bytes(size, '\0');
  size_t got = 0;
  while (got < size) {
    const ssize_t n = ::read(fd, bytes.data() + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_errno(errno, "read", path);
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  bytes.resize(got);
  return bytes;
}

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

fs::path default_credentials_path() {
  if (const char* env = std::getenv("TRADEHOST_CREDENTIALS"); env && *env) return fs::path(env);
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg)
    return fs::path(xdg) / "tradehost" / "credentials.enc";
  const char* home = std::getenv("HOME");
  if (!home || !*home) {
    const passwd* pw = ::getpwuid(::getuid());
    home = pw ? pw->pw_dir : nullptr;
  }
  if (!home || !*home)
    fail(CredentialsErrc::Io,
         "no home directory to put the credential store in: set TRADEHOST_CREDENTIALS or use --store");
  return fs::path(home) / ".config" / "tradehost" / "credentials.enc";
}

void check_credentials_file_mode(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return;
    fail_errno(errno, "stat", path);
  }
  if (st.st_mode & 077) fail(CredentialsErrc::InsecureFile, insecure_message(path, st.st_mode & 07777));
}

CredentialFile CredentialFile::open(const fs::path& path, const MasterSecret& master, const ScryptParams& for_new) {
  if (master.is_raw_key() && master.material().size() != kKeyLen)
    fail(CredentialsErrc::BadMasterKey, "the master key must be 32 bytes");
  CredentialFile file;
  file.path_ = path;

  Fd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (fd.fd < 0 && errno != ENOENT) fail_errno(errno, "open", path);
  if (fd.fd < 0) {
    // A new store: the derivation is chosen now and kept for every later write.
    if (master.is_raw_key()) {
      file.kdf_ = kKdfNone;
    } else {
      if (!valid_scrypt(for_new))
        fail(CredentialsErrc::BadFile, "invalid scrypt parameters for a new credential store");
      file.kdf_ = kKdfScrypt;
      file.scrypt_ = for_new;
      file.salt_.resize(kSaltLen);
      if (RAND_bytes(file.salt_.data(), static_cast<int>(kSaltLen)) != 1)
        fail(CredentialsErrc::Crypto, "OpenSSL: no random bytes for the salt");
    }
    file.key_ = derive_key(master, file.kdf_, file.scrypt_, file.salt_);
    return file;
  }

  // Mode and size from the open descriptor: what is checked is what is read.
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) fail_errno(errno, "stat", path);
  if (!S_ISREG(st.st_mode))
    fail(CredentialsErrc::BadFile, fmt::format("credential store '{}' is not a regular file", path.string()));
  if (st.st_mode & 077) fail(CredentialsErrc::InsecureFile, insecure_message(path, st.st_mode & 07777));
  if (static_cast<uint64_t>(st.st_size) > kMaxFileSize)
    fail(CredentialsErrc::BadFile, fmt::format("credential store '{}' is too large to be one", path.string()));
  const std::string bytes = read_all(fd.fd, path, static_cast<size_t>(st.st_size));
  file.existed_ = true;

  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto not_a_store = [&]() {
    fail(CredentialsErrc::BadFile, fmt::format("'{}' is not a tradehost credential store", path.string()));
  };
  if (bytes.size() < kFixedHeader || std::memcmp(b, kMagic.data(), kMagic.size()) != 0) not_a_store();
  const uint64_t version = get_le(b + 8, 2);
  if (version != kVersion)
    fail(CredentialsErrc::BadFile,
         fmt::format("credential store '{}' has format version {}; this tradehost reads version {}", path.string(),
                     version, kVersion));
  file.kdf_ = b[10];
  const size_t salt_len = b[11];
  file.scrypt_ = ScryptParams{get_le(b + 12, 8), static_cast<uint32_t>(get_le(b + 20, 4)),
                              static_cast<uint32_t>(get_le(b + 24, 4))};
  const size_t header_len = kFixedHeader + salt_len + kNonceLen;
  if (bytes.size() < header_len + kTagLen) not_a_store();
  if (file.kdf_ == kKdfNone) {
    if (salt_len != 0 || file.scrypt_.n != 0 || file.scrypt_.r != 0 || file.scrypt_.p != 0) not_a_store();
  } else if (file.kdf_ == kKdfScrypt) {
    if (salt_len != kSaltLen || !valid_scrypt(file.scrypt_))
      fail(CredentialsErrc::BadFile,
           fmt::format("credential store '{}' has scrypt parameters outside the accepted range", path.string()));
  } else {
    not_a_store();
  }
  file.salt_.assign(b + kFixedHeader, b + kFixedHeader + salt_len);

  if (file.kdf_ == kKdfNone && !master.is_raw_key())
    fail(CredentialsErrc::WrongKeyKind,
         fmt::format("credential store '{}' is locked with a raw key: set TRADEHOST_MASTER_KEY", path.string()));
  if (file.kdf_ == kKdfScrypt && master.is_raw_key())
    fail(CredentialsErrc::WrongKeyKind,
         fmt::format("credential store '{}' is locked with a passphrase: unset TRADEHOST_MASTER_KEY and give the "
                     "passphrase",
                     path.string()));
  file.key_ = derive_key(master, file.kdf_, file.scrypt_, file.salt_);

  const unsigned char* nonce = b + kFixedHeader + salt_len;
  const unsigned char* ct = b + header_len;
  const size_t ct_len = bytes.size() - header_len - kTagLen;
  std::array<unsigned char, kTagLen> tag{};
  std::memcpy(tag.data(), b + bytes.size() - kTagLen, kTagLen);

  Secret plain = Secret::zeroed(ct_len);
  CipherCtx ctx = new_ctx();
  int len = 0;
  const bool ok = EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
                  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kNonceLen), nullptr) == 1 &&
                  EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, file.key_.data(), nonce) == 1 &&
                  EVP_DecryptUpdate(ctx.get(), nullptr, &len, b, static_cast<int>(header_len)) == 1 &&
                  EVP_DecryptUpdate(ctx.get(), plain.data(), &len, ct, static_cast<int>(ct_len)) == 1 &&
                  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagLen), tag.data()) == 1 &&
                  EVP_DecryptFinal_ex(ctx.get(), plain.data() + len, &len) == 1;
  if (!ok) fail(CredentialsErrc::DecryptFailed, decrypt_failed_message(path));

  parse_entries(plain, file.store_, path);
  spdlog::debug("credential store opened path={} entries={}", path.string(), file.store_.size());
  return file;
}

void CredentialFile::save() {
  std::string out(kMagic.begin(), kMagic.end());
  put_u16(out, kVersion);
  out.push_back(static_cast<char>(kdf_));
  out.push_back(static_cast<char>(salt_.size()));
  put_u64(out, kdf_ == kKdfScrypt ? scrypt_.n : 0);
  put_u32(out, kdf_ == kKdfScrypt ? scrypt_.r : 0);
  put_u32(out, kdf_ == kKdfScrypt ? scrypt_.p : 0);
  out.append(salt_.begin(), salt_.end());
  // A fresh random 96-bit nonce per write: the key stays the same across writes, and GCM must
  // never see a (key, nonce) pair twice.
  std::array<unsigned char, kNonceLen> nonce{};
  if (RAND_bytes(nonce.data(), static_cast<int>(kNonceLen)) != 1)
    fail(CredentialsErrc::Crypto, "OpenSSL: no random bytes for the nonce");
  out.append(nonce.begin(), nonce.end());
  const size_t header_len = out.size();

  const Secret plain = serialize(store_);
  out.resize(header_len + plain.size() + kTagLen);
  auto* ct = reinterpret_cast<unsigned char*>(out.data() + header_len);
  CipherCtx ctx = new_ctx();
  int len = 0, fin = 0;
  const bool ok =
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kNonceLen), nullptr) == 1 &&
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key_.data(), nonce.data()) == 1 &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(out.data()),
                        static_cast<int>(header_len)) == 1 &&
      EVP_EncryptUpdate(ctx.get(), ct, &len, plain.data(), static_cast<int>(plain.size())) == 1 &&
      EVP_EncryptFinal_ex(ctx.get(), ct + len, &fin) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagLen), ct + plain.size()) == 1;
  if (!ok) fail(CredentialsErrc::Crypto, "OpenSSL: AES-256-GCM encryption failed");

  const fs::path dir = path_.parent_path();
  std::error_code ec;
  if (!dir.empty() && !fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) fail(CredentialsErrc::Io, fmt::format("cannot create directory '{}': {}", dir.string(), ec.message()));
    fs::permissions(dir, fs::perms::owner_all, ec);
  }
  try {
    report::write_file_atomically(path_, out, 0600);
  } catch (const std::system_error& e) {
    fail(CredentialsErrc::Io, fmt::format("cannot write credential store: {}", e.what()));
  }
  existed_ = true;
  spdlog::debug("credential store saved path={} entries={}", path_.string(), store_.size());
}

}  // namespace tradehost::credentials
