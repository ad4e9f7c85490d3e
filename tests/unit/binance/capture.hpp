// Reads cryptofeed's recorded Binance traffic (data/binance/cryptofeed/, format in
// data/SOURCES.md) for the tests and bench/depth_apply.cpp:
//   REST:      "<URL> -> <epoch_s.frac>: <JSON body>"   (last line of *.0: "configuration: {...}")
//   WebSocket: "<wss URL> <-> <epoch_s.frac>" once, then "<epoch_s.frac>: <text frame>"
// Empty lines are skipped. Throws std::runtime_error naming the file and line on anything else.
#ifndef TRADEHOST_TESTS_BINANCE_CAPTURE_HPP
#define TRADEHOST_TESTS_BINANCE_CAPTURE_HPP

#include <tradehost/fixed.hpp>

#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tradehost::binance::capture {

/// One recorded message.
struct Record {
  int64_t receive_us = 0;  ///< local receive time, Unix microseconds (rounded half-even)
  std::string url;         ///< REST request URL; empty for WebSocket frames
  std::string body;        ///< the raw JSON as received
  size_t line = 0;         ///< 1-based line number in the file
};

inline std::string capture_path(std::string_view name) {
  return std::string(TH_SOURCE_DIR) + "/data/binance/cryptofeed/" + std::string(name);
}

namespace detail {
inline std::runtime_error bad_line(const std::string& path, size_t line, std::string_view why) {
  return std::runtime_error(path + ":" + std::to_string(line) + ": " + std::string(why));
}

// "1633998512.0633569" -> 1633998512063357 (cryptofeed writes Python float reprs, up to 7
// decimals, so the microsecond is rounded).
inline int64_t epoch_us(std::string_view text, const std::string& path, size_t line) {
  int64_t us = 0;
  std::string err;
  if (!parse_fixed(text, 6, us, &err, Rounding::HalfEven)) throw bad_line(path, line, err);
  return us;
}

inline std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<std::string> lines;
  std::string l;
  while (std::getline(in, l)) lines.push_back(l);
  return lines;
}
}  // namespace detail

/// The REST responses of a *.0 or *.http.0.0 file, in file order (the configuration line and
/// empty lines skipped).
inline std::vector<Record> read_rest(std::string_view name) {
  const std::string path = capture_path(name);
  std::vector<Record> out;
  const std::vector<std::string> lines = detail::lines_of(path);
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    if (l.empty() || l.rfind("configuration: ", 0) == 0) continue;
    const size_t arrow = l.find(" -> ");
    const size_t colon = arrow == std::string::npos ? arrow : l.find(": ", arrow);
    if (colon == std::string::npos) throw detail::bad_line(path, i + 1, "no ' -> <time>: '");
    Record r;
    r.line = i + 1;
    r.url = l.substr(0, arrow);
    r.receive_us = detail::epoch_us(std::string_view(l).substr(arrow + 4, colon - arrow - 4),
                                    path, i + 1);
    r.body = l.substr(colon + 2);
    out.push_back(std::move(r));
  }
  return out;
}

/// The frames of a *.ws.1.0 file, in file order (the connection line and empty lines skipped).
inline std::vector<Record> read_ws(std::string_view name) {
  const std::string path = capture_path(name);
  std::vector<Record> out;
  const std::vector<std::string> lines = detail::lines_of(path);
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    if (l.empty() || l.rfind("wss://", 0) == 0) continue;
    const size_t colon = l.find(": ");
    if (colon == std::string::npos) throw detail::bad_line(path, i + 1, "no '<time>: '");
    Record r;
    r.line = i + 1;
    r.receive_us = detail::epoch_us(std::string_view(l).substr(0, colon), path, i + 1);
    r.body = l.substr(colon + 2);
    out.push_back(std::move(r));
  }
  return out;
}

/// The `symbol=` query parameter of a REST URL ("...depth?symbol=NKNUSDT&limit=1000" -> "NKNUSDT").
inline std::string symbol_of_url(const std::string& url) {
  const size_t at = url.find("symbol=");
  if (at == std::string::npos) return {};
  const size_t end = url.find('&', at);
  return url.substr(at + 7, end == std::string::npos ? std::string::npos : end - at - 7);
}

}  // namespace tradehost::binance::capture

#endif  // TRADEHOST_TESTS_BINANCE_CAPTURE_HPP
