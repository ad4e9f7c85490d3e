// Fuzz target: exact decimal text -> fixed point (sdk tradehost/fixed.hpp parse_fixed and
// format_fixed, binance_common's plain_decimal fast path), which every parser below relies on.
// Input: one byte choosing the scale (byte % 19), then the text.
// Invariants: an exact parse returns precisely the reference value (fuzz_check.hpp) and fails
// exactly when the reference says the value is off the scale or outside int64; a Rounding::Down
// parse truncates; plain_decimal never accepts what parse_fixed refuses and agrees when it
// accepts; format_fixed / format_fixed_trimmed text parses back to the same raw value.
#include "fuzz_check.hpp"

#include <binance_common/json_fields.hpp>
#include <tradehost/fixed.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using namespace tradehost;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const int scale = data[0] % 19;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  int64_t exact = 0;
  std::string why;
  const bool ok = parse_fixed(text, scale, exact, &why);
  const std::optional<int64_t> want = fuzz::exact_raw(text, scale);
  FUZZ_CHECK(ok == want.has_value(), "scale %d text '%.*s': parse_fixed %s (%s), reference %s", scale,
             static_cast<int>(text.size()), text.data(), ok ? "ok" : "failed", why.c_str(),
             want ? "ok" : "refuses");
  if (ok) FUZZ_CHECK(exact == *want, "scale %d text '%.*s': %lld, reference %lld", scale,
                     static_cast<int>(text.size()), text.data(), static_cast<long long>(exact),
                     static_cast<long long>(*want));

  int64_t fast = 0;
  if (binance::detail::plain_decimal(text, scale, fast))
    FUZZ_CHECK(ok && fast == exact, "plain_decimal accepted '%.*s' at scale %d as %lld",
               static_cast<int>(text.size()), text.data(), scale, static_cast<long long>(fast));

  int64_t down = 0;
  if (parse_fixed(text, scale, down, nullptr, Rounding::Down)) {
    FUZZ_CHECK(fuzz::truncates_to(text, down, scale), "Down parse of '%.*s' at scale %d gave %lld",
               static_cast<int>(text.size()), text.data(), scale, static_cast<long long>(down));
    // Every rounding lands within one unit of the truncated value.
    for (Rounding r : {Rounding::Floor, Rounding::Ceil, Rounding::HalfEven, Rounding::HalfUp}) {
      int64_t v = 0;
      if (parse_fixed(text, scale, v, nullptr, r))
        FUZZ_CHECK(v == down || v == down + 1 || v == down - 1, "rounding %d of '%.*s' gave %lld, truncated %lld",
                   static_cast<int>(r), static_cast<int>(text.size()), text.data(), static_cast<long long>(v),
                   static_cast<long long>(down));
    }
  }

  if (ok) {
    for (const std::string& f : {format_fixed(exact, scale), format_fixed_trimmed(exact, scale)}) {
      int64_t back = 0;
      FUZZ_CHECK(parse_fixed(f, scale, back) && back == exact, "'%s' does not read back as %lld", f.c_str(),
                 static_cast<long long>(exact));
      FUZZ_CHECK(fuzz::denotes(f, exact, scale), "format_fixed wrote '%s' for %lld at scale %d", f.c_str(),
                 static_cast<long long>(exact), scale);
    }
  }
  return 0;
}
