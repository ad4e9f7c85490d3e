// The `log` notifier: one line per notification (fill, rejection, error, run summary) through the
// host's log, so it lands wherever the host logs (the terminal by default).
#include <tradehost/plugin.hpp>

#include <string>

namespace {

using tradehost::Context;
using tradehost::Field;

class LogNotifier : public tradehost::Notifier {
 public:
  static constexpr int kind = TH_KIND_NOTIFIER;
  static constexpr const char* type_name = "log";
  static constexpr const char* description = "Writes one line per notification to the host's log";

  static std::vector<Field> config() { return {{"prefix", TH_CFG_STR, "\"notify\"", "text that starts every line"}}; }

  explicit LogNotifier(Context ctx) : Notifier(ctx), prefix_(ctx.str("prefix")) {}

  void notify(int32_t severity, std::string_view topic, std::string_view title, std::string_view body) override {
    std::string line = prefix_ + " topic=" + std::string(topic) + " " + std::string(title);
    if (!body.empty()) line += " | " + std::string(body);
    ctx_.log(severity == TH_SEV_ERROR ? TH_LOG_ERROR : severity == TH_SEV_WARN ? TH_LOG_WARN : TH_LOG_INFO, line);
  }

 private:
  std::string prefix_;
};

}  // namespace

TH_DECLARE_PLUGIN("log", "1.0.0", "tradehost-log-notifier-1", LogNotifier)
