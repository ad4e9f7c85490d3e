#include "cli/toml_snippet.hpp"

#include "cli/plugin_json.hpp"
#include "graph/graph.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace tradehost::cli {
namespace {

/// A TOML value of the field's type, shown (commented out) where the user must write one.
std::string placeholder(graph::FieldType type) {
  switch (type) {
    case graph::FieldType::Str: return "\"...\"";
    case graph::FieldType::I64: return "0";
    case graph::FieldType::F64: return "0.0";
    case graph::FieldType::Bool: return "false";
    case graph::FieldType::Decimal: return "\"0.0\"";
    case graph::FieldType::Duration: return "\"1m\"";
    case graph::FieldType::StrList: return "[\"...\"]";
  }
  return "\"...\"";
}

/// Text for a comment: line breaks would end the comment and put the rest on a TOML line.
std::string one_line(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::replace(s.begin(), s.end(), '\r', ' ');
  return s;
}

/// "i64, bars, required: fast EMA period"
std::string describe(const graph::FieldSpec& f) {
  std::string s = field_type_name(f.type);
  if (!f.unit.empty()) s += ", " + f.unit;
  if (f.required) s += ", required";
  if (f.secret) s += ", secret";
  if (!f.description.empty()) s += ": " + f.description;
  return one_line(s);
}

struct Line {
  std::string code, comment;
};

Line key_line(const graph::FieldSpec& f) {
  const bool shown = !f.secret && !f.required && !f.default_value.empty();
  if (shown) return {f.key + " = " + f.default_value, describe(f)};
  // A required key's default (rare, but declarable) is the better example of what to write.
  const std::string example = !f.secret && !f.default_value.empty() ? f.default_value : placeholder(f.type);
  return {"# " + f.key + " = " + example, describe(f)};
}

}  // namespace

std::string toml_snippet(const loader::ComponentInfo& c) {
  const std::string kind(graph::kind_name(c.comp.kind));
  std::vector<Line> lines;
  for (const graph::FieldSpec& f : graph::host_fields(c.comp.kind)) {
    if (f.key == "name") {
      lines.push_back({"name = \"" + c.type_name + "\"", "placeholder; " + one_line(f.description)});
    } else if (f.key == "type") {
      lines.push_back({"type = \"" + c.type_name + "\"", ""});
    } else {
      lines.push_back(key_line(f));
    }
  }
  for (const graph::FieldSpec& f : c.schema.fields) lines.push_back(key_line(f));

  size_t width = 0;
  for (const Line& l : lines) width = std::max(width, l.code.size());
  std::string out = fmt::format("# {} ({}): {}\n", c.type_name, kind, one_line(c.description));
  if (c.plugin)
    out += fmt::format("# from plugin {} {}, {}\n", one_line(c.plugin->name), one_line(c.plugin->version),
                       c.plugin->file.string());
  out += "[[" + kind + "]]\n";
  for (const Line& l : lines) {
    if (l.comment.empty()) out += l.code + "\n";
    else out += fmt::format("{:<{}}  # {}\n", l.code, width, l.comment);
  }
  return out;
}

}  // namespace tradehost::cli
