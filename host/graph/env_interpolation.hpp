// ${NAME} interpolation of TOML string values from the process environment.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace tradehost::graph {

/// Result of expand_env: the expanded text, or an error message (text is then empty).
struct Expanded {
  std::string text;
  std::string error;  ///< "" on success; never contains the input text (it may be a secret)
  bool ok() const { return error.empty(); }
};

/// Returns the value of an environment variable, or nullopt when it is not set.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

/// Replaces every `${NAME}` in `text` by the variable's value (NAME: a letter or '_', then
/// letters, digits or '_'); `$${` stands for a literal `${`; any other '$' is kept as is.
/// Errors: "environment variable NAME is not set", an unterminated `${`, or an invalid NAME.
/// The expansion is not recursive: a value containing `${` is kept verbatim.
/// `env` defaults to std::getenv.
Expanded expand_env(std::string_view text, const EnvLookup& env = {});

}  // namespace tradehost::graph
