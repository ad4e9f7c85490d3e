// `tradehost credentials add|list|remove`: the command line over host/credentials.
//
// The secret of `add` comes from stdin (so it is neither in the shell history nor in the process
// list); the passphrase from TRADEHOST_MASTER_KEY, TRADEHOST_PASSPHRASE or the terminal.
#include <fcntl.h>
#include <fmt/format.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "cli/commands.hpp"
#include "credentials/credential_file.hpp"
#include "credentials/credentials_error.hpp"

namespace tradehost::cli {

namespace {

namespace fs = std::filesystem;
using credentials::CredentialsErrc;
using credentials::CredentialsError;
using credentials::Secret;

constexpr int kBadUsage = 2;
constexpr int kStoreFailed = 1;
// Far above an HMAC secret (64 characters at Binance) or an Ed25519 PEM (119 bytes); the buffer
// is reserved up front so it never reallocates and leaves no unwiped copy behind.
constexpr size_t kMaxSecret = 16 * 1024;

int usage_error(const std::string& message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return kBadUsage;
}

/// A string buffer that receives a secret on its way into a Secret: reserved once (so it never
/// reallocates and leaves no copy behind) and wiped when it goes, on every path out, exceptions
/// included.
class SecretText {
 public:
  SecretText() { text.reserve(kMaxSecret); }
  ~SecretText() { credentials::wipe_string(text); }
  SecretText(const SecretText&) = delete;
  SecretText& operator=(const SecretText&) = delete;
  std::string text;
};

/// Echo off (newline still echoed) on a terminal for the object's lifetime.
class HiddenInput {
 public:
  explicit HiddenInput(int fd) : fd_(fd) {
    if (::tcgetattr(fd_, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    active_ = ::tcsetattr(fd_, TCSANOW, &quiet) == 0;
  }
  ~HiddenInput() {
    if (active_) ::tcsetattr(fd_, TCSANOW, &saved_);
  }
  HiddenInput(const HiddenInput&) = delete;
  HiddenInput& operator=(const HiddenInput&) = delete;

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

/// Appends one byte at a time from `fd` to `out` until a newline (not kept) or EOF. False at EOF
/// with nothing read. Byte reads: nothing past the line is consumed, so a PEM can follow.
bool read_line(int fd, std::string& out) {
  bool any = false;
  for (;;) {
    char c;
    const ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return any;
    any = true;
    if (c == '\n') break;
    if (out.size() >= kMaxSecret) throw CredentialsError(CredentialsErrc::InvalidSecret, "the secret is too long");
    out.push_back(c);
  }
  if (!out.empty() && out.back() == '\r') out.pop_back();
  return true;
}

/// Reads a passphrase from the controlling terminal without echo; nullopt without a terminal.
std::optional<Secret> prompt_hidden(const std::string& prompt) {
  struct Tty {
    int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
    ~Tty() {
      if (fd >= 0) ::close(fd);
    }
  } tty;
  if (tty.fd < 0) return std::nullopt;
  SecretText line;
  HiddenInput hidden(tty.fd);
  if (::write(tty.fd, prompt.data(), prompt.size()) < 0) {
    // The prompt is a courtesy; reading still works without it.
  }
  read_line(tty.fd, line.text);
  return Secret(line.text);
}

}  // namespace

credentials::MasterSecret master_secret(const fs::path& store, bool creating) {
  if (const char* key = std::getenv("TRADEHOST_MASTER_KEY")) return credentials::MasterSecret::from_hex(key);
  if (const char* pass = std::getenv("TRADEHOST_PASSPHRASE"); pass && *pass)
    return credentials::MasterSecret::passphrase(Secret(pass));
  const std::string what = creating ? "new passphrase for " : "passphrase for ";
  std::optional<Secret> first = prompt_hidden(what + store.string() + ": ");
  if (!first)
    throw CredentialsError(CredentialsErrc::BadMasterKey,
                           "no passphrase: set TRADEHOST_MASTER_KEY (64 hex characters) or run on a terminal");
  if (creating) {
    std::optional<Secret> again = prompt_hidden("repeat the passphrase: ");
    if (!again || again->view() != first->view())
      throw CredentialsError(CredentialsErrc::BadMasterKey, "the two passphrases differ; nothing was written");
  }
  return credentials::MasterSecret::passphrase(std::move(*first));
}

namespace {

/// The secret of `credentials add` from stdin: one line for hmac, the PEM for ed25519 (to EOF, or
/// on a terminal to its -----END line). Hidden when stdin is a terminal.
Secret read_secret(credentials::CredentialType type, const std::string& name) {
  const bool tty = ::isatty(STDIN_FILENO) == 1;
  SecretText secret_text;
  std::string& text = secret_text.text;
  {
    std::optional<HiddenInput> hidden;
    if (tty) {
      hidden.emplace(STDIN_FILENO);
      std::fprintf(stderr,
                   type == credentials::CredentialType::Hmac    ? "secret for %s (input hidden): "
                   : type == credentials::CredentialType::Token ? "token for %s (input hidden): "
                                                                : "Ed25519 private key PEM for %s (input hidden), through its -----END line:\n",
                   name.c_str());
      std::fflush(stderr);
    }
    if (type != credentials::CredentialType::Ed25519) {
      read_line(STDIN_FILENO, text);
    } else {
      SecretText line;
      while (read_line(STDIN_FILENO, line.text)) {
        if (text.size() + line.text.size() + 1 > kMaxSecret)
          throw CredentialsError(CredentialsErrc::InvalidSecret, "the PEM is too long");
        text.append(line.text).push_back('\n');
        const bool end = line.text.rfind("-----END", 0) == 0;
        line.text.clear();
        if (tty && end) break;
      }
    }
  }
  Secret secret(text);
  if (secret.empty())
    throw CredentialsError(CredentialsErrc::InvalidSecret,
                           fmt::format("no secret for '{}' on stdin ({})", name,
                                       type == credentials::CredentialType::Ed25519 ? "the PEM" : "one line"));
  return secret;
}

int list(const fs::path& path) {
  credentials::check_credentials_file_mode(path);
  if (!fs::exists(path)) {
    std::fprintf(stderr, "no credential store at %s (credentials add creates it)\n", path.c_str());
    return 0;
  }
  const auto file = credentials::CredentialFile::open(path, master_secret(path, false));
  const auto entries = file.store().list();
  if (entries.empty()) {
    std::fprintf(stderr, "no credentials in %s\n", path.c_str());
    return 0;
  }
  size_t width = 4;
  for (const auto& e : entries) width = std::max(width, e.name.size());
  std::printf("%-*s  %-7s  %s\n", static_cast<int>(width), "NAME", "TYPE", "API KEY");
  for (const auto& e : entries)
    std::printf("%-*s  %-7s  %s\n", static_cast<int>(width), e.name.c_str(),
                std::string(credentials::credential_type_name(e.type)).c_str(),
                credentials::api_key_preview(e.api_key).c_str());
  return 0;
}

int add(const Options& opt, const fs::path& path) {
  const auto type = credentials::parse_credential_type(opt.type);
  if (opt.type.empty()) return usage_error("credentials add needs --type hmac|ed25519|token");
  if (!type) return usage_error(fmt::format("unknown credential type '{}' (hmac, ed25519 or token)", opt.type));
  // A token (the control API's bearer token) has no public key id; its name stands in for one.
  const std::string api_key = *type == credentials::CredentialType::Token && opt.api_key.empty() ? opt.target : opt.api_key;
  if (api_key.empty())
    return usage_error("credentials add needs --api-key KEY (the public key id, not the secret)");
  if (!credentials::is_valid_credential_name(opt.target))
    return usage_error(fmt::format("invalid credential name '{}': use 1 to 64 of A-Z a-z 0-9 _ . -", opt.target));

  // Everything that can fail without the secret fails before it is asked for.
  credentials::check_credentials_file_mode(path);
  const bool creating = !fs::exists(path);
  auto file = credentials::CredentialFile::open(path, master_secret(path, creating));
  if (file.store().find(opt.target))
    throw CredentialsError(
        CredentialsErrc::AlreadyExists,
        fmt::format("credential '{}' already exists in {}; remove it first", opt.target, path.string()));
  file.store().add(credentials::Credential{opt.target, *type, api_key, read_secret(*type, opt.target)});
  file.save();
  std::printf("added %s (%s, api key %s) to %s\n", opt.target.c_str(), opt.type.c_str(),
              credentials::api_key_preview(api_key).c_str(), path.c_str());
  return 0;
}

int remove(const Options& opt, const fs::path& path) {
  credentials::check_credentials_file_mode(path);
  if (!fs::exists(path))
    throw CredentialsError(CredentialsErrc::NotFound, fmt::format("no credential store at {}", path.string()));
  auto file = credentials::CredentialFile::open(path, master_secret(path, false));
  if (!file.store().remove(opt.target))
    throw CredentialsError(CredentialsErrc::NotFound,
                           fmt::format("no credential named '{}' in {}", opt.target, path.string()));
  file.save();
  std::printf("removed %s from %s\n", opt.target.c_str(), path.c_str());
  return 0;
}

int exit_code_for(CredentialsErrc code) {
  switch (code) {
    case CredentialsErrc::DecryptFailed:
    case CredentialsErrc::InsecureFile:
    case CredentialsErrc::WrongKeyKind:
    case CredentialsErrc::BadFile:
    case CredentialsErrc::Io:
    case CredentialsErrc::Crypto:
      return kStoreFailed;
    default:
      return kBadUsage;
  }
}

}  // namespace

int cmd_credentials(const Options& opt) {
  const std::string& sub = opt.config;
  if (sub != "add" && sub != "list" && sub != "remove")
    return usage_error(sub.empty() ? "credentials needs a subcommand: add, list or remove"
                                   : fmt::format("unknown credentials subcommand '{}' (add, list or remove)", sub));
  if (sub == "list" && !opt.target.empty()) return usage_error(fmt::format("unexpected argument '{}'", opt.target));
  if (sub != "list" && opt.target.empty()) return usage_error(fmt::format("credentials {} needs a NAME", sub));
  try {
    const fs::path path = opt.store.empty() ? credentials::default_credentials_path() : fs::path(opt.store);
    if (sub == "list") return list(path);
    if (sub == "add") return add(opt, path);
    return remove(opt, path);
  } catch (const CredentialsError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return exit_code_for(e.code());
  } catch (const std::exception& e) {
    // std::filesystem errors (a store path in an unreadable directory): they carry paths only.
    std::fprintf(stderr, "error: %s\n", e.what());
    return kStoreFailed;
  }
}

}  // namespace tradehost::cli
