// Crash points: how the recovery tests kill the host at an exact point of an order's life.
//
// TRADEHOST_CRASH_AT="<point>[@<n>]" or "<point>:<match>[@<n>]" makes the process kill itself with
// SIGKILL (no destructor, no flush, no journal commit beyond what is already durable: what a power
// cut or the OOM killer does) the n-th time (default 1st) it reaches <point> with a detail text
// containing <match>. Points:
//   after_journal  an approved order is durably journaled PENDING_NEW; the connector has not
//                  been asked to send it (detail: the client order id)
//   http_written   the host's HTTP client has written a request and not read the answer
//                  (detail: "METHOD target", e.g. "POST /api/v3/order?symbol=...")
//   after_fill     a venue fill was applied and journaled (detail: the client order id)
// Without the variable every call is one branch on a static flag. It exists for the crash
// recovery tests and the soak test (tests/integration/crash_recovery_test.cpp); docs/operations.md
// warns not to set it on a real bot.
#pragma once

#include <string_view>

namespace tradehost::fault {

/// True when TRADEHOST_CRASH_AT is set: callers whose detail text costs something to build (an
/// allocation on a hot path) build it only then.
bool crash_points_armed() noexcept;

/// Kills the process with SIGKILL when TRADEHOST_CRASH_AT names `point` (and `detail` contains its
/// match) and this is the n-th such hit. Thread-safe; never returns when it fires.
void crash_point(std::string_view point, std::string_view detail = {}) noexcept;

}  // namespace tradehost::fault
