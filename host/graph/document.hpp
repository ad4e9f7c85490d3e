// Internal to host/graph: the parsed TOML document kept between the two passes, and the error
// collector both passes report into.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "graph/graph.hpp"

namespace tradehost::graph {

struct Document {
  toml::table root;
  std::string display_path;   ///< the path as given to parse_graph; prefixes every message
  std::filesystem::path dir;  ///< absolute directory of the file; relative paths resolve here

  SourcePos pos(const toml::source_region& r) const {
    return {display_path, static_cast<int>(r.begin.line), static_cast<int>(r.begin.column)};
  }
  SourcePos pos(const toml::node& n) const { return pos(n.source()); }
  SourcePos pos(const toml::key& k) const { return pos(k.source()); }
  SourcePos start() const { return {display_path, 1, 1}; }

  /// `text` made absolute against `dir` (unchanged when empty or already absolute).
  std::string resolve_path(const std::string& text) const;
};

/// Collects "file:line:col: message" errors; raise() throws them all, sorted by position.
class Diagnostics {
 public:
  void add(SourcePos pos, std::string message) {
    items_.emplace_back(std::move(pos), std::move(message));
  }
  bool empty() const { return items_.empty(); }
  [[noreturn]] void raise() const;
  void raise_if_any() const {
    if (!empty()) raise();
  }

 private:
  std::vector<std::pair<SourcePos, std::string>> items_;
};

}  // namespace tradehost::graph
