// Hot reload of strategies in paper mode (ARCHITECTURE.md "Hot reload"; docs/plugins.md).
//
// Sequence for each strategy instance whose library changed, between two events on the loop:
//   1. load the new build from a shadow copy (loader::load_library): the running build stays
//      mapped and untouched;
//   2. find the same component type in it, and validate the node's TOML against the NEW
//      schema (a build that renamed or retyped a key is refused, as at start-up);
//   3. create the new instance, hand it the old instance's snapshot() through restore(),
//      start() it;
//   4. only then stop the old instance, move its subscriptions, orders and position ownership
//      (they are host-owned and keyed by the strategy's index, so nothing is copied), drop its
//      timers and destroy it.
// A failure at 1-3 destroys whatever was created of the new build and leaves the old instance
// running exactly as before; the attempt is audited (reloads table) and notified (topic
// "reload") either way. Replaced libraries stay loaded until the run ends: state they handed
// out (static strings, function pointers in flight) can never dangle, at the cost of one
// mapping per reload.
#include "engine/engine.hpp"
#include "engine/plugin_watcher.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace tradehost::engine {

namespace {

/// How long a replaced library must stay untouched before it is loaded (PluginWatcher).
constexpr std::chrono::milliseconds kReloadSettle{300};

/// The library files the strategies run from, each once, in graph order.
std::vector<std::filesystem::path> library_files(const std::vector<th_instance*>& strategies) {
  std::vector<std::filesystem::path> files;
  for (th_instance* s : strategies) {
    const auto& f = s->component->plugin->file;
    if (std::find(files.begin(), files.end(), f) == files.end()) files.push_back(f);
  }
  return files;
}

/// Strategies built from `file`, in graph order.
std::vector<th_instance*> strategies_from(const std::vector<th_instance*>& strategies, const std::filesystem::path& file) {
  std::vector<th_instance*> out;
  for (th_instance* s : strategies)
    if (s->component->plugin->file == file) out.push_back(s);
  return out;
}

}  // namespace

void Engine::start_hot_reload(boost::asio::io_context& io) {
  const std::vector<std::filesystem::path> files = library_files(strategies_);
  shadow_dir_ = registry_.shadow_dir();
  if (shadow_dir_.empty()) shadow_dir_ = std::filesystem::temp_directory_path() / fmt::format("tradehost-shadow-{}", ::getpid());
  if (!graph_.bot.watch_plugins) {
    spdlog::info("hot reload: watching is off ([bot] watch_plugins = false); send SIGHUP or run `tradehost reload {}`",
                 graph_.file.string());
    return;
  }
  try {
    watcher_ = std::make_unique<PluginWatcher>(io, kReloadSettle,
                                               [this](const std::vector<std::filesystem::path>& changed) {
                                                 for (const auto& f : changed) reload_file(f);
                                               });
    for (const auto& f : files) watcher_->watch(f);
    spdlog::info("hot reload: watching {} strategy librar{} (SIGHUP or `tradehost reload` also reloads)", files.size(),
                 files.size() == 1 ? "y" : "ies");
  } catch (const std::exception& e) {
    watcher_.reset();
    spdlog::warn("hot reload: cannot watch plugin files ({}); reload with SIGHUP or `tradehost reload {}`", e.what(),
                 graph_.file.string());
  }
}

void Engine::stop_hot_reload() noexcept {
  if (watcher_) watcher_->close();
  watcher_.reset();
}

int Engine::reload_changed_strategies() {
  if (graph_.bot.mode != graph::Mode::Paper) {
    const std::string why = fmt::format("hot reload is only for paper mode; bot '{}' runs in {} mode: restart it to change its code",
                                        graph_.bot.name, graph::to_string(graph_.bot.mode));
    spdlog::warn("reload refused: {}", why);
    notify("reload", TH_SEV_WARN, "reload refused", why);
    return 0;
  }
  if (!oms_ || shadow_dir_.empty()) {
    spdlog::warn("reload refused: bot '{}' is still starting; ask again once it runs", graph_.bot.name);
    return 0;
  }
  const std::vector<std::filesystem::path> files = library_files(strategies_);
  int applied = 0;
  for (const auto& f : files) applied += reload_file(f);
  return applied;
}

int Engine::reload_file(const std::filesystem::path& file) {
  const std::vector<th_instance*> targets = strategies_from(strategies_, file);
  if (targets.empty()) return 0;
  std::string error;
  std::unique_ptr<loader::LoadedPlugin> lib = loader::load_library(host_api(), file, shadow_dir_, error);
  if (lib && lib->file_hash == targets.front()->component->plugin->file_hash) {
    spdlog::info("reload: {} is unchanged (same content as the running build); nothing to do", file.string());
    return 0;
  }
  int applied = 0;
  for (th_instance* old : targets)
    if (reload_strategy(old, lib.get(), error)) ++applied;
  if (applied) reloaded_libs_.push_back(std::move(lib));
  return applied;
}

bool Engine::reload_strategy(th_instance* old, loader::LoadedPlugin* lib, const std::string& load_error) {
  const loader::LoadedPlugin& running = *old->component->plugin;
  const std::string type = old->node->type;
  store::ReloadRow row;
  row.run_id = run_id_;
  row.strategy = old->name;
  row.file = running.file.string();
  row.old_build_id = loader::audit_build_id(running);
  row.new_build_id = lib ? loader::audit_build_id(*lib) : "";
  auto audit = [&](const char* outcome, std::optional<std::string> reason) {
    row.ts_ns = now_;
    row.outcome = outcome;
    row.reason = std::move(reason);
    try {
      if (store_) store_->record_reload(row);
    } catch (const std::exception& e) {
      spdlog::error("recording the reload of strategy '{}' failed: {}", old->name, e.what());
    }
  };
  auto fail = [&](const std::string& why) {
    audit("failed", why);
    spdlog::error("reload of strategy '{}' failed: {}; build {} keeps running", old->name, why, row.old_build_id);
    notify("reload", TH_SEV_WARN, fmt::format("reload of strategy '{}' failed", old->name),
           fmt::format("{}; the running build {} keeps running", why, row.old_build_id));
    return false;
  };
  if (!lib) return fail(load_error);

  // 2. The same component type, and the node's config against the new build's schema.
  const loader::ComponentInfo* comp = nullptr;
  for (const auto& c : lib->components)
    if (c->type_name == type) comp = c.get();
  if (!comp) return fail(fmt::format("the new build of {} does not register component type '{}'", lib->file.filename().string(), type));
  if (comp->comp.kind != TH_KIND_STRATEGY) return fail(fmt::format("component type '{}' is not a strategy in the new build", type));
  graph::Graph revalidated = graph_;
  revalidated.connectors.clear();
  revalidated.strategies.clear();
  revalidated.risks.clear();
  revalidated.notifiers.clear();
  try {
    graph::validate_graph(revalidated, [&](std::string_view t) -> const graph::ComponentSchema* {
      if (t == type) return &comp->schema;
      const loader::ComponentInfo* other = registry_.find(t);
      return other ? &other->schema : nullptr;
    });
  } catch (const graph::GraphError& e) {
    return fail(fmt::format("the config does not validate against the new build's schema: {}", fmt::join(e.errors, "; ")));
  }
  const graph::Node* new_node = nullptr;
  for (const auto& n : revalidated.strategies)
    if (n.name == old->name) new_node = &n;
  if (!new_node) return fail("the strategy node disappeared on revalidation");  // cannot happen: same document
  graph::Node& node = reloaded_nodes_.emplace_back(*new_node);

  // 3. Create, restore, start the new instance; the old one keeps running until all succeed.
  th_instance& inst = instances_.emplace_back();
  inst.engine = this;
  inst.component = comp;
  inst.node = &node;
  inst.kind = TH_KIND_STRATEGY;
  inst.index = old->index;
  inst.name = old->name;
  inst.connector = old->connector;
  inst.instruments = old->instruments;
  auto discard = [&](bool started) {
    if (started && comp->comp.stop) comp->comp.stop(inst.state);
    release_net(&inst);  // what a failed start() may have opened
    drop_timers_of(&inst);
    if (inst.state) comp->comp.destroy(inst.state);
    inst.state = nullptr;
    inst.created = inst.started = false;
  };
  try {
    bind_credential(inst);
  } catch (const EngineError& e) {
    return fail(e.what());
  }
  th_status st = comp->comp.create(&inst, host_api(), &inst.state);
  if (st != TH_OK || !inst.state) {
    discard(false);
    return fail(fmt::format("create() of the new build refused the configuration (status {})", st));
  }
  inst.created = true;
  std::vector<uint8_t> snapshot;
  if (old->component->strategy.snapshot) {
    size_t len = 0;
    st = old->component->strategy.snapshot(old->state, nullptr, 0, &len);
    if (st == TH_ERR_INVALID_ARG && len > 0) {
      snapshot.resize(len);
      st = old->component->strategy.snapshot(old->state, snapshot.data(), snapshot.size(), &len);
    }
    if (st != TH_OK) {
      discard(false);
      return fail(fmt::format("snapshot() of the running build failed (status {})", st));
    }
    snapshot.resize(len);
  }
  if (!snapshot.empty()) {
    if (!comp->strategy.restore) {
      discard(false);
      return fail(fmt::format("the new build has no restore(): the running state ({} bytes) would be lost", snapshot.size()));
    }
    st = comp->strategy.restore(inst.state, th_bytes{snapshot.data(), snapshot.size()});
    if (st != TH_OK) {
      discard(false);
      return fail(fmt::format("restore() of the new build failed (status {}) on the running build's {}-byte snapshot", st, snapshot.size()));
    }
  }
  st = comp->comp.start ? comp->comp.start(inst.state) : TH_OK;
  if (st != TH_OK) {
    discard(false);
    return fail(fmt::format("start() of the new build failed (status {})", st));
  }
  inst.started = true;

  // 4. Switch: the old instance stops; everything host-owned is keyed by the index and stays.
  write_decision(old);
  release_net(old);
  if (old->started && old->component->comp.stop) old->component->comp.stop(old->state);
  old->started = false;
  drop_timers_of(old);
  strategies_[old->index] = &inst;
  for (auto& subs : subscribers_)
    for (th_instance*& s : subs)
      if (s == old) s = &inst;
  old->component->comp.destroy(old->state);
  old->state = nullptr;
  old->created = false;

  if (store_) {
    try {
      record_plugin(*lib);
    } catch (const std::exception& e) {
      spdlog::error("recording the reloaded plugin of strategy '{}' failed: {}", inst.name, e.what());
    }
  }
  audit("applied", std::nullopt);
  spdlog::info("strategy '{}' reloaded: build {} -> {} ({} bytes of state carried over)", inst.name, row.old_build_id,
               row.new_build_id, snapshot.size());
  notify("reload", TH_SEV_INFO, fmt::format("strategy '{}' reloaded", inst.name),
         fmt::format("build {} -> {}; {} bytes of state carried over", row.old_build_id, row.new_build_id, snapshot.size()));
  return true;
}

}  // namespace tradehost::engine
