// The `max_position` risk rule: caps the position an order may leave in its instrument, in base
// quantity (max_qty) and in quote notional (max_notional, valued at the order's limit or trigger
// price, else the last market price). Orders that shrink the position always pass.
#include <tradehost/fixed.hpp>
#include <tradehost/plugin.hpp>

#include <string>

namespace {

using tradehost::Context;
using tradehost::Error;
using tradehost::Field;

class MaxPosition : public tradehost::RiskRule {
 public:
  static constexpr int kind = TH_KIND_RISK;
  static constexpr const char* type_name = "max_position";
  static constexpr const char* description =
      "Rejects orders that would leave a position above max_qty (base) or max_notional (quote)";

  static std::vector<Field> config() {
    return {
        Field{"max_qty", TH_CFG_DECIMAL, "\"0\"", "largest absolute position; 0 = no limit"}.with_unit("base currency"),
        Field{"max_notional", TH_CFG_DECIMAL, "\"0\"", "largest absolute position value; 0 = no limit"}.with_unit("quote currency"),
    };
  }

  explicit MaxPosition(Context ctx) : RiskRule(ctx), max_qty_text_(ctx.str("max_qty")) {
    std::string err;
    if (!tradehost::parse_fixed(ctx.str("max_notional"), TH_MONEY_SCALE, max_notional_, &err))
      throw Error(TH_ERR_INVALID_ARG, "max_notional: " + err);
    int64_t probe = 0;
    if (!tradehost::parse_fixed(max_qty_text_, 18, probe, &err) && !tradehost::parse_fixed(max_qty_text_, 8, probe, &err))
      throw Error(TH_ERR_INVALID_ARG, "max_qty: " + err);
    if (max_notional_ < 0 || probe < 0) throw Error(TH_ERR_INVALID_ARG, "limits must not be negative");
    if (max_notional_ == 0 && probe == 0) throw Error(TH_ERR_INVALID_ARG, "set max_qty, max_notional or both");
  }

  std::string check(const th_order_request& req) override {
    const th_instrument* inst = ctx_.instrument(req.instrument);
    if (!inst) return "unknown instrument";
    th_position_info pos{};
    pos.struct_size = sizeof pos;
    if (ctx_.host()->position(ctx_.self(), req.instrument, &pos) != TH_OK) return "no position information";
    const int64_t after = pos.qty + (req.side == TH_SIDE_BUY ? req.qty : -req.qty);
    const int64_t abs_after = after < 0 ? -after : after;
    const int64_t abs_before = pos.qty < 0 ? -pos.qty : pos.qty;
    if (abs_after <= abs_before) return {};  // risk-reducing
    int64_t max_qty = 0;
    if (!tradehost::parse_fixed(max_qty_text_, inst->qty_scale, max_qty, nullptr, tradehost::Rounding::Down))
      return "max_qty does not fit the instrument's quantity scale";
    const std::string q = tradehost::format_fixed_trimmed(abs_after, inst->qty_scale);
    if (max_qty > 0 && abs_after > max_qty)
      return "position would be " + q + " " + std::string(tradehost::to_sv(inst->base)) + ", above max_qty " + max_qty_text_;
    if (max_notional_ > 0) {
      int64_t px = req.type == TH_ORD_LIMIT ? req.price : req.type == TH_ORD_MARKET ? 0 : req.trigger_price;
      if (px <= 0 && ctx_.host()->last_price(ctx_.self(), req.instrument, &px) != TH_OK) return "no market price to value the position";
      int64_t notional = 0;
      if (!tradehost::notional(px, inst->price_scale, abs_after, inst->qty_scale, TH_MONEY_SCALE, tradehost::Rounding::Ceil, notional))
        return "position value overflows";
      if (notional > max_notional_)
        return "position value would be " + tradehost::format_fixed_trimmed(notional, TH_MONEY_SCALE) + " " +
               std::string(tradehost::to_sv(inst->quote)) + ", above max_notional " +
               tradehost::format_fixed_trimmed(max_notional_, TH_MONEY_SCALE);
    }
    return {};
  }

 private:
  std::string max_qty_text_;
  int64_t max_notional_ = 0;
};

}  // namespace

TH_DECLARE_PLUGIN("max_position", "1.0.0", "tradehost-max-position-1", MaxPosition)
