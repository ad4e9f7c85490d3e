// `tradehost plugins schema TYPE`: the TOML table a component type accepts, ready to paste into a
// bot config.
#pragma once

#include "loader/plugin_registry.hpp"

#include <string>

namespace tradehost::cli {

/// A TOML snippet for one component type: comment lines naming the type and the library, the
/// table header by kind ("[[strategy]]", "[[connector]]", "[[risk]]", "[[notifier]]"), `name`
/// (a placeholder: the type name) and `type`, then every other key the host reads for that kind
/// (graph::host_fields) and every key the component declared, in declaration order. A key with a
/// default is written with it; a required key, a key without a default and every secret key is
/// a commented-out placeholder of its type (a secret's declared default is never shown). Each
/// key's line ends in a comment with its type, unit, required/secret and description.
/// The text parses as TOML; with the required keys filled in, it passes validate_graph.
std::string toml_snippet(const loader::ComponentInfo& component);

}  // namespace tradehost::cli
