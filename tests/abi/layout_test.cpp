// Test 1: the layout of every boundary struct in plugin.h on x86_64 Linux, pinned to the values
// worked out by hand in abi_layout_pins.h (the C99 fixture checks the same table with gcc), and
// the wire values of the constants. A change here is an ABI break: plugin.h says append-only.
#include <tradehost/plugin.h>

#include <gtest/gtest.h>

#include <cstddef>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "abi_layout_pins.h"

#if !defined(__x86_64__) || !defined(__linux__)
#error "the layout pins are for x86_64 Linux (System V ABI)"
#endif

#define TH_STATIC_SIZE(T, size, align)                          \
  static_assert(sizeof(T) == (size), "sizeof(" #T ") moved");   \
  static_assert(alignof(T) == (align), "alignof(" #T ") moved");
#define TH_STATIC_OFFSET(T, member, offset) \
  static_assert(offsetof(T, member) == (offset), "offsetof(" #T ", " #member ") moved");
TH_ABI_SIZE_PINS(TH_STATIC_SIZE)
TH_ABI_OFFSET_PINS(TH_STATIC_OFFSET)

static_assert(std::is_same_v<decltype(&th_plugin_entry), th_plugin_entry_fn>,
              "th_plugin_entry and th_plugin_entry_fn disagree");

namespace {

struct SizePin {
  const char* type;
  size_t actual, expected, actual_align, expected_align;
};
struct OffsetPin {
  const char* type;
  const char* member;
  size_t actual, member_size, expected;
};

#define TH_SIZE_ROW(T, size, align) SizePin{#T, sizeof(T), size, alignof(T), align},
#define TH_OFFSET_ROW(T, member, offset) OffsetPin{#T, #member, offsetof(T, member), sizeof(((T*)nullptr)->member), offset},
const std::vector<SizePin> kSizes = {TH_ABI_SIZE_PINS(TH_SIZE_ROW)};
const std::vector<OffsetPin> kOffsets = {TH_ABI_OFFSET_PINS(TH_OFFSET_ROW)};

TEST(Layout, EveryBoundaryStructHasItsHandComputedSizeAndOffsets) {
  for (const auto& s : kSizes) {
    EXPECT_EQ(s.actual, s.expected) << "sizeof(" << s.type << ")";
    EXPECT_EQ(s.actual_align, s.expected_align) << "alignof(" << s.type << ")";
  }
  for (const auto& o : kOffsets) EXPECT_EQ(o.actual, o.expected) << "offsetof(" << o.type << ", " << o.member << ")";
}

// The pins cover every byte: within each struct the pinned members follow each other with no gap
// (no implicit padding, no member left unpinned) and the last one ends at sizeof. So a member
// added to plugin.h without a pin here fails this test.
TEST(Layout, PinnedMembersTileEachStructWithoutGaps) {
  std::map<std::string, size_t> size_of;
  for (const auto& s : kSizes) size_of[s.type] = s.expected;
  std::map<std::string, size_t> end_of;
  for (const auto& o : kOffsets) {
    ASSERT_TRUE(size_of.count(o.type)) << o.type << " has offsets but no size pin";
    const size_t expected_start = end_of.count(o.type) ? end_of[o.type] : 0;
    EXPECT_EQ(o.expected, expected_start) << o.type << "." << o.member << " does not start where the previous member ended";
    end_of[o.type] = o.expected + o.member_size;
  }
  for (const auto& [type, size] : size_of) {
    ASSERT_TRUE(end_of.count(type)) << type << " has no member pins";
    EXPECT_EQ(end_of[type], size) << type << ": the pinned members do not reach sizeof";
  }
  // The list in the task: every boundary struct of plugin.h.
  for (const char* t : {"th_str", "th_bytes", "th_instrument", "th_event", "th_ev_bar", "th_ev_trade", "th_ev_quote", "th_ev_order",
                        "th_ev_fill", "th_ev_position", "th_ev_balance", "th_ev_status", "th_order_request", "th_order",
                        "th_position_info", "th_account_info", "th_config_field", "th_host_api", "th_connector_ops",
                        "th_strategy_ops", "th_risk_ops", "th_notifier_ops", "th_component", "th_plugin_info"})
    EXPECT_TRUE(size_of.count(t)) << t << " is not pinned";
}

// Every struct plugin.h defines has pins: the typedef'd struct names are read from the header's
// text, so a struct added to plugin.h without a line in abi_layout_pins.h fails here.
TEST(Layout, EveryStructInPluginHIsPinned) {
  std::ifstream in(TH_SOURCE_DIR "/sdk/include/tradehost/plugin.h");
  ASSERT_TRUE(in) << "cannot read plugin.h";
  std::stringstream text;
  text << in.rdbuf();
  const std::string header = text.str();
  std::set<std::string> declared;
  const std::regex struct_def(R"(typedef\s+struct\s+(th_\w+)\s*\{)");
  for (auto it = std::sregex_iterator(header.begin(), header.end(), struct_def); it != std::sregex_iterator(); ++it)
    declared.insert((*it)[1].str());
  // 28 structs as of ABI 1.3 (1.1's 24, 1.2's th_http_request and th_http_response, 1.3's
  // th_book_level and th_ev_book), counted by hand in plugin.h.
  EXPECT_EQ(declared.size(), 28u);
  std::set<std::string> pinned;
  for (const auto& s : kSizes) pinned.insert(s.type);
  EXPECT_EQ(declared, pinned);
}

// ABI 1.1 appended exactly one th_str to th_config_field and changed nothing before it: the 1.0
// pins (checked against the frozen header by fixtures/v1_0_layout_check.c) still hold, and the
// size grew by sizeof(th_str) = 16, with `unit` where 1.0's struct ended.
#define TH_V10_OFFSET_STILL(T, member, offset) EXPECT_EQ(offsetof(T, member), size_t{offset}) << #member;
TEST(Layout, ConfigFieldGrewByExactlyTheAppendedUnit) {
  TH_ABI_V1_0_CONFIG_FIELD_OFFSET_PINS(TH_V10_OFFSET_STILL)
  EXPECT_EQ(sizeof(th_config_field), size_t{TH_ABI_V1_0_CONFIG_FIELD_SIZE} + 16);
  EXPECT_EQ(sizeof(th_str), 16u);
  EXPECT_EQ(offsetof(th_config_field, unit), size_t{TH_ABI_V1_0_CONFIG_FIELD_SIZE});
  EXPECT_EQ(offsetof(th_config_field, unit) + sizeof(th_str), sizeof(th_config_field));
}

// The size a 1.0/1.1 writer of th_component reports is offsetof(ops) + sizeof(void*): ops was
// last there. ABI 1.2 appended exactly two callbacks after it, and th_host_api eight services
// after post, so an older plugin's smaller structs end where the new members begin.
TEST(Layout, ComponentAndHostApiGrewOnlyAtTheirEnds) {
  EXPECT_EQ(offsetof(th_component, ops) + sizeof(void*), 112u);
  EXPECT_EQ(offsetof(th_component, on_http), 112u);
  EXPECT_EQ(sizeof(th_component), offsetof(th_component, on_ws) + sizeof(void*));
  EXPECT_EQ(offsetof(th_host_api, post) + sizeof(void*), 184u);
  EXPECT_EQ(offsetof(th_host_api, http_request), 184u);
  EXPECT_EQ(offsetof(th_host_api, sign) + sizeof(void*), 248u);
}

// ABI 1.4 appended exactly two services, kill_switch and kill_state, after sign (where 1.2-1.3
// ended).
TEST(Layout, HostApiGrewOnlyAtItsEndIn1_4) {
  EXPECT_EQ(offsetof(th_host_api, kill_switch), 248u);
  EXPECT_EQ(offsetof(th_host_api, kill_state), 256u);
  EXPECT_EQ(sizeof(th_host_api), offsetof(th_host_api, kill_state) + sizeof(void*));
  EXPECT_EQ(TH_KILL_ACTIVE, 0);
  EXPECT_EQ(TH_KILL_REDUCING, 1);
  EXPECT_EQ(TH_KILL_HALTED, 2);
}

// ABI 1.3 appended exactly one operation, query, after replay_extent (where 1.0-1.2 ended).
TEST(Layout, ConnectorOpsGrewOnlyAtItsEnd) {
  EXPECT_EQ(offsetof(th_connector_ops, replay_extent) + sizeof(void*), 64u);
  EXPECT_EQ(offsetof(th_connector_ops, query), 64u);
  EXPECT_EQ(sizeof(th_connector_ops), offsetof(th_connector_ops, query) + sizeof(void*));
}

// Wire values: plugin.h says status codes and enums are never renumbered.
TEST(Layout, WireConstantsKeepTheirValues) {
  EXPECT_EQ(TH_ABI_VERSION, 0x00010004u);  // major 1 << 16 | minor 4
  EXPECT_EQ(TH_ABI_MAJOR, 1u);
  EXPECT_EQ(TH_ABI_MINOR, 4u);
  EXPECT_EQ(TH_ABI_VERSION_MAJOR(0x00020003u), 2u);
  EXPECT_EQ(TH_ABI_VERSION_MINOR(0x00020003u), 3u);
  EXPECT_STREQ(TH_PLUGIN_ENTRY_NAME, "th_plugin_entry");
  const int statuses[] = {TH_OK, TH_ERR_INVALID_ARG, TH_ERR_NOT_FOUND, TH_ERR_UNSUPPORTED, TH_ERR_NOT_READY,
                          TH_ERR_REJECTED, TH_ERR_IO, TH_ERR_INTERNAL, TH_ERR_RETRY};
  for (int i = 0; i < 9; ++i) EXPECT_EQ(statuses[i], i);
  EXPECT_EQ(sizeof(th_status), 4u);
  EXPECT_EQ(TH_MONEY_SCALE, 8);
  EXPECT_EQ(TH_EV_TRADE, 1);
  EXPECT_EQ(TH_EV_BAR, 5);
  EXPECT_EQ(TH_EV_INSTRUMENT, 11);
  EXPECT_EQ(TH_EV_MASK(TH_EV_BAR), 32u);
  EXPECT_EQ(TH_ORDER_PENDING_NEW, 1);
  EXPECT_EQ(TH_ORDER_EXPIRED, 7);
  EXPECT_EQ(TH_ORD_MARKET, 1);
  EXPECT_EQ(TH_ORD_TRAILING_STOP, 7);
  EXPECT_EQ(TH_TIF_GTX, 4);
  EXPECT_EQ(TH_OF_POST_ONLY, 2u);
  EXPECT_EQ(TH_SIDE_BUY, 1);
  EXPECT_EQ(TH_SIDE_SELL, 2);
  EXPECT_EQ(TH_CFG_STR, 1);
  EXPECT_EQ(TH_CFG_STR_LIST, 7);
  EXPECT_EQ(TH_CFG_REQUIRED, 1u);
  EXPECT_EQ(TH_CFG_SECRET, 2u);
  EXPECT_EQ(TH_KIND_CONNECTOR, 1);
  EXPECT_EQ(TH_KIND_NOTIFIER, 4);
  EXPECT_EQ(TH_DECISION_HOLD, 3);
  EXPECT_EQ(TH_STATUS_END_OF_DATA, 4);
  EXPECT_EQ(TH_LOG_ERROR, 4);
  EXPECT_EQ(TH_SEV_ERROR, 3);
  EXPECT_EQ(TH_CFG_CREDENTIAL, 4u);
  EXPECT_EQ(TH_HTTP_GET, 1);
  EXPECT_EQ(TH_HTTP_DELETE, 4);
  EXPECT_EQ(TH_HTTP_IDEMPOTENT, 1u);
  EXPECT_EQ(TH_HTTP_NOT_IDEMPOTENT, 2u);
  EXPECT_EQ(TH_HTTP_MAYBE_SENT, 1u);
  EXPECT_EQ(TH_WS_OPENED, 1);
  EXPECT_EQ(TH_WS_MESSAGE, 2);
  EXPECT_EQ(TH_WS_CLOSED, 3);
  EXPECT_EQ(TH_SIGN_HMAC_SHA256_HEX, 1);
  EXPECT_EQ(TH_SIGN_ED25519_BASE64, 3);
}

}  // namespace
