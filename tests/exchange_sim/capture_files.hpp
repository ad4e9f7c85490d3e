// capture_files.hpp -- reads the recorded Binance captures (data/binance/cryptofeed/, format in
// data/SOURCES.md) straight from the files, independently of the simulator's own reader, so the
// capture tests can compare what the simulator serves with the recording itself.
#ifndef TRADEHOST_TESTS_EXCHANGE_SIM_CAPTURE_FILES_HPP
#define TRADEHOST_TESTS_EXCHANGE_SIM_CAPTURE_FILES_HPP

#include <rapidjson/document.h>

#include <fstream>
#include <stdexcept>
#include <string>

namespace sim_test {

inline const std::string kSpotCapture = TH_SOURCE_DIR "/data/binance/cryptofeed/BINANCE";
inline const std::string kUsdmCapture = TH_SOURCE_DIR "/data/binance/cryptofeed/BINANCE_FUTURES";

/// Line `n` (1-based) of `path`.
inline std::string file_line(const std::string& path, size_t n) {
  std::ifstream in(path);
  std::string line;
  for (size_t i = 1; std::getline(in, line); ++i)
    if (i == n) return line;
  throw std::runtime_error(path + " has no line " + std::to_string(n));
}

/// What follows "<epoch>: " on a capture line: a WebSocket frame or a REST body.
inline std::string recorded_text(const std::string& path, size_t n) {
  const std::string line = file_line(path, n);
  return line.substr(line.find(": ") + 2);
}

/// The element of the recorded exchangeInfo "symbols" (line 1 of `<prefix>.0`) named `symbol`, as
/// a document of its own; a null document when there is none.
inline rapidjson::Document recorded_symbol(const std::string& prefix, const std::string& symbol) {
  rapidjson::Document info;
  const std::string body = recorded_text(prefix + ".0", 1);
  info.Parse(body.c_str());
  rapidjson::Document out;
  for (const auto& s : info["symbols"].GetArray())
    if (s["symbol"].GetString() == symbol) out.CopyFrom(s, out.GetAllocator());
  return out;
}

}  // namespace sim_test

#endif
