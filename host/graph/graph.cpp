#include "graph/graph.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "graph/document.hpp"

namespace tradehost::graph {
namespace {

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) {
    if (!out.empty()) out += '\n';
    out += l;
  }
  return out;
}

}  // namespace

GraphError::GraphError(std::vector<std::string> errs)
    : std::runtime_error(join_lines(errs)), errors(std::move(errs)) {}

void Diagnostics::raise() const {
  auto sorted = items_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return std::pair(a.first.line, a.first.col) < std::pair(b.first.line, b.first.col);
  });
  std::vector<std::string> lines;
  lines.reserve(sorted.size());
  for (const auto& [pos, msg] : sorted)
    lines.push_back(fmt::format("{}:{}:{}: {}", pos.file, pos.line, pos.col, msg));
  throw GraphError(std::move(lines));
}

std::string Document::resolve_path(const std::string& text) const {
  if (text.empty()) return text;
  const std::filesystem::path p(text);
  if (p.is_absolute()) return p.lexically_normal().string();
  return (dir / p).lexically_normal().string();
}

std::string_view to_string(Mode mode) {
  switch (mode) {
    case Mode::Backtest: return "backtest";
    case Mode::Paper: return "paper";
    case Mode::Live: return "live";
  }
  return "unknown";
}

std::string_view kind_name(int kind) {
  switch (kind) {
    case TH_KIND_CONNECTOR: return "connector";
    case TH_KIND_STRATEGY: return "strategy";
    case TH_KIND_RISK: return "risk";
    case TH_KIND_NOTIFIER: return "notifier";
    default: return "component";
  }
}

const std::vector<std::string>& notifier_topics() {
  static const std::vector<std::string> topics{"fill",  "rejected", "error",
                                               "summary", "order", "kill_switch",
                                               "reload",  "reconcile"};
  return topics;
}

const SourcePos& Bot::where(std::string_view key) const {
  const auto it = key_pos.find(std::string(key));
  return it != key_pos.end() ? it->second : pos;
}

const SourcePos& Node::where(std::string_view key) const {
  const auto it = key_pos.find(std::string(key));
  return it != key_pos.end() ? it->second : pos;
}

}  // namespace tradehost::graph
