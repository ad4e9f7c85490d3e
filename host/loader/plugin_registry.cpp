#include "loader/plugin_registry.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <regex>

#include <unistd.h>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>

namespace tradehost::loader {
namespace {

std::string sv(th_str s) { return s.len && s.ptr ? std::string(s.ptr, s.len) : std::string(); }

/// Copies min(size_written, sizeof(T)) bytes into a zeroed T (plugin.h COMPATIBILITY).
template <class T>
T copy_sized(const void* src) {
  T out{};
  uint32_t written = 0;
  std::memcpy(&written, src, sizeof written);
  std::memcpy(&out, src, std::min<size_t>(written, sizeof(T)));
  out.struct_size = sizeof(T);
  return out;
}

/// True when the writer's struct reaches past member `end_offset` (offsetof + sizeof of it).
bool covers(uint32_t written, size_t end_offset) { return written >= end_offset; }
#define TH_COVERS(T, written, member) covers((written), offsetof(T, member) + sizeof(((T*)nullptr)->member))

/// SHA-256 (FIPS 180-4) of the file's bytes as 64 lower-case hex digits, through OpenSSL's EVP
/// interface; "" when the file cannot be read (the library was loaded from it a moment before,
/// so that means it was replaced or removed in between).
std::string sha256_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return {};
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) return {};
  char buf[65536];
  while (in) {
    in.read(buf, sizeof buf);
    if (in.gcount() > 0 && EVP_DigestUpdate(ctx.get(), buf, static_cast<size_t>(in.gcount())) != 1) return {};
  }
  if (in.bad()) return {};
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest, &len) != 1) return {};
  std::string hex;
  hex.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

graph::FieldType field_type(uint32_t t, bool& ok) {
  ok = t >= TH_CFG_STR && t <= TH_CFG_STR_LIST;
  return ok ? static_cast<graph::FieldType>(t) : graph::FieldType::Str;
}

}  // namespace

std::string abi_text(uint32_t v) { return fmt::format("{}.{}", TH_ABI_VERSION_MAJOR(v), TH_ABI_VERSION_MINOR(v)); }

uint32_t negotiated_abi(uint32_t plugin_abi) { return std::min(plugin_abi, static_cast<uint32_t>(TH_ABI_VERSION)); }

std::string audit_build_id(const LoadedPlugin& p) {
  return p.build_id.empty() ? p.file_hash : p.build_id + "/" + p.file_hash;
}

PluginRegistry::PluginRegistry(const th_host_api* host) : host_(host) {}

PluginRegistry::~PluginRegistry() {
  // Components first, then libraries (unique_ptr order inside LoadedPlugin does this).
  by_type_.clear();
  plugins_.clear();
  std::error_code ec;
  if (!shadow_dir_.empty()) std::filesystem::remove(shadow_dir_, ec);  // empty: every copy was unlinked once mapped
}

std::vector<std::string> PluginRegistry::load_directories(const std::vector<std::string>& dirs) {
  std::vector<std::string> problems;
  for (const auto& d : dirs) {
    std::error_code ec;
    if (!std::filesystem::is_directory(d, ec)) {
      problems.push_back(fmt::format("{}: plugin directory not found (check [plugins] paths, or build the plugins first)", d));
      continue;
    }
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(d, ec))
      if (e.is_regular_file() && e.path().extension() == ".so") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::string err = load_file(f);
      if (!err.empty()) problems.push_back(std::move(err));
    }
  }
  return problems;
}

th_status register_component(th_module* module, const th_component* c) {
  if (!module || !module->plugin) return TH_ERR_NOT_READY;  // outside an entry point
  LoadedPlugin& p = *module->plugin;
  auto fail = [&](std::string msg) {
    if (module->error.empty()) module->error = std::move(msg);
    return TH_ERR_INVALID_ARG;
  };
  if (!c) return fail("registered a null component");
  uint32_t written = 0;
  std::memcpy(&written, c, sizeof written);
  if (!TH_COVERS(th_component, written, ops))
    return fail(fmt::format("registered a component whose struct_size {} is too small for ABI 1.0", written));
  auto info = std::make_unique<ComponentInfo>();
  info->comp = copy_sized<th_component>(c);
  const th_component& k = info->comp;
  info->type_name = sv(k.type_name);
  info->description = sv(k.description);
  info->plugin = &p;
  static const std::regex kTypeName("^[a-z][a-z0-9_]{0,63}$");
  if (!std::regex_match(info->type_name, kTypeName))
    return fail(fmt::format("component type name '{}' is invalid (lower-case letters, digits and _ , starting with a letter)", info->type_name));
  const std::string who = fmt::format("component '{}'", info->type_name);
  if (k.kind < TH_KIND_CONNECTOR || k.kind > TH_KIND_NOTIFIER) return fail(fmt::format("{} has unknown kind {}", who, k.kind));
  if (!k.create) return fail(who + " has no create callback");
  if (!k.destroy) return fail(who + " has no destroy callback");
  if (!k.ops) return fail(who + " has no ops table");
  uint32_t ops_written = 0;
  std::memcpy(&ops_written, k.ops, sizeof ops_written);
  switch (k.kind) {
    case TH_KIND_CONNECTOR:
      if (!TH_COVERS(th_connector_ops, ops_written, subscribe)) return fail(who + ": connector ops too small");
      info->connector = copy_sized<th_connector_ops>(k.ops);
      if (!info->connector.load_instruments || !info->connector.subscribe)
        return fail(who + " (connector) lacks load_instruments or subscribe");
      break;
    case TH_KIND_STRATEGY:
      if (!TH_COVERS(th_strategy_ops, ops_written, on_event)) return fail(who + ": strategy ops too small");
      info->strategy = copy_sized<th_strategy_ops>(k.ops);
      if (!info->strategy.on_event) return fail(who + " (strategy) lacks on_event");
      break;
    case TH_KIND_RISK:
      if (!TH_COVERS(th_risk_ops, ops_written, check)) return fail(who + ": risk ops too small");
      info->risk = copy_sized<th_risk_ops>(k.ops);
      if (!info->risk.check) return fail(who + " (risk) lacks check");
      break;
    case TH_KIND_NOTIFIER:
      if (!TH_COVERS(th_notifier_ops, ops_written, notify)) return fail(who + ": notifier ops too small");
      info->notifier = copy_sized<th_notifier_ops>(k.ops);
      if (!info->notifier.notify) return fail(who + " (notifier) lacks notify");
      break;
  }
  info->schema.kind = k.kind;
  info->schema.type_name = info->type_name;
  info->schema.plugin_file = p.file.string();
  for (size_t i = 0; i < k.config_schema_len; ++i) {
    const th_config_field* fp = k.config_schema ? k.config_schema[i] : nullptr;
    if (!fp) return fail(fmt::format("{}: config field {} is null", who, i));
    th_config_field f = copy_sized<th_config_field>(fp);
    bool ok = false;
    graph::FieldSpec spec;
    spec.key = sv(f.key);
    spec.type = field_type(f.type, ok);
    if (!ok) return fail(fmt::format("{}: config key '{}' has unknown type {}", who, spec.key, f.type));
    if (spec.key.empty()) return fail(fmt::format("{}: config field {} has no key", who, i));
    spec.default_value = sv(f.default_value);
    spec.description = sv(f.description);
    spec.required = f.flags & TH_CFG_REQUIRED;
    spec.secret = f.flags & TH_CFG_SECRET;
    spec.credential = f.flags & TH_CFG_CREDENTIAL;
    if (spec.credential && spec.type != graph::FieldType::Str)
      return fail(fmt::format("{}: config key '{}' is marked TH_CFG_CREDENTIAL but is not a string", who, spec.key));
    spec.unit = sv(f.unit);  // 1.1; "" for a 1.0 writer, whose struct ends before it
    info->schema.fields.push_back(std::move(spec));
  }
  p.components.push_back(std::move(info));
  return TH_OK;
}

namespace {

/// Copies `file` into `dir` under a name no earlier load used, for load_library.
std::filesystem::path shadow_copy(const std::filesystem::path& file, const std::filesystem::path& dir, std::string& error) {
  static uint64_t seq = 0;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::filesystem::path copy = dir / fmt::format("{}.{}.{}{}", file.stem().string(), ::getpid(), ++seq, file.extension().string());
  if (!ec) std::filesystem::copy_file(file, copy, std::filesystem::copy_options::overwrite_existing, ec);
  if (ec) error = fmt::format("{}: cannot make a shadow copy in {}: {}", file.string(), dir.string(), ec.message());
  return copy;
}

}  // namespace

std::unique_ptr<LoadedPlugin> load_library(const th_host_api* host, const std::filesystem::path& file,
                                           const std::filesystem::path& shadow_dir, std::string& error) {
  auto p = std::make_unique<LoadedPlugin>();
  p->file = std::filesystem::absolute(file);
  p->loaded_from = p->file;
  const std::string f = p->file.string();
  auto refuse = [&](std::string msg) {
    error = std::move(msg);
    return nullptr;
  };
  std::error_code exists_ec;
  if (!std::filesystem::is_regular_file(p->file, exists_ec))  // dlopen would say "Bad file descriptor"
    return refuse(fmt::format("{}: no such plugin file (check the path)", f));
  if (!shadow_dir.empty()) {
    std::string copy_error;
    p->loaded_from = shadow_copy(p->file, shadow_dir, copy_error);
    if (!copy_error.empty()) return refuse(std::move(copy_error));
  }
  // Hash what is loaded (the copy): the original may be rewritten while we read it.
  p->file_hash = sha256_file(p->loaded_from);
  boost::system::error_code ec;
  p->library.load(p->loaded_from.string(), boost::dll::load_mode::rtld_local | boost::dll::load_mode::rtld_now, ec);
  if (p->loaded_from != p->file) {
    std::error_code rm;
    std::filesystem::remove(p->loaded_from, rm);  // mapped already (or failed): the name is not needed
  }
  if (ec)
    return refuse(fmt::format("{}: cannot load plugin: {} (is it a tradehost plugin built for this machine? rebuild it against the SDK)",
                              f, ec.message()));
  if (!p->library.has(TH_PLUGIN_ENTRY_NAME))
    return refuse(fmt::format("{}: not a tradehost plugin: it does not export '{}' (declare it with TH_DECLARE_PLUGIN or export the entry function)",
                              f, TH_PLUGIN_ENTRY_NAME));
  auto entry = p->library.get<th_status(const th_host_api*, th_module*, th_plugin_info*)>(TH_PLUGIN_ENTRY_NAME);
  th_plugin_info info{};
  info.struct_size = sizeof info;
  info.abi_version = TH_ABI_VERSION;
  th_module module;
  module.plugin = p.get();
  th_status st = entry(host, &module, &info);
  const uint32_t abi = info.abi_version;
  if (TH_ABI_VERSION_MAJOR(abi) != TH_ABI_MAJOR)
    return refuse(fmt::format("{}: plugin ABI {} is incompatible with this host's ABI {} (major versions differ); rebuild the plugin against the tradehost {}.x SDK",
                       f, abi_text(abi), abi_text(TH_ABI_VERSION), TH_ABI_MAJOR));
  // A newer minor may call services or rely on members this host's tables do not have
  // (plugin.h COMPATIBILITY), so it is refused rather than left to fail later.
  if (TH_ABI_VERSION_MINOR(abi) > TH_ABI_MINOR)
    return refuse(fmt::format("{}: plugin needs ABI {} (built against the tradehost {} SDK) but this host provides ABI {}, which is older; "
                       "upgrade tradehost to a version with ABI {} or later, or rebuild the plugin against the tradehost {} SDK",
                       f, abi_text(abi), abi_text(abi), abi_text(TH_ABI_VERSION), abi_text(abi), abi_text(TH_ABI_VERSION)));
  if (st != TH_OK)
    return refuse(fmt::format("{}: plugin entry point refused to load (status {}){}; see the plugin's log line above, or check it was built for this host",
                              f, st, module.error.empty() ? std::string() : ": " + module.error));
  if (!module.error.empty()) return refuse(fmt::format("{}: {}; fix the component and rebuild the plugin against the SDK", f, module.error));
  p->name = info.name.len ? std::string(info.name.ptr, info.name.len) : p->file.stem().string();
  p->version = info.version.len ? std::string(info.version.ptr, info.version.len) : "0";
  p->build_id = info.build_id.len ? std::string(info.build_id.ptr, info.build_id.len) : "";
  p->abi_version = abi;
  if (p->components.empty())
    return refuse(fmt::format("{}: plugin '{}' registered no components; register at least one in th_plugin_entry", f, p->name));
  for (size_t i = 0; i < p->components.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (p->components[i]->type_name == p->components[j]->type_name)
        return refuse(fmt::format("{}: component type '{}' is registered twice by this library; give each component its own type name",
                                  f, p->components[i]->type_name));
  return p;
}

std::string PluginRegistry::load_file(const std::filesystem::path& file) {
  std::string error;
  std::unique_ptr<LoadedPlugin> p = load_library(host_, file, shadow_dir_, error);
  if (!p) return error;
  for (const auto& c : p->components) {
    auto it = by_type_.find(c->type_name);
    if (it != by_type_.end())
      return fmt::format("{}: component type '{}' is already registered by {}; remove one of the two libraries from the plugin paths or rename the type",
                         p->file.string(), c->type_name, it->second->plugin->file.string());
  }
  for (const auto& c : p->components) by_type_[c->type_name] = c.get();
  spdlog::debug("loaded plugin name={} version={} abi={} file={}{}", p->name, p->version, abi_text(p->abi_version), p->file.string(),
                p->loaded_from != p->file ? " (shadow copy)" : "");
  plugins_.push_back(std::move(p));
  return {};
}

const ComponentInfo* PluginRegistry::find(std::string_view type_name) const {
  auto it = by_type_.find(std::string(type_name));
  return it == by_type_.end() ? nullptr : it->second;
}

graph::SchemaLookup PluginRegistry::schema_lookup() const {
  return [this](std::string_view t) -> const graph::ComponentSchema* {
    const ComponentInfo* c = find(t);
    return c ? &c->schema : nullptr;
  };
}

}  // namespace tradehost::loader
