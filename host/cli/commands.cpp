#include "cli/commands.hpp"

#include "cli/plugin_json.hpp"
#include "cli/toml_snippet.hpp"
#include "engine/engine.hpp"
#include "graph/graph.hpp"
#include "loader/plugin_registry.hpp"
#include "report/iso8601.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>
#include <csignal>
#include <cstring>
#include <cerrno>

namespace tradehost::cli {
namespace {

namespace fs = std::filesystem;

/// The executable's directory (through /proc/self/exe, falling back to argv[0]).
fs::path exe_dir(const std::string& argv0) {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  if (ec) p = fs::absolute(argv0);
  return p.parent_path();
}

/// Plugin directories: $TRADEHOST_PLUGIN_PATH first, then the given ones, else <exe dir>/plugins.
std::vector<std::string> plugin_dirs(const Options& opt, const std::vector<std::string>& configured) {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("TRADEHOST_PLUGIN_PATH")) {
    std::string s = env;
    size_t start = 0;
    while (start <= s.size()) {
      size_t end = s.find(':', start);
      if (end == std::string::npos) end = s.size();
      if (end > start) dirs.push_back(s.substr(start, end - start));
      start = end + 1;
    }
  }
  for (const auto& d : configured) dirs.push_back(d);
  if (dirs.empty()) dirs.push_back((exe_dir(opt.exe) / "plugins").string());
  return dirs;
}

void print_errors(const std::vector<std::string>& lines) {
  for (const auto& l : lines) std::fprintf(stderr, "error: %s\n", l.c_str());
}

/// Loads plugins; refused libraries are logged as warnings (a graph that needs one fails later
/// with an unknown-type error).
void load_plugins(loader::PluginRegistry& reg, const std::vector<std::string>& dirs) {
  for (const auto& problem : reg.load_directories(dirs)) spdlog::warn("{}", problem);
}

/// parse + plugins + validate; prints the errors and returns false on failure. `will_run_paper`:
/// the graph will run in paper mode if it says so, so its libraries are loaded through shadow
/// copies (a strategy may then be rebuilt in place while the bot runs; loader::load_library).
bool load_graph(const Options& opt, loader::PluginRegistry& reg, graph::Graph& g, bool will_run_paper = false) {
  try {
    g = graph::parse_graph(opt.config);
  } catch (const graph::GraphError& e) {
    print_errors(e.errors);
    return false;
  }
  if (will_run_paper && g.bot.mode == graph::Mode::Paper)
    reg.set_shadow_dir(fs::temp_directory_path() / fmt::format("tradehost-shadow-{}", ::getpid()));
  load_plugins(reg, plugin_dirs(opt, g.plugin_paths));
  try {
    graph::validate_graph(g, reg.schema_lookup());
  } catch (const graph::GraphError& e) {
    print_errors(e.errors);
    if (reg.plugins().empty())
      std::fprintf(stderr, "hint: no plugins were loaded; build them first (cmake --build build) or set [plugins] paths\n");
    return false;
  }
  return true;
}

bool parse_time(const std::string& text, const char* what, std::optional<int64_t>& out) {
  if (text.empty()) return true;
  int64_t ns = 0;
  std::string err;
  if (!report::parse_iso8601_utc(text, ns, &err)) {
    std::fprintf(stderr, "error: %s '%s' is not an ISO 8601 time (e.g. 2023-01-05 or 2023-01-05T12:00:00Z): %s\n", what,
                 text.c_str(), err.c_str());
    return false;
  }
  out = ns;
  return true;
}

}  // namespace

int cmd_run(const Options& opt, bool force_backtest) {
  loader::PluginRegistry reg(engine::host_api());
  graph::Graph g;
  if (!load_graph(opt, reg, g, !force_backtest)) return 2;
  if (force_backtest) g.bot.mode = graph::Mode::Backtest;
  engine::RunOptions ro;
  if (!parse_time(opt.from.empty() ? g.bot.from : opt.from, "--from", ro.from_ns)) return 2;
  if (!parse_time(opt.to.empty() ? g.bot.to : opt.to, "--to", ro.to_ns)) return 2;
  if (ro.from_ns && ro.to_ns && *ro.from_ns >= *ro.to_ns) {
    std::fprintf(stderr, "error: --from must be before --to\n");
    return 2;
  }
  ro.out_dir = opt.out.empty() ? g.bot.out : fs::absolute(opt.out);
  if (g.bot.mode == graph::Mode::Backtest) ro.state_path = ro.out_dir / "state.sqlite";
  ro.progress = isatty(STDOUT_FILENO);
  ro.speed = opt.speed;
  ro.unlock_credentials = [](const fs::path& store) { return master_secret(store, false); };
  if (opt.speed && !(*opt.speed > 0)) {
    std::fprintf(stderr, "error: --speed must be positive\n");
    return 2;
  }
  try {
    engine::Engine eng(g, reg, ro);
    spdlog::info("bot {} mode={} config={}", g.bot.name, graph::to_string(g.bot.mode), g.file.string());
    engine::RunResult r = eng.run();
    std::printf("state:   %s (run %lld)\n", r.state_path.string().c_str(), static_cast<long long>(r.run_id));
    if (!r.report_path.empty()) std::printf("report:  %s\ntrades:  %s\n", r.report_path.string().c_str(), r.trades_path.string().c_str());
    if (r.status == "failed") {
      std::fprintf(stderr, "error: run failed: %s\n", r.error.c_str());
      return 1;
    }
    if (r.status == "stopped") std::printf("stopped before the end of the data; state and report saved\n");
    return 0;
  } catch (const engine::EngineError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}

int cmd_check(const Options& opt) {
  loader::PluginRegistry reg(engine::host_api());
  graph::Graph g;
  if (!load_graph(opt, reg, g)) return 2;
  try {
    engine::RunOptions ro;
    ro.out_dir = g.bot.out;
    engine::Engine eng(g, reg, ro);
    eng.prepare();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  std::printf("%s: ok (bot %s, mode %s, %zu connector(s), %zu strateg%s, %zu risk rule(s), %zu notifier(s))\n",
              g.file.string().c_str(), g.bot.name.c_str(), std::string(graph::to_string(g.bot.mode)).c_str(),
              g.connectors.size(), g.strategies.size(), g.strategies.size() == 1 ? "y" : "ies", g.risks.size(),
              g.notifiers.size());
  return 0;
}

int cmd_plugins(const Options& opt) {
  loader::PluginRegistry reg(engine::host_api());
  std::vector<std::string> problems = reg.load_directories(plugin_dirs(opt, opt.paths));
  if (opt.json) {
    rapidjson::StringBuffer sb;
    JsonWriter w(sb);
    w.StartObject();
    w.Key("components");
    w.StartArray();
    for (const auto& p : reg.plugins())
      for (const auto& c : p->components) {
        w.StartObject();
        write_component_members(w, *c);
        w.Key("plugin"); w.String(p->name.c_str());
        w.Key("version"); w.String(p->version.c_str());
        w.Key("abi"); w.String(loader::abi_text(p->abi_version).c_str());
        w.Key("file"); w.String(p->file.string().c_str());
        w.Key("build_id"); w.String(p->build_id.c_str());
        w.Key("file_hash"); w.String(p->file_hash.c_str());
        w.EndObject();
      }
    w.EndArray();
    w.Key("problems");
    w.StartArray();
    for (const auto& pr : problems) w.String(pr.c_str());
    w.EndArray();
    w.EndObject();
    std::printf("%s\n", sb.GetString());
  } else {
    for (const auto& p : reg.plugins())
      for (const auto& c : p->components) {
        std::printf("%-16s %-10s plugin %s %s (ABI %s)  %s\n", c->type_name.c_str(),
                    std::string(graph::kind_name(c->comp.kind)).c_str(), p->name.c_str(), p->version.c_str(),
                    loader::abi_text(p->abi_version).c_str(), p->file.string().c_str());
        std::printf("    %s\n", c->description.c_str());
        for (const auto& f : c->schema.fields)
          std::printf("    %-14s %-9s %s%s%s%s\n", f.key.c_str(), field_type_name(f.type),
                      f.required ? "(required) " : f.default_value.empty() || f.secret ? "" : ("= " + f.default_value + "  ").c_str(),
                      f.description.c_str(), f.unit.empty() ? "" : (" [" + f.unit + "]").c_str(), f.secret ? " [secret]" : "");
      }
    for (const auto& pr : problems) std::fprintf(stderr, "warning: %s\n", pr.c_str());
    if (reg.plugins().empty()) std::fprintf(stderr, "no plugins found\n");
  }
  return problems.empty() ? 0 : 1;
}

int cmd_plugins_inspect(const Options& opt) {
  // A registry of its own holding only this file: its type names cannot clash with the same
  // types found on the plugin paths (e.g. an installed copy of the library being inspected).
  loader::PluginRegistry reg(engine::host_api());
  const std::string refusal = reg.load_file(opt.target);
  if (!refusal.empty()) {
    std::fprintf(stderr, "error: %s\n", refusal.c_str());
    return 2;
  }
  const loader::LoadedPlugin& p = *reg.plugins().front();
  const std::string declared = loader::abi_text(p.abi_version);
  const std::string host = loader::abi_text(TH_ABI_VERSION);
  const std::string negotiated = loader::abi_text(loader::negotiated_abi(p.abi_version));
  const std::string audit = loader::audit_build_id(p);
  if (opt.json) {
    rapidjson::StringBuffer sb;
    JsonWriter w(sb);
    w.StartObject();
    w.Key("file"); w.String(p.file.string().c_str());
    w.Key("plugin"); w.String(p.name.c_str());
    w.Key("version"); w.String(p.version.c_str());
    w.Key("abi");
    w.StartObject();
    w.Key("declared"); w.String(declared.c_str());
    w.Key("host"); w.String(host.c_str());
    w.Key("negotiated"); w.String(negotiated.c_str());
    w.EndObject();
    w.Key("build_id");
    w.StartObject();
    w.Key("declared"); w.String(p.build_id.c_str());
    w.Key("sha256"); w.String(p.file_hash.c_str());
    w.Key("audit"); w.String(audit.c_str());
    w.EndObject();
    w.Key("components");
    w.StartArray();
    for (const auto& c : p.components) {
      w.StartObject();
      write_component_members(w, *c);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    std::printf("%s\n", sb.GetString());
    return 0;
  }
  std::printf("file        %s\n", p.file.string().c_str());
  std::printf("plugin      %s %s\n", p.name.c_str(), p.version.c_str());
  std::printf("abi         %s negotiated (plugin declares %s, host provides %s)\n", negotiated.c_str(), declared.c_str(),
              host.c_str());
  std::printf("build id    %s\n", p.build_id.empty() ? "(none declared)" : p.build_id.c_str());
  std::printf("sha256      %s\n", p.file_hash.c_str());
  std::printf("audit id    %s\n", audit.c_str());
  for (const auto& c : p.components) {
    std::printf("\n%s %s: %s\n", std::string(graph::kind_name(c->comp.kind)).c_str(), c->type_name.c_str(),
                c->description.c_str());
    if (c->schema.fields.empty()) {
      std::printf("  (no config keys)\n");
      continue;
    }
    // A table: column widths from the widest cell, so it reads in any terminal without wrapping
    // the short columns.
    std::vector<std::array<std::string, 6>> rows{{"KEY", "TYPE", "DEFAULT", "UNIT", "FLAGS", "DESCRIPTION"}};
    for (const auto& f : c->schema.fields) {
      std::string flags = f.required ? "required" : "";
      if (f.secret) flags += flags.empty() ? "secret" : ",secret";
      rows.push_back({f.key, field_type_name(f.type), f.secret ? "(secret)" : f.default_value.empty() ? "-" : f.default_value,
                      f.unit.empty() ? "-" : f.unit, flags.empty() ? "-" : flags, f.description});
    }
    std::array<size_t, 5> width{};
    for (const auto& r : rows)
      for (size_t i = 0; i < width.size(); ++i) width[i] = std::max(width[i], r[i].size());
    for (const auto& r : rows) {
      std::string line = "  ";
      for (size_t i = 0; i < width.size(); ++i) line += fmt::format("{:<{}}  ", r[i], width[i]);
      line += r[5];
      std::printf("%s\n", line.c_str());
    }
  }
  return 0;
}

int cmd_plugins_schema(const Options& opt) {
  loader::PluginRegistry reg(engine::host_api());
  const std::vector<std::string> dirs = plugin_dirs(opt, opt.paths);
  // A refused library elsewhere on the path does not stop us describing the type asked for.
  const std::vector<std::string> problems = reg.load_directories(dirs);
  const loader::ComponentInfo* c = reg.find(opt.target);
  if (!c) {
    std::vector<std::string> known;
    for (const auto& p : reg.plugins())
      for (const auto& k : p->components) known.push_back(k->type_name);
    std::sort(known.begin(), known.end());
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    std::string where;
    for (const auto& d : dirs) where += (where.empty() ? "" : ":") + d;
    std::fprintf(stderr, "error: unknown component type '%s'; known types: %s (plugin paths: %s)\n", opt.target.c_str(),
                 list.empty() ? "none" : list.c_str(), where.c_str());
    for (const auto& pr : problems) std::fprintf(stderr, "warning: %s\n", pr.c_str());
    return 2;
  }
  for (const auto& pr : problems) spdlog::warn("{}", pr);
  std::fputs(toml_snippet(*c).c_str(), stdout);
  return 0;
}

int cmd_reload(const Options& opt) {
  graph::Graph g;
  try {
    g = graph::parse_graph(opt.config);
  } catch (const graph::GraphError& e) {
    print_errors(e.errors);
    return 2;
  }
  if (g.bot.mode != graph::Mode::Paper) {
    std::fprintf(stderr, "error: hot reload is only for paper mode; bot '%s' runs in %s mode: restart it to change its code\n",
                 g.bot.name.c_str(), std::string(graph::to_string(g.bot.mode)).c_str());
    return 2;
  }
  const fs::path pid_path = g.bot.state.string() + ".pid";
  long pid = 0;
  if (std::FILE* f = std::fopen(pid_path.c_str(), "r")) {
    if (std::fscanf(f, "%ld", &pid) != 1) pid = 0;
    std::fclose(f);
  }
  if (pid <= 0) {
    std::fprintf(stderr, "error: bot '%s' is not running: %s is missing or unreadable (start it with `tradehost run %s`)\n",
                 g.bot.name.c_str(), pid_path.c_str(), opt.config.c_str());
    return 2;
  }
  // A pid file left by a killed bot may name a dead process, or one reused by something else.
  std::error_code ec;
  const fs::path exe = fs::read_symlink(fmt::format("/proc/{}/exe", pid), ec);
  if (ec || exe.filename() != fs::read_symlink("/proc/self/exe", ec).filename()) {
    std::fprintf(stderr, "error: bot '%s' is not running: %s names pid %ld, which is not a tradehost process (a stale file after a crash?)\n",
                 g.bot.name.c_str(), pid_path.c_str(), pid);
    return 2;
  }
  if (::kill(static_cast<pid_t>(pid), SIGHUP) != 0) {
    std::fprintf(stderr, "error: cannot signal bot '%s' (pid %ld): %s\n", g.bot.name.c_str(), pid, std::strerror(errno));
    return 2;
  }
  std::printf("reload requested from bot '%s' (pid %ld); its log and the 'reload' notifications say the outcome\n",
              g.bot.name.c_str(), pid);
  return 0;
}

}  // namespace tradehost::cli
