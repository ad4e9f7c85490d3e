#include "graph/env_interpolation.hpp"

#include <cstdlib>

namespace tradehost::graph {
namespace {

bool is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

std::optional<std::string> process_env(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

}  // namespace

Expanded expand_env(std::string_view text, const EnvLookup& env) {
  Expanded out;
  out.text.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      out.text += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out.text += text[i++];
      continue;
    }
    const size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      return {{}, "unterminated ${ (write ${NAME}, or $${ for a literal ${)"};
    }
    const std::string name(text.substr(i + 2, close - i - 2));
    bool valid = !name.empty() && is_name_start(name[0]);
    for (char c : name) valid = valid && is_name_char(c);
    if (!valid) {
      return {{},
              "invalid environment variable name in ${...}: use letters, digits and '_', not "
              "starting with a digit (or write $${ for a literal ${)"};
    }
    const std::optional<std::string> value = env ? env(name) : process_env(name);
    if (!value) return {{}, "environment variable " + name + " is not set"};
    out.text += *value;
    i = close + 1;
  }
  return out;
}

}  // namespace tradehost::graph
