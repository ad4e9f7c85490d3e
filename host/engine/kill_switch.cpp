#include "engine/kill_switch.hpp"

#include <algorithm>
#include <cctype>

namespace tradehost::engine {

std::string_view to_string(KillState s) {
  switch (s) {
    case KillState::Active:
      return "ACTIVE";
    case KillState::Reducing:
      return "REDUCING";
    case KillState::Halted:
      return "HALTED";
  }
  return "ACTIVE";
}

std::optional<KillState> parse_kill_state(std::string_view text) {
  std::string t(text);
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (t == "active") return KillState::Active;
  if (t == "reducing" || t == "reduce") return KillState::Reducing;
  if (t == "halted" || t == "halt") return KillState::Halted;
  return std::nullopt;
}

KillVerdict judge_kill_request(KillState from, KillState to, bool authenticated) {
  if (to == from) return KillVerdict::Unchanged;
  if (to > from) return KillVerdict::Move;
  return authenticated ? KillVerdict::Move : KillVerdict::Refused;
}

bool reduces_position(int64_t position_qty, int64_t pending_reducing_qty, int32_t side, int64_t qty) {
  if (qty <= 0 || position_qty == 0) return false;
  const bool opposite = (position_qty > 0 && side == TH_SIDE_SELL) || (position_qty < 0 && side == TH_SIDE_BUY);
  if (!opposite) return false;
  const int64_t room = (position_qty > 0 ? position_qty : -position_qty) - std::max<int64_t>(0, pending_reducing_qty);
  return qty <= room;
}

}  // namespace tradehost::engine
