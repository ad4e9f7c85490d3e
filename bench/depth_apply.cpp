// Parse + apply of the recorded Binance diff depth streams (data/binance/cryptofeed/), the work a
// connector does per depth frame: MarketDataParser::parse_stream on the raw combined-stream text,
// then DepthSynchroniser::on_diff into the symbol's OrderBook.
//
// Each pass starts every symbol's synchroniser from its recorded REST snapshot (parsed once,
// before timing; applying it -- copying up to 2 x 1000 levels -- is inside the timing)
// and then feeds every recorded depth frame in file order. The first few frames of each symbol are
// older than its snapshot and are dropped as stale, as in the live procedure. Items = depth
// frames, so items_per_second is messages per second on one core.
//
//   BM_ParseAndApply/UsdM  764 USD-M frames (4 symbols, ~327 B and ~8 levels per frame)
//   BM_ParseAndApply/Spot  177 spot frames (4 symbols)
//   BM_ParseOnly/UsdM      the parse alone (the depth scanner)
//   BM_ParseOnly/UsdM_dom  the parse alone through the RapidJSON DOM (scanner off), to compare
//   BM_ApplyOnly/UsdM      the synchroniser and book alone, on frames parsed before timing
//
// Instruction counts (stable while other work loads the machine, unlike wall time): the
// recordings are loaded in main(), before any benchmark runs, and TH_BENCH_ITERATIONS=<n> runs
// every benchmark for exactly n iterations, so a callgrind run collecting only inside one
// benchmark function counts that benchmark's own work (docs/BENCHMARKS.md section 5):
//
//   TH_BENCH_ITERATIONS=200 valgrind --tool=callgrind --toggle-collect='*BM_ParseAndApply*'
//       build/bench_depth_apply --benchmark_filter='BM_ParseAndApply/UsdM'   (one command line)
#include <binance_common/depth_sync.hpp>
#include <binance_common/exchange_info.hpp>
#include <binance_common/market_data.hpp>

#include "tests/unit/binance/capture.hpp"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace tradehost::binance;

struct Recording {
  Venue venue;
  MarketDataParser parser;
  std::vector<std::string> symbols;         // those with a snapshot
  std::vector<DepthSnapshot> snapshots;     // parallel to symbols
  std::vector<std::string> frames;          // depth frames of those symbols, raw text
  std::vector<DepthDiff> parsed;            // the same frames, parsed
  std::vector<size_t> symbol_of_frame;      // index into symbols
};

Recording load(Venue venue, const char* info_file, const char* http_file, const char* ws_file) {
  Recording r{venue, MarketDataParser(venue), {}, {}, {}, {}, {}};
  ExchangeInfo info;
  std::string error;
  if (!parse_exchange_info(capture::read_rest(info_file).at(0).body, info, error))
    throw std::runtime_error(error);
  for (const SymbolInfo& s : info.symbols) r.parser.set_scales(s.symbol, s.scales);
  for (const capture::Record& rec : capture::read_rest(http_file)) {
    r.symbols.push_back(capture::symbol_of_url(rec.url));
    DepthSnapshot snap;
    if (!r.parser.parse_depth_snapshot(rec.body, *r.parser.scales(r.symbols.back()), snap, error))
      throw std::runtime_error(error);
    r.snapshots.push_back(std::move(snap));
  }
  StreamMessage m;
  for (const capture::Record& rec : capture::read_ws(ws_file)) {
    if (!r.parser.parse_stream(rec.body, m, error)) throw std::runtime_error(error);
    if (m.kind != StreamKind::DepthDiff) continue;
    for (size_t i = 0; i < r.symbols.size(); ++i)
      if (r.symbols[i] == m.depth.symbol) {
        r.frames.push_back(rec.body);
        r.parsed.push_back(m.depth);
        r.symbol_of_frame.push_back(i);
      }
  }
  return r;
}

Recording& recording(Venue venue) {
  static Recording spot = load(Venue::Spot, "BINANCE.0", "BINANCE.http.0.0", "BINANCE.ws.1.0");
  static Recording usdm = load(Venue::UsdM, "BINANCE_FUTURES.0", "BINANCE_FUTURES.http.0.0",
                               "BINANCE_FUTURES.ws.1.0");
  return venue == Venue::Spot ? spot : usdm;
}

// The symbol a parsed diff belongs to, by a linear scan: 4 symbols, as a connector with a few
// subscriptions would do it.
size_t route(const std::vector<std::string>& symbols, const std::string& symbol) {
  for (size_t i = 0; i < symbols.size(); ++i)
    if (symbols[i] == symbol) return i;
  return symbols.size();
}

void BM_ParseAndApply(benchmark::State& state, Venue venue) {
  Recording& r = recording(venue);
  std::vector<DepthSynchroniser> syncs(r.symbols.size(), DepthSynchroniser(r.venue));
  StreamMessage m;
  std::string error;
  uint64_t gaps = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < syncs.size(); ++i) syncs[i].on_snapshot(r.snapshots[i]);
    for (const std::string& frame : r.frames) {
      if (!r.parser.parse_stream(frame, m, error)) {
        state.SkipWithError(error.c_str());
        return;
      }
      const size_t i = route(r.symbols, m.depth.symbol);
      if (syncs[i].on_diff(m.depth) == DepthSynchroniser::Outcome::ResyncNeeded) ++gaps;
    }
    benchmark::DoNotOptimize(syncs[0].book().best_bid());
  }
  if (gaps != 0) state.SkipWithError("the recorded sequence should never gap");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * r.frames.size()));
}
BENCHMARK_CAPTURE(BM_ParseAndApply, UsdM, Venue::UsdM)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_ParseAndApply, Spot, Venue::Spot)->Unit(benchmark::kMicrosecond);

void BM_ParseOnly(benchmark::State& state, bool scanner) {
  Recording& r = recording(Venue::UsdM);
  r.parser.set_depth_fast_path(scanner);
  StreamMessage m;
  std::string error;
  size_t bytes = 0;
  for (const std::string& f : r.frames) bytes += f.size();
  for (auto _ : state) {
    for (const std::string& frame : r.frames) {
      if (!r.parser.parse_stream(frame, m, error)) {
        state.SkipWithError(error.c_str());
        return;
      }
      benchmark::DoNotOptimize(m.depth.final_update_id);
    }
  }
  r.parser.set_depth_fast_path(true);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * r.frames.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK_CAPTURE(BM_ParseOnly, UsdM, true)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_ParseOnly, UsdM_dom, false)->Unit(benchmark::kMicrosecond);

void BM_ApplyOnly(benchmark::State& state) {
  Recording& r = recording(Venue::UsdM);
  std::vector<DepthSynchroniser> syncs(r.symbols.size(), DepthSynchroniser(r.venue));
  for (auto _ : state) {
    for (size_t i = 0; i < syncs.size(); ++i) syncs[i].on_snapshot(r.snapshots[i]);
    for (size_t k = 0; k < r.parsed.size(); ++k) syncs[r.symbol_of_frame[k]].on_diff(r.parsed[k]);
    benchmark::DoNotOptimize(syncs[0].book().best_bid());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * r.parsed.size()));
}
BENCHMARK(BM_ApplyOnly)->Name("BM_ApplyOnly/UsdM")->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  // Loading parses exchangeInfo and every recorded frame: many times one benchmark pass, so it
  // stays out of the benchmark functions (and out of a callgrind count collected inside them).
  recording(Venue::Spot);
  recording(Venue::UsdM);
  if (const char* n = std::getenv("TH_BENCH_ITERATIONS"); n != nullptr && std::atoll(n) > 0) {
    const auto iterations = static_cast<benchmark::IterationCount>(std::atoll(n));
    benchmark::ClearRegisteredBenchmarks();
    benchmark::RegisterBenchmark("BM_ParseAndApply/UsdM", BM_ParseAndApply, Venue::UsdM)->Iterations(iterations)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("BM_ParseAndApply/Spot", BM_ParseAndApply, Venue::Spot)->Iterations(iterations)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("BM_ParseOnly/UsdM", BM_ParseOnly, true)->Iterations(iterations)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("BM_ParseOnly/UsdM_dom", BM_ParseOnly, false)->Iterations(iterations)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("BM_ApplyOnly/UsdM", BM_ApplyOnly)->Iterations(iterations)->Unit(benchmark::kMicrosecond);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
