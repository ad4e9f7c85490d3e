// Order validation as a plugin author meets it: host->submit_order refuses a malformed request
// with TH_ERR_INVALID_ARG and a reason naming the problem, journals it in `rejections` with rule
// "validation", creates no order for it, and still accepts (and the simulator fills) a valid order
// submitted right after. The requests come from the fixture strategy abi_bad_orders
// (fixtures/bad_orders.cpp), which records each returned status and reason as a decision.
#include "backtest_harness.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace {

namespace abi = tradehost::abi_test;
namespace fs = std::filesystem;

const char* const kStrategy =
    "[[strategy]]\nname = \"bad\"\ntype = \"abi_bad_orders\"\nconnector = \"history\"\n"
    "instruments = [\"BTC/USDT\"]\ntimeframe = \"5m\"\nlots = 100\n";

#define EXPECT_HAS(text, part) EXPECT_NE((text).find(part), std::string::npos) << "\"" << (text) << "\" lacks \"" << (part) << "\""

/// Field `i` (0-based) of a CSV row.
std::string csv_field(const std::string& row, size_t i) {
  size_t start = 0;
  for (size_t k = 0; k < i; ++k) start = row.find(',', start) + 1;
  return row.substr(start, row.find(',', start) - start);
}

/// The same run as abi::Backtest, but with a chosen tick size: with tick_size "0.01" the replay
/// connector uses price_scale 2 and a raw tick of 1, so no raw price is off the tick; "0.05"
/// (which every price in the bundled file, all at 0.1 steps, respects) gives a raw tick of 5.
class TickBacktest {
 public:
  explicit TickBacktest(const std::string& tick_size) : registry_(tradehost::engine::host_api()) {
    for (const auto& problem : registry_.load_directories({TH_PLUGIN_DIR}))
      throw std::runtime_error("real plugin refused: " + problem);
    if (std::string err = registry_.load_file(TH_ABI_FIXTURE_BAD_ORDERS); !err.empty())
      throw std::runtime_error("fixture refused: " + err);
    const fs::path config = dir_.path() / "bot.toml";
    std::ofstream(config) << "[bot]\nname = \"abi\"\nmode = \"backtest\"\ninitial_cash = \"10000\"\n"
                             "maker_fee_bps = 10\ntaker_fee_bps = 10\nslippage_bps = 0\n"
                             "state = \"var/abi.sqlite\"\nout = \"out\"\n\n"
                             "[[connector]]\nname = \"history\"\ntype = \"replay\"\nfiles = [\""
                          << abi::candle_file().string()
                          << "\"]\nsymbol = \"BTC/USDT\"\ntick_size = \"" << tick_size
                          << "\"\nlot_size = \"0.00001\"\n\n"
                          << kStrategy;
    graph_ = tradehost::graph::parse_graph(config);
    tradehost::graph::validate_graph(graph_, registry_.schema_lookup());
  }
  tradehost::engine::RunResult run() {
    tradehost::engine::RunOptions ro;
    ro.out_dir = dir_.path() / "out";
    ro.state_path = state_path();
    ro.progress = false;
    ro.print_summary = false;
    tradehost::engine::Engine eng(graph_, registry_, ro);
    return eng.run();
  }
  fs::path state_path() const { return dir_.path() / "state.sqlite"; }

 private:
  abi::ScratchDir dir_;
  tradehost::loader::PluginRegistry registry_;
  tradehost::graph::Graph graph_;
};

struct Invalid {
  const char* label;
  std::vector<std::string> fragments;  // each must appear in the returned reason
  const char* instrument;              // as the rejections row names it
};

// In submission order (fixtures/bad_orders.cpp). Expected wording from plugin.h's contract for
// submit_order ("qty <= 0, off the lot size, price off the tick size") and the request itself.
const std::vector<Invalid> kInvalid = {
    {"qty_zero", {"quantity 0 ", "must be positive"}, "BTC/USDT"},
    {"qty_negative", {"quantity -0.00000001 ", "must be positive"}, "BTC/USDT"},
    {"qty_off_lot", {"quantity 0.00100001 ", "lot size 0.00001"}, "BTC/USDT"},
    {"price_off_tick", {"price ", "tick size"}, "BTC/USDT"},
    {"price_zero", {"price 0 ", "must be positive"}, "BTC/USDT"},
    {"stop_no_trigger", {"trigger price 0 ", "must be positive"}, "BTC/USDT"},
    {"unknown_instr", {"unknown instrument", "9999"}, "#9999"},
    {"side_three", {"side 3"}, "BTC/USDT"},
};

/// Everything the run must show. `tick_case` says whether the instrument can express a price off
/// its tick (otherwise the fixture skips that case and it is checked separately).
void check_validation_run(const fs::path& state, bool tick_case) {
  const auto rows = abi::csv_rows(abi::candle_file());
  ASSERT_GE(rows.size(), 2u);
  const int64_t first_bar_close_ns = (std::stoll(csv_field(rows[0], 0)) + 5 * 60 * 1000) * 1'000'000;
  const int64_t second_open_ns = std::stoll(csv_field(rows[1], 0)) * 1'000'000;
  const double second_open = std::stod(csv_field(rows[1], 1));

  abi::StateDb db(state);
  ASSERT_EQ(db.rows("SELECT status FROM runs")[0][0], "completed");

  auto result = [&](const std::string& label) {
    auto r = db.rows("SELECT json_extract(inputs_json, '$.status'), json_extract(inputs_json, '$.reason'), "
                     "json_extract(inputs_json, '$.order_id') FROM decisions WHERE strategy = 'bad' AND reason = 'result " +
                     label + "'");
    if (r.size() != 1) throw std::runtime_error("no single result decision for " + label);
    return r[0];
  };

  const auto rejections =
      db.rows("SELECT strategy, instrument, rule, reason, ts_ns FROM rejections ORDER BY rejection_id");
  size_t next_rejection = 0;
  for (const Invalid& c : kInvalid) {
    SCOPED_TRACE(c.label);
    if (std::string(c.label) == "price_off_tick" && !tick_case) continue;
    const auto r = result(c.label);
    EXPECT_EQ(r[0], "1") << "status (TH_ERR_INVALID_ARG = 1); reason: " << r[1];
    for (const auto& f : c.fragments) EXPECT_HAS(r[1], f);
    EXPECT_EQ(r[2], "0");  // no order id
    // One rejection row per refusal, in submission order, with the same reason.
    ASSERT_LT(next_rejection, rejections.size());
    const auto& rej = rejections[next_rejection++];
    EXPECT_EQ(rej[0], "bad");
    EXPECT_EQ(rej[1], c.instrument);
    EXPECT_EQ(rej[2], "validation");
    EXPECT_EQ(rej[3], r[1]);
    EXPECT_EQ(std::stoll(rej[4]), first_bar_close_ns);  // the loop clock of the first bar
    // The decision recorded before the submit carries the verdict and no order.
    const auto d = db.rows("SELECT risk_verdict, order_id FROM decisions WHERE strategy = 'bad' AND reason = 'case " +
                           std::string(c.label) + "'");
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0][0], "rejected: validation: " + r[1]);
    EXPECT_EQ(d[0][1], "<null>");
  }
  EXPECT_EQ(next_rejection, rejections.size()) << "a rejection row no invalid request explains";

  // The valid market buy: accepted, the only order of the run, filled at the next bar's open
  // (slippage 0) with a 10 bps taker fee.
  const auto valid = result("valid");
  EXPECT_EQ(valid[0], "0") << valid[1];
  EXPECT_EQ(valid[1], "");
  const auto orders = db.rows("SELECT order_id, side, type, qty, state FROM orders");
  ASSERT_EQ(orders.size(), 1u) << "an invalid request left an order row";
  EXPECT_EQ(orders[0][0], valid[2]);
  EXPECT_EQ(orders[0][1], "buy");
  EXPECT_EQ(orders[0][2], "market");
  EXPECT_EQ(orders[0][3], "0.001");
  EXPECT_EQ(orders[0][4], "FILLED");
  EXPECT_EQ(db.integer("SELECT count(*) FROM order_events WHERE order_id != " + valid[2]), 0);
  const auto vd = db.rows("SELECT risk_verdict, order_id FROM decisions WHERE strategy = 'bad' AND reason = 'case valid'");
  ASSERT_EQ(vd.size(), 1u);
  EXPECT_EQ(vd[0][0], "approved");
  EXPECT_EQ(vd[0][1], valid[2]);

  const auto fills = db.rows("SELECT order_id, ts_ns, side, price, qty, fee, liquidity FROM fills");
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(fills[0][0], valid[2]);
  EXPECT_EQ(std::stoll(fills[0][1]), second_open_ns);
  EXPECT_EQ(fills[0][2], "buy");
  EXPECT_EQ(std::stod(fills[0][3]), second_open) << "fill price " << fills[0][3] << ", second row: " << rows[1];
  EXPECT_EQ(fills[0][4], "0.001");
  EXPECT_NEAR(std::stod(fills[0][5]), second_open * 0.001 * 0.0010, 1e-8);  // qty * price * 10 bps
  EXPECT_EQ(fills[0][6], "taker");
}

TEST(Validation, MalformedRequestsAreRefusedJournaledAndCreateNoOrder) {
  abi::Backtest bt(kStrategy, {TH_ABI_FIXTURE_BAD_ORDERS});
  const auto run = bt.run();
  ASSERT_EQ(run.status, "completed") << run.error;
  check_validation_run(bt.state_path(), /*tick_case=*/false);

  // tick_size "0.01" is price_scale 2 with a raw tick of 1: no raw price is off it, so the
  // fixture could not submit that case (checked with a coarser tick below).
  abi::StateDb db(bt.state_path());
  const auto skipped = db.rows(
      "SELECT json_extract(inputs_json, '$.status'), json_extract(inputs_json, '$.reason') FROM decisions "
      "WHERE reason = 'result price_off_tick'");
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_EQ(skipped[0][0], "-1");
  EXPECT_HAS(skipped[0][1], "tick_size is 1 raw unit at price_scale 2");
}

TEST(Validation, LimitPriceOffTheTickSizeIsRefused) {
  TickBacktest bt("0.05");
  const auto run = bt.run();
  ASSERT_EQ(run.status, "completed") << run.error;
  check_validation_run(bt.state_path(), /*tick_case=*/true);

  // The price was the first bar's close plus one raw unit (0.01): named, with the tick size.
  const auto rows = abi::csv_rows(abi::candle_file());
  const double off = std::stod(csv_field(rows[0], 4)) + 0.01;
  abi::StateDb db(bt.state_path());
  const auto r = db.rows("SELECT json_extract(inputs_json, '$.reason') FROM decisions WHERE reason = 'result price_off_tick'");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_HAS(r[0][0], "multiple of the tick size 0.05");
  const std::string price = r[0][0].substr(6, r[0][0].find(' ', 6) - 6);  // "price <p> must ..."
  EXPECT_NEAR(std::stod(price), off, 1e-9) << r[0][0];
}

// The rejections row is the audit record of what the strategy asked for. A request with side 3
// (neither buy nor sell) must not be journaled as a sell.
TEST(Validation, RejectionRowDoesNotRecordAnInvalidSideAsSell) {
  abi::Backtest bt(kStrategy, {TH_ABI_FIXTURE_BAD_ORDERS});
  const auto run = bt.run();
  ASSERT_EQ(run.status, "completed") << run.error;
  abi::StateDb db(bt.state_path());
  const auto r = db.rows("SELECT order_json FROM rejections WHERE reason LIKE 'side 3%'");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0][0].find("\"side\":\"sell\""), std::string::npos) << r[0][0];
  EXPECT_EQ(r[0][0].find("\"side\":\"buy\""), std::string::npos) << r[0][0];
}

}  // namespace
