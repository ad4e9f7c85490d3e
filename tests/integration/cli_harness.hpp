// What the integration tests share: running the real `tradehost` executable as a child process
// (fork/exec, stdout and stderr captured through pipes, a timeout guard on every wait; no
// sleeps), temporary directories, read-only SQLite queries, exact decimal arithmetic.
#pragma once

#include <gtest/gtest.h>

#include <sqlite3.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

extern char** environ;

namespace tradehost_it {

namespace fs = std::filesystem;
using i128 = __int128;
using Clock = std::chrono::steady_clock;

inline const std::string kExe = TH_TRADEHOST_EXE;
inline const std::string kPluginDir = TH_PLUGIN_DIR;
inline const std::string kSourceDir = TH_SOURCE_DIR;
inline const std::string kDataFile = kSourceDir + "/data/BTCUSDT-5m-20230102-20230209.csv";
inline const std::string kDefaultConfig = kSourceDir + "/config/bots/ema_crossover.toml";

inline constexpr int64_t kBarNs = 5LL * 60 * 1'000'000'000;  // 5m
inline constexpr int64_t kDayNs = 86'400LL * 1'000'000'000;

// ---------------------------------------------------------------------------------------------
// Small utilities

inline bool contains(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }
/// How many times `needle` stands in `hay` (overlapping ones counted).
inline size_t occurrences(std::string_view hay, std::string_view needle) {
  size_t n = 0;
  for (size_t at = hay.find(needle); at != std::string_view::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

inline std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

inline std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return out;
    start = end + 1;
  }
}

/// Lines without their terminators (LF or CRLF: the bundled data file uses CRLF).
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out = split(text, '\n');
  if (!out.empty() && out.back().empty()) out.pop_back();
  for (auto& l : out)
    if (!l.empty() && l.back() == '\r') l.pop_back();
  return out;
}

/// 1-based line of the first line containing `needle`; 0 when absent.
inline int line_of(const std::string& text, std::string_view needle) {
  auto ls = split(text, '\n');
  for (size_t i = 0; i < ls.size(); ++i)
    if (contains(ls[i], needle)) return static_cast<int>(i + 1);
  return 0;
}

/// 1-based column of `needle` within the first line containing `anchor`.
inline int col_of(const std::string& text, std::string_view anchor, std::string_view needle) {
  for (const auto& l : split(text, '\n'))
    if (contains(l, anchor)) return static_cast<int>(l.find(needle) + 1);
  return 0;
}

/// Exact decimal text -> integer at 10^-scale; nullopt when malformed or when it has non-zero
/// digits below 10^-scale.
inline std::optional<i128> dec(std::string_view s, int scale) {
  if (s.empty()) return std::nullopt;
  bool neg = false;
  size_t i = 0;
  if (s[0] == '-' || s[0] == '+') {
    neg = s[0] == '-';
    ++i;
  }
  i128 v = 0;
  bool any = false;
  for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i, any = true) v = v * 10 + (s[i] - '0');
  int frac = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i, any = true) {
      if (frac < scale) {
        v = v * 10 + (s[i] - '0');
        ++frac;
      } else if (s[i] != '0') {
        return std::nullopt;  // more precise than the scale
      }
    }
  }
  if (!any || i != s.size()) return std::nullopt;
  for (; frac < scale; ++frac) v *= 10;
  return neg ? -v : v;
}

inline i128 dec_or_fail(std::string_view s, int scale) {
  auto v = dec(s, scale);
  if (!v) ADD_FAILURE() << "not an exact decimal at scale " << scale << ": '" << s << "'";
  return v.value_or(0);
}

inline std::string str128(i128 v, int scale) {
  bool neg = v < 0;
  unsigned __int128 u = neg ? static_cast<unsigned __int128>(-v) : static_cast<unsigned __int128>(v);
  std::string d;
  do {
    d.insert(d.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  } while (u);
  if (scale > 0) {
    if (d.size() <= static_cast<size_t>(scale)) d.insert(0, scale + 1 - d.size(), '0');
    d.insert(d.size() - scale, 1, '.');
  }
  return neg ? "-" + d : d;
}

/// As format_fixed_trimmed prints it: trailing zeros (and a bare '.') dropped.
inline std::string trimmed(i128 v, int scale) {
  std::string s = str128(v, scale);
  if (s.find('.') == std::string::npos) return s;
  s.erase(s.find_last_not_of('0') + 1);
  if (s.back() == '.') s.pop_back();
  return s;
}

inline i128 ceil_div(i128 n, i128 d) { return n >= 0 ? (n + d - 1) / d : -((-n) / d); }
inline i128 floor_div(i128 n, i128 d) { return n >= 0 ? n / d : -((-n + d - 1) / d); }

/// UTC calendar time -> Unix ms, through timegm (independent of the code under test).
inline int64_t utc_ms(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

/// Every regular file under `dir`, relative paths.
inline std::set<std::string> files_under(const fs::path& dir) {
  std::set<std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (!e.is_directory()) out.insert(fs::relative(e.path(), dir).string());
  return out;
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "tradehost-it-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& rel) const { return path_ / rel; }

 private:
  fs::path path_;
};

// ---------------------------------------------------------------------------------------------
// Child process: fork/exec with captured stdout/stderr and a timeout guard on every wait.

class Child {
 public:
  /// stdin is `stdin_file` when given (opened read-only), else /dev/null.
  Child(const std::vector<std::string>& args, const fs::path& cwd, const std::map<std::string, std::string>& env = {},
        const fs::path& stdin_file = {}) {
    // Environment built before fork (only async-signal-safe calls between fork and exec):
    // the caller's, minus TRADEHOST_PLUGIN_PATH (tests are hermetic), plus `env`.
    for (char** e = environ; *e; ++e) {
      std::string kv = *e;
      if (kv.rfind("TRADEHOST_PLUGIN_PATH=", 0) == 0) continue;
      if (env.count(kv.substr(0, kv.find('=')))) continue;
      env_.push_back(kv);
    }
    for (const auto& [k, v] : env) env_.push_back(k + "=" + v);
    std::vector<char*> envp, argv;
    for (auto& s : env_) envp.push_back(s.data());
    envp.push_back(nullptr);
    args_ = args;
    for (auto& s : args_) argv.push_back(s.data());
    argv.push_back(nullptr);
    const std::string dir = cwd.string();
    const std::string in_path = stdin_file.empty() ? std::string("/dev/null") : stdin_file.string();

    int out_p[2], err_p[2];
    if (pipe2(out_p, O_CLOEXEC) != 0 || pipe2(err_p, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      dup2(out_p[1], STDOUT_FILENO);
      dup2(err_p[1], STDERR_FILENO);
      int in_fd = open(in_path.c_str(), O_RDONLY);
      if (in_fd >= 0) dup2(in_fd, STDIN_FILENO);
      if (chdir(dir.c_str()) != 0) _exit(127);
      execve(argv[0], argv.data(), envp.data());
      _exit(127);
    }
    close(out_p[1]);
    close(err_p[1]);
    out_fd_ = out_p[0];
    err_fd_ = err_p[0];
  }

  ~Child() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      int st = 0;
      waitpid(pid_, &st, 0);
    }
    if (out_fd_ >= 0) close(out_fd_);
    if (err_fd_ >= 0) close(err_fd_);
  }

  /// Reads (blocking, through poll) until `done()` holds. False at EOF on both pipes or when
  /// `timeout` passes first.
  bool read_until(const std::function<bool()>& done, std::chrono::seconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!done()) {
      if (out_fd_ < 0 && err_fd_ < 0) return false;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return false;
      pump(static_cast<int>(left));
    }
    return true;
  }

  /// Reads both pipes to EOF and reaps the child. The exit code, or -signal when it was killed
  /// by a signal; -1000 on timeout (the child is killed and the test fails).
  int wait(std::chrono::seconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (out_fd_ >= 0 || err_fd_ >= 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) {
        ADD_FAILURE() << "timeout: '" << join_args() << "' still running after " << timeout.count() << " s\nstdout:\n"
                      << out << "\nstderr:\n" << err;
        kill(pid_, SIGKILL);
        int st = 0;
        waitpid(pid_, &st, 0);
        reaped_ = true;
        return -1000;
      }
      pump(static_cast<int>(left));
    }
    int st = 0;
    waitpid(pid_, &st, 0);
    reaped_ = true;
    if (WIFEXITED(st)) return WEXITSTATUS(st);
    if (WIFSIGNALED(st)) return -WTERMSIG(st);
    return -999;
  }

  void signal(int sig) { kill(pid_, sig); }
  std::string join_args() const {
    std::string s;
    for (const auto& a : args_) s += (s.empty() ? "" : " ") + a;
    return s;
  }

  std::string out, err;

 private:
  void pump(int timeout_ms) {
    pollfd fds[2];
    int n = 0;
    if (out_fd_ >= 0) fds[n++] = pollfd{out_fd_, POLLIN, 0};
    if (err_fd_ >= 0) fds[n++] = pollfd{err_fd_, POLLIN, 0};
    int r = poll(fds, n, timeout_ms);
    if (r <= 0) return;
    for (int i = 0; i < n; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[65536];
      ssize_t got = read(fds[i].fd, buf, sizeof buf);
      std::string& into = fds[i].fd == out_fd_ ? out : err;
      if (got > 0) {
        into.append(buf, static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        int& fd = fds[i].fd == out_fd_ ? out_fd_ : err_fd_;
        close(fd);
        fd = -1;
      }
    }
  }

  std::vector<std::string> env_, args_;
  pid_t pid_ = -1;
  int out_fd_ = -1, err_fd_ = -1;
  bool reaped_ = false;
};

struct Result {
  int rc = -1;
  std::string out, err;
  std::string both() const { return out + "\n" + err; }
};

inline Result run(std::vector<std::string> args, const fs::path& cwd, const std::map<std::string, std::string>& env = {},
           std::chrono::seconds timeout = std::chrono::seconds(180), const fs::path& stdin_file = {}) {
  args.insert(args.begin(), kExe);
  Child c(args, cwd, env, stdin_file);
  Result r;
  r.rc = c.wait(timeout);
  r.out = c.out;
  r.err = c.err;
  return r;
}

// ---------------------------------------------------------------------------------------------
// SQLite, read-only, through the C API.

using Row = std::vector<std::optional<std::string>>;

class Db {
 public:
  explicit Db(const fs::path& p) {
    if (sqlite3_open_v2(p.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "cannot open " << p << ": " << (db_ ? sqlite3_errmsg(db_) : "?");
    }
  }
  ~Db() { sqlite3_close(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  std::vector<Row> rows(const std::string& sql) const {
    std::vector<Row> out;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "sql error: " << sqlite3_errmsg(db_) << "\n" << sql;
      return out;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
      Row r;
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        if (sqlite3_column_type(st, i) == SQLITE_NULL) r.emplace_back(std::nullopt);
        else r.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, i)));
      }
      out.push_back(std::move(r));
    }
    sqlite3_finalize(st);
    return out;
  }
  std::string text(const std::string& sql) const {
    auto r = rows(sql);
    if (r.empty() || r[0].empty() || !r[0][0]) return "<null>";
    return *r[0][0];
  }
  int64_t num(const std::string& sql) const { return std::stoll(text(sql)); }

 private:
  sqlite3* db_ = nullptr;
};

inline std::string col(const Row& r, size_t i) { return r.at(i).value_or("<null>"); }

}  // namespace tradehost_it
