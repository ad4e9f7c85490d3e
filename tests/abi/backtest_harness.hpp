// What the ABI tests need to run the host for real: a scratch directory, a registry loaded with
// the real plugins plus chosen fixtures, a backtest over the bundled BTC/USDT 5m candles through
// the real `replay` connector, read-only access to the run's SQLite state, and a capture of the
// host's log. Failures throw std::runtime_error (GoogleTest reports the message).
#pragma once

#include "engine/engine.hpp"
#include "graph/graph.hpp"
#include "loader/plugin_registry.hpp"

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace tradehost::abi_test {

namespace fs = std::filesystem;

/// The bundled candle file every backtest here replays.
inline fs::path candle_file() { return fs::path(TH_SOURCE_DIR) / "data" / "BTCUSDT-5m-20230102-20230209.csv"; }

/// The data rows of a CSV file (every non-empty line after the header), read independently of
/// the replay connector.
inline std::vector<std::string> csv_rows(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::vector<std::string> rows;
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (header) {
      header = false;
      continue;
    }
    rows.push_back(line);
  }
  return rows;
}

/// A fresh directory under the system temp dir, removed with everything in it.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (fs::temp_directory_path() / "th_abi_XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed for " + tmpl);
    path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const noexcept { return path_; }

 private:
  fs::path path_;
};

/// Sends the host's spdlog output (the engine's lines and every plugin's host->log) to a string
/// while alive, at debug level.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    auto logger = std::make_shared<spdlog::logger>("abi_log_capture", sink);
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

/// Read access to a run's state database.
class StateDb {
 public:
  explicit StateDb(const fs::path& file) {
    if (sqlite3_open_v2(file.string().c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      std::string err = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw std::runtime_error("cannot open " + file.string() + ": " + err);
    }
  }
  ~StateDb() { sqlite3_close(db_); }
  StateDb(const StateDb&) = delete;
  StateDb& operator=(const StateDb&) = delete;

  /// Every row of `sql`, each column as text (NULL as "<null>").
  std::vector<std::vector<std::string>> rows(const std::string& sql) const {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
      throw std::runtime_error("bad query '" + sql + "': " + sqlite3_errmsg(db_));
    std::vector<std::vector<std::string>> out;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        const unsigned char* t = sqlite3_column_text(st, i);
        row.emplace_back(t ? reinterpret_cast<const char*>(t) : "<null>");
      }
      out.push_back(std::move(row));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) throw std::runtime_error("query '" + sql + "' failed: " + sqlite3_errmsg(db_));
    return out;
  }
  /// The single integer `sql` yields.
  int64_t integer(const std::string& sql) const {
    auto r = rows(sql);
    if (r.size() != 1 || r[0].size() != 1) throw std::runtime_error("query '" + sql + "' did not yield one value");
    return std::stoll(r[0][0]);
  }

 private:
  sqlite3* db_ = nullptr;
};

/// One backtest of a graph: [bot] and the `replay` connector "history" over candle_file()
/// (tick 0.01, lot 0.00001, no slippage, 10 bps fees, 10000 USDT) followed by `components`
/// (TOML text of [[strategy]]/[[risk]]/[[notifier]] tables). Loads every real plugin from
/// TH_PLUGIN_DIR and each of `fixtures`; any refusal is an error.
class Backtest {
 public:
  Backtest(const std::string& components, const std::vector<std::string>& fixtures) : registry_(engine::host_api()) {
    for (const auto& problem : registry_.load_directories({TH_PLUGIN_DIR}))
      throw std::runtime_error("real plugin refused: " + problem);
    for (const auto& f : fixtures)
      if (std::string err = registry_.load_file(f); !err.empty()) throw std::runtime_error("fixture refused: " + err);
    const fs::path config = dir_.path() / "bot.toml";
    std::ofstream(config) << "[bot]\n"
                             "name = \"abi\"\n"
                             "mode = \"backtest\"\n"
                             "initial_cash = \"10000\"\n"
                             "maker_fee_bps = 10\n"
                             "taker_fee_bps = 10\n"
                             "slippage_bps = 0\n"
                             "state = \"var/abi.sqlite\"\n"
                             "out = \"out\"\n"
                             "\n"
                             "[[connector]]\n"
                             "name = \"history\"\n"
                             "type = \"replay\"\n"
                             "files = [\""
                          << candle_file().string()
                          << "\"]\n"
                             "symbol = \"BTC/USDT\"\n"
                             "tick_size = \"0.01\"\n"
                             "lot_size = \"0.00001\"\n\n"
                          << components;
    graph_ = graph::parse_graph(config);
    graph::validate_graph(graph_, registry_.schema_lookup());
  }

  /// Runs the graph to the end of the data; the Engine is gone (state flushed) on return.
  engine::RunResult run() {
    engine::RunOptions ro;
    ro.out_dir = dir_.path() / "out";
    ro.state_path = state_path();
    ro.progress = false;
    ro.print_summary = false;
    engine::Engine eng(graph_, registry_, ro);
    return eng.run();
  }

  fs::path state_path() const { return dir_.path() / "state.sqlite"; }
  const loader::PluginRegistry& registry() const { return registry_; }

 private:
  ScratchDir dir_;
  loader::PluginRegistry registry_;
  graph::Graph graph_;
};

}  // namespace tradehost::abi_test
