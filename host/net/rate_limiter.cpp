#include "net/rate_limiter.hpp"

#include <boost/asio/post.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace tradehost::net {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::optional<std::string_view> find_header(std::span<const HeaderField> headers, std::string_view name) {
  for (const auto& [n, v] : headers)
    if (iequals(n, name)) return std::string_view(v);
  return std::nullopt;
}

std::optional<int64_t> parse_count(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

}  // namespace

// ---- SlidingWindow ----

void SlidingWindow::expire(time_point now) {
  while (!spends_.empty() && spends_.front().first + interval_ <= now) {
    total_ -= spends_.front().second;
    spends_.pop_front();
  }
}

int64_t SlidingWindow::used(time_point now) {
  expire(now);
  return total_;
}

SlidingWindow::time_point SlidingWindow::admit_at(time_point now, int64_t weight) {
  expire(now);
  int64_t in_window = total_;
  if (in_window + weight <= limit_) return now;
  // Walk the spends oldest first: the window frees each one at its time + interval.
  for (const auto& [at, w] : spends_) {
    in_window -= w;
    if (in_window + weight <= limit_) return at + interval_;
  }
  return now + interval_;  // unreachable while weight <= limit
}

void SlidingWindow::record(time_point now, int64_t weight) {
  if (weight <= 0) return;
  spends_.emplace_back(now, weight);
  total_ += weight;
}

void SlidingWindow::raise_to(time_point now, int64_t reported) {
  const int64_t counted = used(now);
  if (reported > counted) record(now, reported - counted);
}

// ---- RateLimiter ----

RateLimiter::RateLimiter(boost::asio::io_context& io, OnBan on_ban, RateLimiterOptions options)
    : io_(io), on_ban_(std::move(on_ban)), options_(options) {}

RateLimiter::~RateLimiter() {
  *alive_ = false;
  for (auto& [name, v] : venues_) v->timer.cancel();
}

void RateLimiter::define(const BudgetSpec& spec) {
  if (spec.name.empty() || spec.venue.empty())
    throw std::invalid_argument("rate limit budget needs a name and a venue");
  if (spec.limit <= 0 || spec.interval.count() <= 0)
    throw std::invalid_argument(fmt::format("rate limit budget {}: limit and interval must be > 0", spec.name));
  if (auto it = budgets_.find(spec.name); it != budgets_.end()) {
    if (it->second.spec == spec) return;
    throw std::invalid_argument(fmt::format(
        "rate limit budget {} is already defined differently (limit={} interval_ms={} venue={})", spec.name,
        it->second.spec.limit, it->second.spec.interval.count(), it->second.spec.venue));
  }
  budgets_.emplace(spec.name, Budget{spec, SlidingWindow(spec.limit, spec.interval)});
}

RateLimiter::Venue& RateLimiter::venue(std::string_view name) {
  auto it = venues_.find(name);
  if (it == venues_.end()) it = venues_.emplace(std::string(name), std::make_unique<Venue>(io_)).first;
  return *it->second;
}

void RateLimiter::deliver(OnAdmit cb, AdmitStatus status, std::string reason) {
  if (!cb) return;
  boost::asio::post(io_, [cb = std::move(cb), status, reason = std::move(reason)] { cb(status, reason); });
}

RateLimiter::Ticket RateLimiter::acquire(RequestCost cost, OnAdmit on_admit) {
  const Ticket ticket = next_ticket_++;
  if (cost.venue.empty()) {
    deliver(std::move(on_admit), AdmitStatus::admitted, {});
    return ticket;
  }
  Pending pending{ticket, {}, std::move(on_admit)};
  for (const auto& use : cost.budgets) {
    auto it = budgets_.find(use.budget);
    std::string problem;
    if (it == budgets_.end()) problem = fmt::format("unknown rate limit budget {}", use.budget);
    else if (it->second.spec.venue != cost.venue)
      problem = fmt::format("budget {} belongs to venue {}, not {}", use.budget, it->second.spec.venue, cost.venue);
    else if (use.weight < 0 || use.weight > it->second.spec.limit)
      problem = fmt::format("weight {} can never fit budget {} (limit {})", use.weight, use.budget,
                            it->second.spec.limit);
    if (!problem.empty()) {
      deliver(std::move(pending.on_admit), AdmitStatus::invalid, std::move(problem));
      return ticket;
    }
    pending.uses.emplace_back(&it->second, use.weight);
  }
  Venue& v = venue(cost.venue);
  v.queue.push_back(std::move(pending));
  pump(v);
  return ticket;
}

bool RateLimiter::cancel(Ticket ticket) {
  for (auto& [name, v] : venues_) {
    auto& q = v->queue;
    auto it = std::find_if(q.begin(), q.end(), [&](const Pending& p) { return p.ticket == ticket; });
    if (it == q.end()) continue;
    OnAdmit cb = std::move(it->on_admit);
    const bool was_head = it == q.begin();
    q.erase(it);
    deliver(std::move(cb), AdmitStatus::cancelled, "cancelled");
    if (was_head) pump(*v);  // the next one may fit now
    return true;
  }
  return false;
}

void RateLimiter::pump(Venue& v) {
  const auto now = Clock::now();
  while (!v.queue.empty()) {
    if (v.banned) {
      for (auto& p : v.queue) deliver(std::move(p.on_admit), AdmitStatus::banned, v.ban_reason);
      v.queue.clear();
      return;
    }
    Clock::time_point at = now;
    if (v.held_until) {
      if (*v.held_until > now) at = *v.held_until;
      else v.held_until.reset();
    }
    for (auto& [budget, weight] : v.queue.front().uses) at = std::max(at, budget->window.admit_at(now, weight));
    if (at > now) {
      v.timer.expires_at(at);
      v.timer.async_wait([this, alive = std::weak_ptr<bool>(alive_), &v](const boost::system::error_code& ec) {
        auto token = alive.lock();
        if (ec || !token || !*token) return;
        pump(v);
      });
      return;
    }
    Pending head = std::move(v.queue.front());
    v.queue.pop_front();
    for (auto& [budget, weight] : head.uses) budget->window.record(now, weight);
    deliver(std::move(head.on_admit), AdmitStatus::admitted, {});
  }
}

void RateLimiter::on_response(std::string_view venue_name, unsigned status, std::span<const HeaderField> headers) {
  if (venue_name.empty()) return;
  const auto now = Clock::now();
  for (auto& [name, budget] : budgets_) {
    if (budget.spec.venue != venue_name || budget.spec.usage_header.empty()) continue;
    const auto value = find_header(headers, budget.spec.usage_header);
    if (!value) continue;
    if (const auto count = parse_count(*value)) budget.window.raise_to(now, *count);
    else spdlog::warn("rate limit header unreadable venue={} header={} value={}", venue_name, budget.spec.usage_header, *value);
  }
  Venue& v = venue(venue_name);
  const auto retry_after = [&]() -> std::optional<int64_t> {
    const auto value = find_header(headers, "Retry-After");
    return value ? parse_count(*value) : std::nullopt;  // Binance sends delta-seconds, never an HTTP date
  }();
  if (status == 429) {
    const auto hold = retry_after ? std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(*retry_after))
                                  : std::chrono::duration_cast<Clock::duration>(options_.hold_without_retry_after);
    const auto until = now + hold;
    if (!v.held_until || *v.held_until < until) v.held_until = until;
    spdlog::warn("rate limited venue={} status=429 retry_after_s={} hold_ms={}", venue_name,
                 retry_after ? std::to_string(*retry_after) : std::string("none"),
                 std::chrono::duration_cast<std::chrono::milliseconds>(hold).count());
  } else if (status == 418 && !v.banned) {
    v.banned = true;
    v.ban_reason = fmt::format("venue {} banned this IP (HTTP 418){}; nothing is sent to it until the ban is lifted",
                               venue_name,
                               retry_after ? fmt::format(", Retry-After {} s", *retry_after) : std::string());
    spdlog::error("venue banned venue={} reason={}", venue_name, v.ban_reason);
    if (on_ban_)
      boost::asio::post(io_, [cb = on_ban_, venue = std::string(venue_name), reason = v.ban_reason] { cb(venue, reason); });
  }
  pump(v);
}

void RateLimiter::lift_ban(std::string_view venue_name) {
  Venue& v = venue(venue_name);
  v.banned = false;
  v.ban_reason.clear();
  spdlog::info("venue ban lifted venue={}", venue_name);
  pump(v);
}

std::optional<int64_t> RateLimiter::used(std::string_view budget) {
  auto it = budgets_.find(budget);
  if (it == budgets_.end()) return std::nullopt;
  return it->second.window.used(Clock::now());
}

std::vector<RateLimiter::BudgetLevel> RateLimiter::levels() {
  std::vector<BudgetLevel> out;
  const auto now = Clock::now();
  for (auto& [name, b] : budgets_) out.push_back(BudgetLevel{name, b.spec.venue, b.spec.limit, b.window.used(now)});
  return out;
}

std::optional<RateLimiter::Clock::time_point> RateLimiter::held_until(std::string_view venue_name) const {
  auto it = venues_.find(venue_name);
  if (it == venues_.end() || !it->second->held_until || *it->second->held_until <= Clock::now()) return std::nullopt;
  return it->second->held_until;
}

bool RateLimiter::banned(std::string_view venue_name) const {
  auto it = venues_.find(venue_name);
  return it != venues_.end() && it->second->banned;
}

size_t RateLimiter::queued(std::string_view venue_name) const {
  auto it = venues_.find(venue_name);
  return it == venues_.end() ? 0 : it->second->queue.size();
}

}  // namespace tradehost::net
