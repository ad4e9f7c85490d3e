// The kill switch: one per bot, three states from least to most strict.
//
//   ACTIVE    orders pass the risk chain as usual.
//   REDUCING  only orders that shrink a position without flipping it pass.
//   HALTED    no order passes; entering it cancels every open order (and flattens positions when
//             [bot] flatten_on_halt = true).
//
// Any trigger may make it stricter (the control API, the flag file, SIGUSR1/SIGUSR2, a risk rule
// or a notifier through th_host_api.kill_switch). Making it less strict ("resume") takes an
// explicit, authenticated operator action: the control API's POST /v1/resume with the bearer
// token. In paper and live mode the state is persisted in the state database (kill_switch table,
// every transition in kill_switch_events) before it takes effect, so a restarted host comes back
// in the state it left.
#pragma once

#include <tradehost/plugin.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tradehost::engine {

enum class KillState : int32_t { Active = TH_KILL_ACTIVE, Reducing = TH_KILL_REDUCING, Halted = TH_KILL_HALTED };

/// "ACTIVE" | "REDUCING" | "HALTED" (the spelling stored and shown).
std::string_view to_string(KillState s);
/// Inverse of to_string, case-insensitive; also "halt" and "reduce". nullopt otherwise.
std::optional<KillState> parse_kill_state(std::string_view text);

/// What a request does to the switch.
enum class KillVerdict {
  Move,       ///< a transition: persist, audit, notify, act
  Unchanged,  ///< already at least that strict (escalation) or already there (resume)
  Refused,    ///< a less strict state without authentication
};

/// Judges a request to move from `from` to `to`. Escalations (to a stricter state) are allowed
/// from any source; anything less strict only when `authenticated` (a control API resume). An
/// escalation to a state no stricter than `from` is Unchanged, so a repeated trigger (a flag file
/// polled every second, a risk rule breached on every order) is audited once.
KillVerdict judge_kill_request(KillState from, KillState to, bool authenticated);

/// True when an order on `side` (TH_SIDE_*) for `qty` shrinks the position `position_qty` (signed,
/// long > 0, at qty_scale) without flipping it, counting `pending_reducing_qty`: what the open
/// orders on the same side would already take off the position. A flat position has nothing to
/// reduce.
bool reduces_position(int64_t position_qty, int64_t pending_reducing_qty, int32_t side, int64_t qty);

}  // namespace tradehost::engine
