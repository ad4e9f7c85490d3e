// JSON for loaded plugins and their components, shared by `tradehost plugins --json` and
// `tradehost plugins inspect FILE --json` so both describe a component and its config keys in the
// same shape (RapidJSON, pretty-printed).
#pragma once

#include "graph/graph.hpp"
#include "loader/plugin_registry.hpp"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

namespace tradehost::cli {

using JsonWriter = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

/// "str", "i64", "f64", "bool", "decimal", "duration", "str_list" (the TH_CFG_* names).
const char* field_type_name(graph::FieldType type);

/// Writes the members "type", "kind" ("connector" | "strategy" | "risk" | "notifier"),
/// "description" and "config" into the object being written. "config" is an array of
/// {"key", "type", "default", "unit", "description", "required", "secret"}, in declaration order;
/// "default" is the TOML literal text ("" = none) and is always "" for a secret key.
void write_component_members(JsonWriter& w, const loader::ComponentInfo& component);

}  // namespace tradehost::cli
