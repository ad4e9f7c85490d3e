// Loads plugin shared libraries with Boost.DLL and keeps the components they register.
//
// Loading follows plugin.h's rules: RTLD_LOCAL | RTLD_NOW; the library must export
// th_plugin_entry; the plugin's ABI major must equal the host's and its minor must not be newer;
// every registered component is copied by its struct_size into a zeroed local and checked for
// its required callbacks; a component type name may be registered only once across all plugins.
// A refused library is reported in one line naming the file and what to do, and nothing of it is
// kept.
#pragma once

#include "graph/graph.hpp"

#include <tradehost/plugin.h>

#include <boost/dll/shared_library.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tradehost::loader {
struct LoadedPlugin;
}

/// The host's side of the opaque th_module handle: one library while its entry point runs.
struct th_module {
  tradehost::loader::LoadedPlugin* plugin = nullptr;
  std::string error;  // first registration error
};

namespace tradehost::loader {

/// One registered component: zero-filled copies of what the plugin registered, and its schema.
struct ComponentInfo {
  th_component comp{};
  th_connector_ops connector{};
  th_strategy_ops strategy{};
  th_risk_ops risk{};
  th_notifier_ops notifier{};
  std::string type_name, description;
  graph::ComponentSchema schema;
  LoadedPlugin* plugin = nullptr;
};

/// One loaded library.
struct LoadedPlugin {
  std::filesystem::path file;         // as found on the plugin path (absolute); what a watcher watches
  std::filesystem::path loaded_from;  // the file dlopen() mapped: `file`, or its shadow copy
  std::string name, version, build_id;
  uint32_t abi_version = 0;
  std::string file_hash;  // SHA-256 of the file's bytes, 64 hex digits: tells two builds apart
  boost::dll::shared_library library;
  std::vector<std::unique_ptr<ComponentInfo>> components;
};

/// "1.0" for an abi_version value.
std::string abi_text(uint32_t abi_version);

/// The ABI a loaded plugin and this host speak: the older of the two (same major; a plugin
/// declaring a newer minor is refused). Members appended after it read as 0/empty.
uint32_t negotiated_abi(uint32_t plugin_abi);


/// The build identity recorded for audit (the plugins and reloads tables): the plugin's declared
/// build id, '/', the host's SHA-256 of the file; just the hash when none was declared.
std::string audit_build_id(const LoadedPlugin& plugin);

/// Loads one library on its own, without registering its component types anywhere: the checks
/// of PluginRegistry::load_file except the duplicate-type check against other libraries. With a
/// non-empty `shadow_dir` the file is first copied there under a fresh name and the copy is
/// loaded (then unlinked: the mapping stays), so rewriting the original in place (`cp`) can never
/// change code that is running, and a rebuilt library at the same path is a new object to the
/// dynamic linker rather than the cached old one. Returns nullptr and sets `error` to the
/// one-line refusal.
std::unique_ptr<LoadedPlugin> load_library(const th_host_api* host, const std::filesystem::path& file,
                                           const std::filesystem::path& shadow_dir, std::string& error);

class PluginRegistry {
 public:
  /// host: the services table handed to each entry point (its register_component must be
  /// tradehost::loader::register_component).
  explicit PluginRegistry(const th_host_api* host);
  /// Loads every later library through a shadow copy in `dir` (see load_library); paper mode
  /// does, so that a strategy can be rebuilt in place while the bot runs. Empty: in place.
  void set_shadow_dir(std::filesystem::path dir) { shadow_dir_ = std::move(dir); }
  const std::filesystem::path& shadow_dir() const noexcept { return shadow_dir_; }
  ~PluginRegistry();
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;

  /// Loads every *.so in each directory (sorted by name; a missing directory is an error line).
  /// Returns one line per refused library or problem; loaded ones are kept.
  std::vector<std::string> load_directories(const std::vector<std::string>& dirs);

  /// Loads one library. Returns "" on success, else the one-line refusal.
  std::string load_file(const std::filesystem::path& file);

  /// The component registered under `type_name`, or nullptr.
  const ComponentInfo* find(std::string_view type_name) const;
  /// Schema lookup for graph::validate_graph.
  graph::SchemaLookup schema_lookup() const;

  const std::vector<std::unique_ptr<LoadedPlugin>>& plugins() const noexcept { return plugins_; }

 private:
  const th_host_api* host_;
  std::filesystem::path shadow_dir_;
  std::vector<std::unique_ptr<LoadedPlugin>> plugins_;
  std::unordered_map<std::string, ComponentInfo*> by_type_;
};

/// The host's register_component (goes into th_host_api): validates and records a component
/// for the library whose entry point is running.
th_status register_component(th_module* module, const th_component* component);

}  // namespace tradehost::loader
