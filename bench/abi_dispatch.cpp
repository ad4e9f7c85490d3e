// Cost of one event dispatch through the C ABI into a strategy plugin (function pointer into a
// library loaded with Boost.DLL, through the SDK's exception barrier and the strategy's virtual
// on_event) versus a direct, non-inlined call of the same work in this executable.
#include "engine/engine.hpp"
#include "loader/plugin_registry.hpp"

#include <benchmark/benchmark.h>

#include <tradehost/plugin.h>

namespace {

struct Direct {
  int64_t sum = 0;
};
__attribute__((noinline)) th_status direct_on_event(Direct* d, const th_event* ev) {
  if (ev->type == TH_EV_BAR) d->sum += reinterpret_cast<const th_ev_bar*>(ev)->close;
  return TH_OK;
}

th_ev_bar make_bar() {
  th_ev_bar bar{};
  bar.h.struct_size = sizeof bar;
  bar.h.type = TH_EV_BAR;
  bar.close = 1672730;
  return bar;
}

void BM_DirectCall(benchmark::State& state) {
  Direct d;
  th_ev_bar bar = make_bar();
  for (auto _ : state) {
    benchmark::DoNotOptimize(direct_on_event(&d, &bar.h));
    benchmark::ClobberMemory();
  }
  benchmark::DoNotOptimize(d.sum);
}
BENCHMARK(BM_DirectCall);

void BM_PluginDispatch(benchmark::State& state) {
  tradehost::loader::PluginRegistry reg(tradehost::engine::host_api());
  std::string err = reg.load_file(TH_BENCH_FIXTURE);
  if (!err.empty()) {
    state.SkipWithError(err.c_str());
    return;
  }
  const auto* c = reg.find("bench_counter");
  void* st = nullptr;
  c->comp.create(nullptr, tradehost::engine::host_api(), &st);
  const auto on_event = c->strategy.on_event;
  th_ev_bar bar = make_bar();
  for (auto _ : state) {
    benchmark::DoNotOptimize(on_event(st, &bar.h));
    benchmark::ClobberMemory();
  }
  c->comp.destroy(st);
}
BENCHMARK(BM_PluginDispatch);

}  // namespace

BENCHMARK_MAIN();
