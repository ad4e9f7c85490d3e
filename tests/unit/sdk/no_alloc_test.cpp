// Checks the SDK's hot paths never allocate: parse_fixed()/format_fixed_to() on success and every
// indicator's update(). Counts calls to the global operator new, replaced for this test binary.
#include <tradehost/fixed.hpp>
#include <tradehost/ta.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <new>
#include <string>

namespace {
size_t g_allocations = 0;
std::string* volatile g_escape = nullptr;  // keeps the compiler from eliding the probe allocation
}  // namespace

void* operator new(std::size_t size) {
  ++g_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

TEST(NoAllocation, CounterSeesAllocations) {
  const size_t before = g_allocations;
  g_escape = new std::string(100, 'x');  // the object and its heap buffer
  delete g_escape;
  g_escape = nullptr;
  EXPECT_GE(g_allocations - before, 1u);
}

TEST(NoAllocation, ParseAndFormatSuccessPaths) {
  const char* fields[] = {"16727.30", "-0.00150", "1e-5", "1.5E+3", "9223372036854775807",
                          "0.10"};
  std::string error;
  error.reserve(256);
  char buf[tradehost::kFixedTextMax];
  int64_t raw = 0;
  size_t total = 0;
  const size_t before = g_allocations;
  for (int rep = 0; rep < 1000; ++rep) {
    for (const char* f : fields) {
      ASSERT_TRUE(tradehost::parse_fixed(f, f[0] == '9' ? 0 : 5, raw, &error));
      total += tradehost::format_fixed_to(buf, sizeof buf, raw, 5);
    }
    ASSERT_TRUE(tradehost::parse_fixed("0.15", 1, raw, &error, tradehost::Rounding::HalfEven));
  }
  EXPECT_EQ(g_allocations, before);
  EXPECT_GT(total, 0u);
}

TEST(NoAllocation, IndicatorUpdates) {
  using namespace tradehost::ta;
  Sma sma(50);
  Ema ema(50);
  Rsi rsi(14);
  Atr atr(14);
  Bollinger bb(20, 2.0);
  Macd macd;
  double sink = 0;
  const size_t before = g_allocations;
  for (int i = 0; i < 100000; ++i) {
    const double x = 100.0 + (i % 37) * 0.25 - (i % 11) * 0.5;
    sma.update(x);
    ema.update(x);
    rsi.update(x);
    atr.update(x + 1, x - 1, x);
    bb.update(x);
    macd.update(x);
    sink += sma.value() + ema.value() + rsi.value() + atr.value() + bb.upper() + macd.histogram();
  }
  EXPECT_EQ(g_allocations, before);
  EXPECT_NE(sink, 0.0);
}

}  // namespace
