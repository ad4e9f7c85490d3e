// Pass 2: every [[connector]], [[strategy]], [[risk]] and [[notifier]] table, against the host's
// keys and the component type's declared schema.
#include <array>
#include <cctype>
#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "graph/document.hpp"
#include "graph/field_conversion.hpp"
#include "graph/graph.hpp"

namespace tradehost::graph {
namespace {

struct Section {
  int kind;
  const char* key;  // "connector": the TOML array name
  bool name_required;
  std::vector<FieldSpec> host_fields;  // name and type first
};

std::string all_topics_literal() {
  std::vector<std::string> quoted;
  for (const std::string& t : notifier_topics()) quoted.push_back("\"" + t + "\"");
  return fmt::format("[{}]", fmt::join(quoted, ", "));
}

const std::vector<Section>& sections() {
  static const std::vector<Section> s{
      {TH_KIND_CONNECTOR,
       "connector",
       true,
       {{"name", FieldType::Str, "", "unique among connectors; strategies refer to it", true,
         false},
        {"type", FieldType::Str, "", "a connector type; `tradehost plugins` lists them", true,
         false}}},
      {TH_KIND_STRATEGY,
       "strategy",
       true,
       {{"name", FieldType::Str, "", "unique among strategies", true, false},
        {"type", FieldType::Str, "", "a strategy type; `tradehost plugins` lists them", true,
         false},
        {"connector", FieldType::Str, "", "name of the [[connector]] giving its data", true,
         false},
        {"instruments", FieldType::StrList, "", "e.g. instruments = [\"BTC/USDT\"]", true, false},
        {"timeframe", FieldType::Duration, "\"1m\"", "bar interval", false, false},
        {"events", FieldType::StrList, "[\"bar\"]",
         "market events it receives besides its own orders: bar, trade, quote, book", false, false}}},
      {TH_KIND_RISK,
       "risk",
       false,
       {{"name", FieldType::Str, "", "unique among risks; default: the type", false, false},
        {"type", FieldType::Str, "", "a risk type; `tradehost plugins` lists them", true,
         false}}},
      {TH_KIND_NOTIFIER,
       "notifier",
       false,
       {{"name", FieldType::Str, "", "unique among notifiers; default: the type", false, false},
        {"type", FieldType::Str, "", "a notifier type; `tradehost plugins` lists them", true,
         false},
        {"on", FieldType::StrList, all_topics_literal(), "topics to send", false, false}}},
  };
  return s;
}

// A unified symbol: BASE/QUOTE or BASE/QUOTE:SETTLE, each part letters and digits.
bool valid_symbol(std::string_view s) {
  const auto part_ok = [](std::string_view p) {
    if (p.empty()) return false;
    for (char c : p) {
      const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      if (!ok) return false;
    }
    return true;
  };
  const size_t slash = s.find('/');
  if (slash == std::string_view::npos) return false;
  const std::string_view base = s.substr(0, slash);
  std::string_view rest = s.substr(slash + 1);
  const size_t colon = rest.find(':');
  if (colon != std::string_view::npos) {
    if (!part_ok(rest.substr(colon + 1))) return false;
    rest = rest.substr(0, colon);
  }
  return part_ok(base) && part_ok(rest);
}

class Validator {
 public:
  Validator(const Document& doc, const SchemaLookup& lookup) : doc_(doc), lookup_(lookup) {}

  void run(Graph& g) {
    for (const Section& s : sections()) {
      std::vector<Node>& out = nodes_of(g, s.kind);
      out.clear();
      const toml::array* arr = doc_.root.get_as<toml::array>(s.key);
      if (arr == nullptr) continue;
      std::map<std::string, int> first_line;  // name -> line of its first table
      for (size_t i = 0; i < arr->size(); ++i) {
        const toml::table* t = arr->get(i)->as_table();
        if (t == nullptr) continue;  // reported by parse_graph
        Node n = read_node(s, *t, i + 1);
        if (!n.name.empty()) {
          const auto [it, fresh] = first_line.emplace(n.name, n.pos.line);
          if (!fresh) {
            // A risk or notifier without `name` is named after its type: point there.
            const bool named = n.key_pos.count("name") != 0;
            add(n.where(named ? "name" : "type"),
                fmt::format("duplicate [[{}]] name '{}'{} (first declared at line {}); give each "
                            "[[{}]] a distinct name = \"...\"",
                            s.key, n.name, named ? "" : ", taken from its type", it->second,
                            s.key));
          }
        }
        out.push_back(std::move(n));
      }
    }
    check_connector_references(g);
  }

  const Diagnostics& diagnostics() const { return diag_; }

 private:
  static std::vector<Node>& nodes_of(Graph& g, int kind) {
    switch (kind) {
      case TH_KIND_CONNECTOR: return g.connectors;
      case TH_KIND_STRATEGY: return g.strategies;
      case TH_KIND_RISK: return g.risks;
      default: return g.notifiers;
    }
  }

  void add(const SourcePos& pos, std::string msg) { diag_.add(pos, std::move(msg)); }

  FieldContext context(std::string where) {
    return FieldContext{doc_, std::move(where),
                        [this](const SourcePos& p, std::string m) { add(p, std::move(m)); }};
  }

  Node read_node(const Section& s, const toml::table& t, size_t index) {
    Node n;
    n.kind = s.kind;
    n.pos = doc_.pos(t);

    // name and type first: every later message names the table by them.
    const std::string anonymous = fmt::format("[[{}]] #{}", s.key, index);
    const std::vector<FieldSpec> identity(s.host_fields.begin(), s.host_fields.begin() + 2);
    const FieldContext id_ctx = context(anonymous);
    std::map<std::string, Value> id = read_table(
        t, identity, id_ctx, [](std::string_view k) { return k != "name" && k != "type"; });
    fill_defaults(t, identity, n.pos, "the host", id_ctx, id);
    for (const auto& [key, value] : id) n.key_pos[key] = value.pos;
    if (auto it = id.find("type"); it != id.end()) n.type = it->second.str;
    if (auto it = id.find("name"); it != id.end()) {
      n.name = it->second.str;
      if (n.name.empty()) add(it->second.pos, fmt::format("name in {} must not be empty", anonymous));
    } else if (!s.name_required && !t.contains("name")) {
      n.name = n.type;
    }

    std::string where = n.name.empty() ? anonymous : fmt::format("[[{}]] '{}'", s.key, n.name);
    if (!n.type.empty()) where += fmt::format(" (type {})", n.type);

    refuse_raw_secrets(t, where);
    const ComponentSchema* schema = find_schema(s, n);
    std::vector<FieldSpec> fields = s.host_fields;
    if (schema != nullptr) {
      for (const FieldSpec& f : schema->fields) {
        const bool reserved = std::any_of(s.host_fields.begin(), s.host_fields.end(),
                                          [&](const FieldSpec& h) { return h.key == f.key; });
        if (!reserved) {
          fields.push_back(f);
        } else if (reported_reserved_.insert(schema->type_name + "\n" + f.key).second) {
          add(n.where("type"),
              fmt::format("type '{}' (plugin {}) declares key '{}', which the host reserves in "
                          "[[{}]]; the plugin must rename it",
                          schema->type_name, schema->plugin_file, f.key, s.key));
        }
      }
    }

    // The remaining keys: host keys of this kind and, when the type is known, its schema.
    // With an unknown type the schema keys cannot be checked: only its type is reported.
    const FieldContext ctx = context(where);
    std::map<std::string, Value> values = read_table(
        t, fields, ctx, [](std::string_view k) { return k == "name" || k == "type"; },
        /*report_unknown=*/schema != nullptr);
    const std::vector<FieldSpec> rest(fields.begin() + 2, fields.end());
    const std::string owner =
        schema ? fmt::format("type '{}' (plugin {})", schema->type_name, schema->plugin_file)
               : std::string("the host");
    fill_defaults(t, rest, n.pos, owner, ctx, values);

    for (auto& [key, value] : values) {
      const std::string& k = key;  // clang cannot capture a structured binding
      const bool host_key = std::any_of(s.host_fields.begin(), s.host_fields.end(),
                                        [&](const FieldSpec& h) { return h.key == k; });
      if (!host_key) {
        n.config.emplace(key, std::move(value));
        continue;
      }
      if (!value.from_default) n.key_pos[key] = value.pos;
      if (key == "connector") n.connector = value.str;
      else if (key == "instruments") read_instruments(t, value, where, n);
      else if (key == "timeframe") read_timeframe(value, where, n);
      else if (key == "events") read_events(t, value, where, n);
      else if (key == "on") read_topics(t, value, where, n);
    }
    return n;
  }

  // Secrets belong in the encrypted credential store, never in a config file that is copied,
  // committed and logged: a key that names a secret, or a value holding a PEM private key, is
  // refused whatever the plugin declares.
  void refuse_raw_secrets(const toml::table& t, const std::string& where) {
    static const std::array<std::string_view, 8> kSecretKeys = {"secret",     "api_secret", "secret_key", "private_key",
                                                                "password",   "passphrase", "token",      "bot_token"};
    for (auto&& [key, node] : t) {
      const std::string k(key.str());
      std::string lk = k;
      for (char& c : lk) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const bool named = std::find(kSecretKeys.begin(), kSecretKeys.end(), lk) != kSecretKeys.end();
      const auto* text = node.as_string();
      const bool pem = text && text->get().find("PRIVATE KEY-----") != std::string::npos;
      // "${VAR}" alone names an environment variable, which is not a secret in the file.
      const std::string v = text ? text->get() : std::string();
      const bool env_only = v.size() > 3 && v.rfind("${", 0) == 0 && v.back() == '}' && v.find('}') == v.size() - 1;
      if ((named && !env_only) || pem)
        add(doc_.pos(key),
            fmt::format("{}: '{}' looks like a secret written into the config; keep secrets in the encrypted credential store "
                        "(`tradehost credentials add NAME ...`) and name the credential here (e.g. credential = \"NAME\"), or, for a "
                        "notifier's token, give an environment variable (\"${{VAR}}\")",
                        where, k));
    }
  }

  const ComponentSchema* find_schema(const Section& s, const Node& n) {
    if (n.type.empty()) return nullptr;
    const ComponentSchema* schema = lookup_ ? lookup_(n.type) : nullptr;
    if (schema == nullptr) {
      add(n.where("type"),
          fmt::format("unknown {} type '{}'; run `tradehost plugins` to list the available "
                      "types, and check that [plugins] paths include the directory of the "
                      "plugin that provides it",
                      s.key, n.type));
      return nullptr;
    }
    if (schema->kind != s.kind) {
      add(n.where("type"),
          fmt::format("type '{}' is a {}, not a {}; declare it in a [[{}]] table", n.type,
                      kind_name(schema->kind), s.key, kind_name(schema->kind)));
      return nullptr;
    }
    return schema;
  }

  // Element positions come from the TOML array: the converted list has the same order.
  void read_instruments(const toml::table& t, const Value& v, const std::string& where, Node& n) {
    const toml::array& arr = *t.get_as<toml::array>("instruments");
    if (v.list.empty()) {
      add(v.pos, fmt::format("'instruments' in {} must list at least one instrument, e.g. "
                             "instruments = [\"BTC/USDT\"]",
                             where));
    }
    std::set<std::string> seen;
    for (size_t i = 0; i < v.list.size(); ++i) {
      const std::string& sym = v.list[i];
      const SourcePos pos = doc_.pos(*arr.get(i));
      if (!valid_symbol(sym)) {
        add(pos, fmt::format("instrument \"{}\" in {} must be BASE/QUOTE (or BASE/QUOTE:SETTLE "
                             "for derivatives), e.g. \"BTC/USDT\"",
                             sym, where));
      } else if (!seen.insert(sym).second) {
        add(pos, fmt::format("instrument \"{}\" is listed twice in {}", sym, where));
      }
    }
    n.instruments = v.list;
  }

  void read_events(const toml::table& t, const Value& v, const std::string& where, Node& n) {
    static const std::map<std::string, uint32_t> known{
        {"bar", TH_EV_MASK(TH_EV_BAR)},
        {"trade", TH_EV_MASK(TH_EV_TRADE)},
        {"quote", TH_EV_MASK(TH_EV_QUOTE)},
        {"book", TH_EV_MASK(TH_EV_BOOK_SNAPSHOT) | TH_EV_MASK(TH_EV_BOOK_DELTA)}};
    const toml::array* arr = v.from_default ? nullptr : t.get_as<toml::array>("events");
    n.event_mask = 0;
    for (size_t i = 0; i < v.list.size(); ++i) {
      auto it = known.find(v.list[i]);
      if (it == known.end()) {
        add(arr ? doc_.pos(*arr->get(i)) : v.pos,
            fmt::format("unknown event \"{}\" in 'events' of {}; events: bar, trade, quote, book", v.list[i], where));
        continue;
      }
      n.event_mask |= it->second;
    }
    if (!v.list.empty() && n.event_mask == 0) n.event_mask = TH_EV_MASK(TH_EV_BAR);
  }

  void read_timeframe(const Value& v, const std::string& where, Node& n) {
    n.timeframe = v.str;
    n.timeframe_ns = v.i64;
    if (v.i64 <= 0)
      add(v.pos, fmt::format("'timeframe' in {} must be longer than 0, e.g. \"1m\"", where));
  }

  void read_topics(const toml::table& t, const Value& v, const std::string& where, Node& n) {
    const toml::array* arr = v.from_default ? nullptr : t.get_as<toml::array>("on");
    const std::vector<std::string>& topics = notifier_topics();
    for (size_t i = 0; i < v.list.size(); ++i) {
      if (std::find(topics.begin(), topics.end(), v.list[i]) != topics.end()) continue;
      add(arr ? doc_.pos(*arr->get(i)) : v.pos,
          fmt::format("unknown topic \"{}\" in 'on' of {}; topics: {}", v.list[i], where,
                      fmt::join(topics, ", ")));
    }
    n.on = v.list;
  }

  void check_connector_references(const Graph& g) {
    std::vector<std::string> declared;
    for (const Node& c : g.connectors) {
      if (!c.name.empty() && std::find(declared.begin(), declared.end(), c.name) == declared.end())
        declared.push_back(c.name);
    }
    for (const Node& s : g.strategies) {
      if (!s.key_pos.count("connector")) continue;  // missing: already reported
      if (std::find(declared.begin(), declared.end(), s.connector) != declared.end()) continue;
      const std::string who = s.name.empty() ? "a [[strategy]]" : "[[strategy]] '" + s.name + "'";
      if (declared.empty()) {
        add(s.where("connector"),
            fmt::format("{} uses connector '{}', but no [[connector]] is declared", who,
                        s.connector));
      } else {
        add(s.where("connector"),
            fmt::format("{} uses connector '{}', which is not declared; declared connectors: {}",
                        who, s.connector, fmt::join(declared, ", ")));
      }
    }
  }

  const Document& doc_;
  const SchemaLookup& lookup_;
  Diagnostics diag_;
  std::set<std::string> reported_reserved_;
};

}  // namespace

void validate_graph(Graph& g, const SchemaLookup& lookup) {
  if (!g.document) throw std::logic_error("validate_graph: the graph does not come from parse_graph");
  Validator v(*g.document, lookup);
  v.run(g);
  v.diagnostics().raise_if_any();
}

const std::vector<FieldSpec>& host_fields(int kind) {
  static const std::vector<FieldSpec> none;
  for (const Section& s : sections())
    if (s.kind == kind) return s.host_fields;
  return none;
}

}  // namespace tradehost::graph
