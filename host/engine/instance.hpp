// The host's side of the opaque th_instance handle: one configured graph node.
#pragma once

#include "graph/graph.hpp"
#include "loader/plugin_registry.hpp"
#include "store/rows.hpp"

#include <tradehost/plugin.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tradehost::engine {
class Engine;
}

struct th_instance {
  tradehost::engine::Engine* engine = nullptr;
  const tradehost::loader::ComponentInfo* component = nullptr;
  const tradehost::graph::Node* node = nullptr;
  void* state = nullptr;          // the plugin's, from create()
  int kind = 0;                   // TH_KIND_*
  uint32_t index = 0;             // position within its kind, in graph order
  std::string name;               // node name
  bool created = false, started = false;
  bool failed = false;            // a callback failed: strategies are stopped, risk rules fail closed
  std::string failure;

  // ABI 1.2: the credential store entry named by the component's TH_CFG_CREDENTIAL key ("" =
  // none), and its api key as last handed out (credential_api_key returns a view of it).
  std::string credential;
  std::string credential_api_key;

  // Connectors: the last TH_EV_STATUS code and message (live sources report READY when their
  // instruments are defined)
  int32_t connector_status = 0;
  std::string connector_message;

  // Strategies
  uint32_t connector = 0;                       // index into the engine's connectors
  std::vector<th_instrument_id> instruments;    // resolved from node->instruments
  // The decision recorded in the current callback: written once, when the order it leads to (or
  // its rejection) is known, or when the callback returns.
  std::optional<tradehost::store::DecisionRow> pending_decision;

  // Risk rules: the last reason, copied (valid until the next check)
  std::string last_reason;
};
