// `jsonl_notifier`: appends one JSON object per notification, one per line (JSON Lines), to the
// file named in its config. Built out of tree against the installed tradehost SDK.
//
//   {"time":"2023-01-02T16:45:00Z","time_ns":1672677900000000000,"severity":"info",
//    "topic":"fill","title":"buy 0.47 BTC/USDT @ 16700.5","body":"order=... fee=..."}
//
// (one line in the file). `time` is the loop clock (host->now()): simulated in a backtest, the
// wall clock otherwise.
//
// notify() runs on the host loop thread and must not block (plugin.h THREADING), so it only
// formats the line and queues it; a writer thread owned by this instance appends and flushes.
// The writer calls nothing of the host but log() ("any thread"). stop() drains the queue and
// joins the writer, so every notification up to the run's summary is in the file when the host
// moves on, and the instance makes no host call after stop() returns.
#include <tradehost/plugin.hpp>

#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using tradehost::Context;
using tradehost::Error;
using tradehost::Field;

/// `text` as a JSON string literal, quotes included (RFC 8259 section 7: quote, backslash and
/// control characters escaped; other UTF-8 passes through unchanged).
std::string json_string(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char esc[8];
          std::snprintf(esc, sizeof esc, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += esc;
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

/// ns since the Unix epoch, UTC, as ISO 8601 with second precision ("2023-01-02T16:45:00Z").
std::string iso8601(th_time_ns ns) {
  std::time_t secs = static_cast<std::time_t>(ns / 1'000'000'000);
  if (ns < 0 && ns % 1'000'000'000) --secs;  // floor, not truncation, before 1970
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

const char* severity_name(int32_t severity) {
  switch (severity) {
    case TH_SEV_WARN:
      return "warn";
    case TH_SEV_ERROR:
      return "error";
    default:
      return "info";
  }
}

class JsonlNotifier : public tradehost::Notifier {
 public:
  static constexpr int kind = TH_KIND_NOTIFIER;
  static constexpr const char* type_name = "jsonl_notifier";
  static constexpr const char* description = "Appends one JSON object per notification, one per line, to a file";

  static std::vector<Field> config() {
    return {{"file", TH_CFG_STR, "",
             "file to append to (JSON Lines; created with its folder; a relative path is relative to the bot config's "
             "folder)",
             TH_CFG_REQUIRED}};
  }

  // No I/O here (plugin.h: create parses config and allocates); the file opens in start().
  explicit JsonlNotifier(Context ctx) : Notifier(ctx), path_(ctx.str("file")) {
    if (path_.empty()) throw Error(TH_ERR_INVALID_ARG, "file must name a file");
  }

  ~JsonlNotifier() override { shut_down(); }

  void start() override {
    std::error_code ec;
    const std::filesystem::path parent = std::filesystem::path(path_).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    file_ = std::fopen(path_.c_str(), "a");
    if (!file_) throw Error(TH_ERR_IO, "cannot open " + path_ + " for appending");
    closing_ = false;
    writer_ = std::thread([this] { write_loop(); });
  }

  void stop() override { shut_down(); }

  void notify(int32_t severity, std::string_view topic, std::string_view title, std::string_view body) override {
    const th_time_ns now = ctx_.now();
    std::string line = "{\"time\":" + json_string(iso8601(now)) + ",\"time_ns\":" + std::to_string(now) +
                       ",\"severity\":" + json_string(severity_name(severity)) + ",\"topic\":" + json_string(topic) +
                       ",\"title\":" + json_string(title) + ",\"body\":" + json_string(body) + "}\n";
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!file_) throw Error(TH_ERR_NOT_READY, "notify before start or after stop");
      queue_.push_back(std::move(line));
    }
    wake_.notify_one();
  }

 private:
  void write_loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;  // closing and drained
      std::deque<std::string> batch;
      batch.swap(queue_);
      lock.unlock();  // notify() keeps queueing while this batch is written
      bool ok = true;
      for (const std::string& line : batch) ok = std::fwrite(line.data(), 1, line.size(), file_) == line.size() && ok;
      ok = std::fflush(file_) == 0 && ok;
      if (!ok) ctx_.error("cannot write to " + path_ + "; notifications are being lost");
      lock.lock();
    }
  }

  // Drains the queue, joins the writer and closes the file; idempotent (stop, then destroy).
  void shut_down() noexcept {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      closing_ = true;
    }
    wake_.notify_one();
    if (writer_.joinable()) writer_.join();
    std::lock_guard<std::mutex> lock(mutex_);
    if (file_) std::fclose(file_);
    file_ = nullptr;
  }

  std::string path_;
  std::FILE* file_ = nullptr;  // guarded by mutex_ for open/close; the writer alone writes to it
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::string> queue_;  // lines not yet written, oldest first
  bool closing_ = false;
  std::thread writer_;
};

}  // namespace

TH_DECLARE_PLUGIN("jsonl_notifier", "1.0.0", "example", JsonlNotifier)
