// The instruments a Binance connector defined: host instrument id <-> the venue's symbol and its
// scales. Filled once from exchangeInfo, read on every message.
#ifndef TRADEHOST_BINANCE_SYMBOL_TABLE_HPP
#define TRADEHOST_BINANCE_SYMBOL_TABLE_HPP

#include "account_messages.hpp"
#include "market_data.hpp"

#include <tradehost/plugin.h>

#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace tradehost::binance {

class SymbolTable {
 public:
  struct Entry {
    th_instrument_id id = 0;
    std::string symbol;  ///< native, upper case: "BTCUSDT"
    Scales scales;
  };

  /// Adds or replaces the entry of `id`.
  void add(th_instrument_id id, std::string symbol, Scales scales) {
    by_symbol_[symbol] = id;
    by_id_[id] = Entry{id, std::move(symbol), scales};
  }
  const Entry* find(th_instrument_id id) const {
    auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : &it->second;
  }
  const Entry* find(std::string_view symbol) const {
    auto it = by_symbol_.find(symbol);
    return it == by_symbol_.end() ? nullptr : find(it->second);
  }
  /// A lookup for the account-message parsers; valid while this table lives.
  ScalesLookup scales_lookup() const {
    return [this](std::string_view symbol) -> const Scales* {
      const Entry* e = find(symbol);
      return e ? &e->scales : nullptr;
    };
  }
  size_t size() const noexcept { return by_id_.size(); }

 private:
  std::map<th_instrument_id, Entry> by_id_;
  std::map<std::string, th_instrument_id, std::less<>> by_symbol_;
};

}  // namespace tradehost::binance

#endif  // TRADEHOST_BINANCE_SYMBOL_TABLE_HPP
