#include "graph/field_conversion.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "graph/env_interpolation.hpp"

namespace tradehost::graph {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// An assignment of the right type, for hints: `qty = "0.001"`.
std::string example(const FieldSpec& spec) {
  const std::string& k = spec.key;
  switch (spec.type) {
    case FieldType::Str: return fmt::format("{} = \"...\"", k);
    case FieldType::I64: return fmt::format("{} = 12", k);
    case FieldType::F64: return fmt::format("{} = 1.5", k);
    case FieldType::Bool: return fmt::format("{} = true", k);
    case FieldType::Decimal: return fmt::format("{} = \"0.001\"", k);
    case FieldType::Duration: return fmt::format("{} = \"5m\"", k);
    case FieldType::StrList: return fmt::format("{} = [\"a\", \"b\"]", k);
  }
  return k + " = ...";
}

std::string expected_text(const FieldSpec& spec) {
  switch (spec.type) {
    case FieldType::Str: return "a string, e.g. " + example(spec);
    case FieldType::I64: return "an integer, e.g. " + example(spec);
    case FieldType::F64: return "a number, e.g. " + example(spec);
    case FieldType::Bool: return "true or false, e.g. " + example(spec);
    case FieldType::Decimal: return "a decimal string, e.g. " + example(spec);
    case FieldType::Duration:
      return "a duration string such as \"250ms\", \"5s\", \"5m\", \"1h\", \"1d\" or "
             "\"1w\", e.g. " +
             example(spec);
    case FieldType::StrList: return "a list of strings, e.g. " + example(spec);
  }
  return "a value";
}

// The string at `node` after ${ENV} interpolation, or nullopt (reported) when it fails.
std::optional<std::string> string_of(const toml::node& node, const FieldSpec& spec,
                                     const FieldContext& ctx) {
  const std::string& raw = node.as_string()->get();
  if (!ctx.interpolate) return raw;
  Expanded e = expand_env(raw);
  if (!e.ok()) {
    ctx.report(ctx.doc.pos(node), fmt::format("{} (in '{}' of {})", e.error, spec.key, ctx.where));
    return std::nullopt;
  }
  return std::move(e.text);
}

// "; got a string" plus a hint when the text would have been right without quotes. The value
// itself is only quoted for fields that are not secret.
std::string got_text(const toml::node& node, const FieldSpec& spec) {
  std::string got = fmt::format("; got {}", describe_toml_type(node));
  if (const auto* s = node.as_string()) {
    const std::string& v = s->get();
    if (spec.type == FieldType::Bool && (v == "true" || v == "false"))
      got += " (write it without quotes)";
    const bool integer_text = is_decimal_literal(v) && v.find('.') == std::string::npos;
    if ((spec.type == FieldType::I64 && integer_text) ||
        (spec.type == FieldType::F64 && is_decimal_literal(v)))
      got += " (write it without quotes)";
  }
  return got;
}

}  // namespace

bool is_path_key(std::string_view key) {
  return key == "file" || key == "files" || key == "path" || ends_with(key, "_file") ||
         ends_with(key, "_path") || ends_with(key, "_dir");
}

std::string_view describe_toml_type(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    case toml::node_type::none: break;
  }
  return "nothing";
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

bool looks_like(std::string_view written, std::string_view known) {
  if (edit_distance(written, known) <= 2) return true;
  // Plurals and other endings: "strategies" for "strategy", "connectors" for "connector".
  size_t common = 0;
  while (common < written.size() && common < known.size() && written[common] == known[common])
    ++common;
  return known.size() >= 4 && common + 1 >= known.size();
}

std::optional<Value> convert_field(const toml::node& node, const FieldSpec& spec,
                                   const FieldContext& ctx) {
  Value v;
  v.type = spec.type;
  v.pos = ctx.doc.pos(node);
  v.secret = spec.secret;
  const auto mismatch = [&] {
    ctx.report(v.pos, fmt::format("'{}' in {} must be {}{}", spec.key, ctx.where,
                                  expected_text(spec), got_text(node, spec)));
    return std::nullopt;
  };
  const auto quoted = [&](const std::string& text) {
    return spec.secret ? std::string("the value") : fmt::format("\"{}\"", text);
  };

  switch (spec.type) {
    case FieldType::Str: {
      if (!node.is_string()) return mismatch();
      auto s = string_of(node, spec, ctx);
      if (!s) return std::nullopt;
      v.str = is_path_key(spec.key) ? ctx.doc.resolve_path(*s) : std::move(*s);
      return v;
    }
    case FieldType::I64: {
      if (!node.is_integer()) return mismatch();
      v.i64 = node.as_integer()->get();
      return v;
    }
    case FieldType::F64: {
      if (const auto* i = node.as_integer()) {
        v.f64 = static_cast<double>(i->get());
      } else if (const auto* f = node.as_floating_point()) {
        v.f64 = f->get();
      } else {
        return mismatch();
      }
      if (!std::isfinite(v.f64)) {
        ctx.report(v.pos, fmt::format("'{}' in {} must be a finite number, not inf or nan",
                                      spec.key, ctx.where));
        return std::nullopt;
      }
      return v;
    }
    case FieldType::Bool: {
      if (!node.is_boolean()) return mismatch();
      v.b = node.as_boolean()->get();
      return v;
    }
    case FieldType::Decimal: {
      if (const auto* i = node.as_integer()) {
        v.str = std::to_string(i->get());
        return v;
      }
      if (node.is_floating_point()) {
        ctx.report(v.pos,
                   fmt::format("'{}' in {}: write decimals as strings, e.g. \"0.001\", so they "
                               "stay exact",
                               spec.key, ctx.where));
        return std::nullopt;
      }
      if (!node.is_string()) return mismatch();
      auto s = string_of(node, spec, ctx);
      if (!s) return std::nullopt;
      if (!is_decimal_literal(*s)) {
        ctx.report(v.pos, fmt::format("'{}' in {} must be a decimal such as \"0.001\", \"-12.50\" "
                                      "or \"10000\" (digits, optional '-' and '.'); {} is not",
                                      spec.key, ctx.where, quoted(*s)));
        return std::nullopt;
      }
      v.str = std::move(*s);
      return v;
    }
    case FieldType::Duration: {
      if (!node.is_string()) return mismatch();
      auto s = string_of(node, spec, ctx);
      if (!s) return std::nullopt;
      const std::optional<int64_t> ns = parse_duration(*s);
      if (!ns) {
        ctx.report(v.pos, fmt::format("'{}' in {} must be a duration such as \"250ms\", \"5s\", "
                                      "\"5m\", \"1h\", \"1d\" or \"1w\" (units ns us ms s m h d "
                                      "w, whole numbers); {} is not",
                                      spec.key, ctx.where, quoted(*s)));
        return std::nullopt;
      }
      v.i64 = *ns;
      v.str = std::move(*s);
      return v;
    }
    case FieldType::StrList: {
      const toml::array* arr = node.as_array();
      if (arr == nullptr) return mismatch();
      bool ok = true;
      for (size_t i = 0; i < arr->size(); ++i) {
        const toml::node& e = *arr->get(i);
        if (!e.is_string()) {
          ctx.report(ctx.doc.pos(e),
                     fmt::format("element {} of '{}' in {} must be a string; got {}", i + 1,
                                 spec.key, ctx.where, describe_toml_type(e)));
          ok = false;
          continue;
        }
        auto s = string_of(e, spec, ctx);
        if (!s) {
          ok = false;
          continue;
        }
        v.list.push_back(is_path_key(spec.key) ? ctx.doc.resolve_path(*s) : std::move(*s));
      }
      if (!ok) return std::nullopt;
      return v;
    }
  }
  ctx.report(v.pos, fmt::format("'{}' in {} has an unsupported field type {}", spec.key,
                                ctx.where, static_cast<int>(spec.type)));
  return std::nullopt;
}

std::optional<Value> default_field(const FieldSpec& spec, const SourcePos& table_pos,
                                   std::string_view owner, const FieldContext& ctx) {
  if (spec.default_value.empty()) return std::nullopt;
  const auto bug = [&](const std::string& why) {
    ctx.report(table_pos, fmt::format("{} declares an invalid default for '{}' (a plugin bug; "
                                      "set '{}' in {} to work around it): {}",
                                      owner, spec.key, spec.key, ctx.where, why));
  };
  toml::table parsed;
  try {
    parsed = toml::parse("v = " + spec.default_value);
  } catch (const toml::parse_error& e) {
    bug(std::string(e.description()));
    return std::nullopt;
  }
  const toml::node* node = parsed.get("v");
  if (node == nullptr) {
    bug("not a single TOML value");
    return std::nullopt;
  }
  std::string first_error;
  FieldContext inner{ctx.doc, ctx.where,
                     [&](const SourcePos&, std::string msg) {
                       if (first_error.empty()) first_error = std::move(msg);
                     },
                     /*interpolate=*/false};
  std::optional<Value> v = convert_field(*node, spec, inner);
  if (!v) {
    bug(first_error);
    return std::nullopt;
  }
  v->pos = table_pos;
  v->from_default = true;
  return v;
}

std::string unknown_key_message(std::string_view key, std::string_view where,
                                const std::vector<std::string>& valid) {
  std::string msg = fmt::format("unknown key '{}' in {}; valid keys: {}", key, where,
                                fmt::join(valid, ", "));
  const std::string* best = nullptr;
  size_t best_distance = SIZE_MAX;
  for (const std::string& v : valid) {
    const size_t d = edit_distance(key, v);
    if (looks_like(key, v) && d < best_distance) {
      best_distance = d;
      best = &v;
    }
  }
  if (best != nullptr) msg += fmt::format(" (did you mean '{}'?)", *best);
  return msg;
}

std::map<std::string, Value> read_table(const toml::table& table,
                                        const std::vector<FieldSpec>& fields,
                                        const FieldContext& ctx,
                                        const std::function<bool(std::string_view)>& skip,
                                        bool report_unknown) {
  std::map<std::string, Value> out;
  for (auto&& [key, node] : table) {
    const std::string_view k = key.str();
    if (skip && skip(k)) continue;
    const auto spec = std::find_if(fields.begin(), fields.end(),
                                   [&](const FieldSpec& f) { return f.key == k; });
    if (spec == fields.end()) {
      if (report_unknown) {
        std::vector<std::string> valid;
        for (const FieldSpec& f : fields) valid.push_back(f.key);
        ctx.report(ctx.doc.pos(key), unknown_key_message(k, ctx.where, valid));
      }
      continue;
    }
    if (std::optional<Value> v = convert_field(node, *spec, ctx))
      out.emplace(spec->key, std::move(*v));
  }
  return out;
}

void fill_defaults(const toml::table& table, const std::vector<FieldSpec>& fields,
                   const SourcePos& table_pos, std::string_view owner, const FieldContext& ctx,
                   std::map<std::string, Value>& values) {
  for (const FieldSpec& f : fields) {
    if (table.contains(f.key)) continue;  // written: converted or already reported
    if (f.required) {
      std::string msg = fmt::format("missing required key '{}' in {}; add e.g. {}", f.key,
                                    ctx.where, example(f));
      if (!f.description.empty()) msg += fmt::format(" ({})", f.description);
      ctx.report(table_pos, std::move(msg));
      continue;
    }
    if (std::optional<Value> v = default_field(f, table_pos, owner, ctx))
      values.emplace(f.key, std::move(*v));
  }
}

}  // namespace tradehost::graph
