// Internal to host/graph: turning one TOML node into a typed Value against a FieldSpec.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "graph/document.hpp"

namespace tradehost::graph {

using Report = std::function<void(const SourcePos&, std::string)>;

struct FieldContext {
  const Document& doc;
  std::string where;        ///< names the table in messages: "[bot]", "[[strategy]] 'ema' (...)"
  Report report;
  bool interpolate = true;  ///< ${ENV} in strings (off for declared defaults)
};

/// True for component keys whose string values are paths: "file", "files", "path", or a name
/// ending in "_file", "_path", "_dir".
bool is_path_key(std::string_view key);

/// Checks `node` against `spec` and converts it; reports each problem through ctx.report and
/// returns nullopt when there was any. Path keys (is_path_key) are resolved against the config
/// directory. Never puts the value of a secret field in a message.
std::optional<Value> convert_field(const toml::node& node, const FieldSpec& spec,
                                   const FieldContext& ctx);

/// The declared default of `spec` (nullopt when it has none), positioned at `table_pos` and
/// marked from_default. A default that is not a valid TOML literal of the field's type is a
/// plugin bug, reported at `table_pos` naming `owner` (the type and its plugin file).
std::optional<Value> default_field(const FieldSpec& spec, const SourcePos& table_pos,
                                   std::string_view owner, const FieldContext& ctx);

/// "unknown key 'k' in <where>; valid keys: a, b, c" plus a "did you mean" for a near miss.
std::string unknown_key_message(std::string_view key, std::string_view where,
                                const std::vector<std::string>& valid);

/// Converts every key of `table` that `fields` declares (a key's first matching spec wins);
/// keys for which `skip` returns true are left alone; any other key is reported as unknown
/// (at the key) when `report_unknown`. Returns the converted values by key.
std::map<std::string, Value> read_table(const toml::table& table,
                                        const std::vector<FieldSpec>& fields,
                                        const FieldContext& ctx,
                                        const std::function<bool(std::string_view)>& skip = {},
                                        bool report_unknown = true);

/// For each of `fields` not written in `table`: reports it at `table_pos` when required, else
/// adds its declared default (if any) to `values`. `owner` names who declared the defaults.
void fill_defaults(const toml::table& table, const std::vector<FieldSpec>& fields,
                   const SourcePos& table_pos, std::string_view owner, const FieldContext& ctx,
                   std::map<std::string, Value>& values);

/// "a string", "an integer", ... for messages.
std::string_view describe_toml_type(const toml::node& node);

/// Levenshtein distance, for "did you mean" hints.
size_t edit_distance(std::string_view a, std::string_view b);

/// True when `written` is probably a misspelling of `known`: at most two edits apart, or
/// `known` with a different ending ("strategies", "connectors").
bool looks_like(std::string_view written, std::string_view known);

}  // namespace tradehost::graph
