// Severity names as notifier configs and payloads spell them.
#pragma once

#include <tradehost/plugin.h>

#include <string_view>

namespace tradehost::notify {

/// "info" | "warn" | "error" -> TH_SEV_*; 0 for anything else.
inline int32_t severity_from_name(std::string_view name) {
  if (name == "info") return TH_SEV_INFO;
  if (name == "warn") return TH_SEV_WARN;
  if (name == "error") return TH_SEV_ERROR;
  return 0;
}

/// TH_SEV_* -> "info" | "warn" | "error" (an unknown value reads as "info").
inline std::string_view severity_name(int32_t severity) {
  return severity == TH_SEV_ERROR ? "error" : severity == TH_SEV_WARN ? "warn" : "info";
}

}  // namespace tradehost::notify
