#include "book_window.hpp"

namespace tradehost::binance {

BookWindow::BookWindow(size_t depth) : depth_(depth == 0 ? 1 : depth) {}

void BookWindow::snapshot(const OrderBook& book, std::vector<BookLevel>& bids, std::vector<BookLevel>& asks) {
  bids_ = book.depth(BookSide::Bid, depth_);
  asks_ = book.depth(BookSide::Ask, depth_);
  bids = bids_;
  asks = asks_;
}

bool BookWindow::delta(const OrderBook& book, std::vector<BookLevel>& bids, std::vector<BookLevel>& asks) {
  side_delta(book, BookSide::Bid, bids_, bids);
  side_delta(book, BookSide::Ask, asks_, asks);
  return !bids.empty() || !asks.empty();
}

void BookWindow::clear() noexcept {
  bids_.clear();
  asks_.clear();
}

void BookWindow::side_delta(const OrderBook& book, BookSide side, std::vector<BookLevel>& held,
                            std::vector<BookLevel>& out) {
  out.clear();
  scratch_.resize(depth_);
  scratch_.resize(book.depth(side, depth_, scratch_.data()));
  // Both lists are best first: merge them by price in that order.
  const auto better = [side](int64_t a, int64_t b) { return side == BookSide::Bid ? a > b : a < b; };
  size_t i = 0, j = 0;
  while (i < held.size() || j < scratch_.size()) {
    if (j == scratch_.size() || (i < held.size() && better(held[i].price, scratch_[j].price))) {
      out.push_back(BookLevel{held[i++].price, 0});  // left the window
    } else if (i == held.size() || better(scratch_[j].price, held[i].price)) {
      out.push_back(scratch_[j++]);  // entered the window
    } else {
      if (held[i].qty != scratch_[j].qty) out.push_back(scratch_[j]);
      ++i;
      ++j;
    }
  }
  held.swap(scratch_);
}

}  // namespace tradehost::binance
