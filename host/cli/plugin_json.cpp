#include "cli/plugin_json.hpp"

#include <string>

namespace tradehost::cli {

const char* field_type_name(graph::FieldType type) {
  switch (type) {
    case graph::FieldType::Str: return "str";
    case graph::FieldType::I64: return "i64";
    case graph::FieldType::F64: return "f64";
    case graph::FieldType::Bool: return "bool";
    case graph::FieldType::Decimal: return "decimal";
    case graph::FieldType::Duration: return "duration";
    case graph::FieldType::StrList: return "str_list";
  }
  return "?";
}

void write_component_members(JsonWriter& w, const loader::ComponentInfo& c) {
  const std::string kind(graph::kind_name(c.comp.kind));
  w.Key("type");
  w.String(c.type_name.c_str());
  w.Key("kind");
  w.String(kind.c_str());
  w.Key("description");
  w.String(c.description.c_str());
  w.Key("config");
  w.StartArray();
  for (const auto& f : c.schema.fields) {
    w.StartObject();
    w.Key("key");
    w.String(f.key.c_str());
    w.Key("type");
    w.String(field_type_name(f.type));
    w.Key("default");
    w.String(f.secret ? "" : f.default_value.c_str());  // a secret's value is never echoed
    w.Key("unit");
    w.String(f.unit.c_str());
    w.Key("description");
    w.String(f.description.c_str());
    w.Key("required");
    w.Bool(f.required);
    w.Key("secret");
    w.Bool(f.secret);
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace tradehost::cli
