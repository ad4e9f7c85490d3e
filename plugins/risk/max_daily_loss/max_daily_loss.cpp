// The `max_daily_loss` risk rule: once the account's loss since 00:00 UTC -- realized and
// unrealized, after fees, i.e. the fall in marked equity from the day's first equity -- exceeds
// max_loss, only risk-reducing orders pass (orders that shrink an open position without
// flipping it) until the next UTC day. With kill_switch = "reducing" or "halted" the breach also
// moves the bot's kill switch (ABI 1.4), which stays there until an operator resumes: the rule's
// own gate lifts at midnight, the kill switch does not.
#include <tradehost/fixed.hpp>
#include <tradehost/plugin.hpp>

#include <string>

namespace {

using tradehost::Context;
using tradehost::Error;
using tradehost::Field;

constexpr int64_t kDayNs = 86'400'000'000'000;

class MaxDailyLoss : public tradehost::RiskRule {
 public:
  static constexpr int kind = TH_KIND_RISK;
  static constexpr const char* type_name = "max_daily_loss";
  static constexpr const char* description =
      "After the loss since 00:00 UTC (realized + unrealized, after fees) exceeds max_loss, only risk-reducing orders pass";

  static std::vector<Field> config() {
    return {Field{"max_loss", TH_CFG_DECIMAL, "", "largest loss per UTC day (> 0)", TH_CFG_REQUIRED}.with_unit("quote currency"),
            Field{"kill_switch", TH_CFG_STR, "\"off\"", "on a breach also move the bot's kill switch: off, reducing or halted"}};
  }

  explicit MaxDailyLoss(Context ctx) : RiskRule(ctx) {
    std::string err;
    if (!tradehost::parse_fixed(ctx.str("max_loss"), TH_MONEY_SCALE, max_loss_, &err))
      throw Error(TH_ERR_INVALID_ARG, "max_loss: " + err);
    if (max_loss_ <= 0) throw Error(TH_ERR_INVALID_ARG, "max_loss must be positive");
    const std::string k = ctx.str("kill_switch");
    if (k == "reducing") kill_to_ = TH_KILL_REDUCING;
    else if (k == "halted") kill_to_ = TH_KILL_HALTED;
    else if (k != "off") throw Error(TH_ERR_INVALID_ARG, "kill_switch must be off, reducing or halted; got " + k);
  }

  void on_event(const th_event& ev) override {
    if (ev.type != TH_EV_BAR && ev.type != TH_EV_FILL) return;
    roll_day(ev.ts_event);
    // With a kill switch to move, the breach is acted on when it happens, not at the next order.
    if (kill_to_ == TH_KILL_ACTIVE) return;
    const int64_t loss = day_start_equity_ - equity_now();
    if (loss > max_loss_) ctx_.kill_switch(kill_to_, breach_text(loss));
  }

  std::string check(const th_order_request& req) override {
    roll_day(ctx_.now());
    const int64_t equity = equity_now();
    const int64_t loss = day_start_equity_ - equity;
    if (loss <= max_loss_) return {};
    const std::string breach = breach_text(loss);
    if (kill_to_ != TH_KILL_ACTIVE && !ctx_.kill_switch(kill_to_, breach))
      ctx_.warn("the host did not take the kill switch request (older than ABI 1.4?)");
    th_position_info pos{};
    pos.struct_size = sizeof pos;
    if (ctx_.host()->position(ctx_.self(), req.instrument, &pos) != TH_OK) return "no position information";
    const bool reducing = (pos.qty > 0 && req.side == TH_SIDE_SELL && req.qty <= pos.qty) ||
                          (pos.qty < 0 && req.side == TH_SIDE_BUY && req.qty <= -pos.qty);
    if (reducing) return {};
    return breach + "; only risk-reducing orders pass";
  }

 private:
  std::string breach_text(int64_t loss) const {
    return "daily loss " + tradehost::format_fixed_trimmed(loss, TH_MONEY_SCALE) + " exceeds max_loss " +
           tradehost::format_fixed_trimmed(max_loss_, TH_MONEY_SCALE) + " since 00:00 UTC";
  }
  int64_t equity_now() const {
    th_account_info a{};
    a.struct_size = sizeof a;
    if (ctx_.host()->account(ctx_.self(), &a) != TH_OK) throw Error(TH_ERR_INTERNAL, "no account information");
    return a.equity;
  }
  void roll_day(th_time_ns ts) {
    const int64_t day = ts >= 0 ? ts / kDayNs : (ts - kDayNs + 1) / kDayNs;
    if (day == day_) return;
    // The first observation of a UTC day: equity as it stands when the day begins.
    day_ = day;
    day_start_equity_ = equity_now();
  }

  int64_t max_loss_ = 0;
  int32_t kill_to_ = TH_KILL_ACTIVE;
  int64_t day_ = INT64_MIN;
  int64_t day_start_equity_ = 0;
};

}  // namespace

TH_DECLARE_PLUGIN("max_daily_loss", "1.0.0", "tradehost-max-daily-loss-1", MaxDailyLoss)
