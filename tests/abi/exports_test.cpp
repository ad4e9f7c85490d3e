// Test 3: a plugin exports exactly one symbol, th_plugin_entry (CONVENTIONS.md rule 8; Boost.DLL
// and ABI_ANCHORS.md section 10 rule 8). Checked with `nm -D --defined-only` on every real plugin
// in the default plugin folder and on the C and C++ fixtures.
//
// What counts: every line nm prints is a DEFINED dynamic symbol (undefined ones are filtered by
// --defined-only; nm -D prints no section symbols). Any of them other than th_plugin_entry is a
// failure, whatever its letter: T/D/B/R (global), W/V (weak: vague-linkage template code and
// static locals of inline functions, e.g. libstdc++'s std::__detail::__to_chars_10_impl digits,
// which the header marks visibility("default") so -fvisibility=hidden alone does not hide them),
// u (GNU unique), i (ifunc). Each such symbol can be interposed by, or bind to, a same-named
// symbol elsewhere in the process -- exactly what hiding everything is meant to prevent.
// The one exception: names the LINKER itself defines (_init, _fini, _edata, _end, __bss_start).
// Older GNU ld put them in .dynsym of every shared object; they come from crti/crtn and the
// linker script, not from plugin code, are reserved identifiers no plugin can define, and the
// loader reaches _init/_fini through DT_INIT/DT_FINI, not by name. With the toolchain here
// (binutils 2.40) they do not appear at all.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Symbol {
  char type;
  std::string name;
};

/// The defined dynamic symbols of `file`, parsed from `nm -D --defined-only`.
std::vector<Symbol> defined_dynamic_symbols(const fs::path& file) {
  const std::string cmd = std::string(TH_NM) + " -D --defined-only '" + file.string() + "' 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("cannot run " + cmd);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int rc = ::pclose(p);
  if (rc != 0) throw std::runtime_error(cmd + " failed: " + out);
  std::vector<Symbol> syms;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream f(line);
    std::string addr, type, name;
    if (!(f >> addr >> type >> name)) throw std::runtime_error("unexpected nm line in " + file.string() + ": " + line);
    syms.push_back({type[0], name});
  }
  return syms;
}

/// Every exported symbol other than th_plugin_entry and the linker-defined names, as "X name".
std::vector<std::string> extra_exports(const fs::path& file, bool& has_entry) {
  static const std::set<std::string> kLinkerDefined = {"_init", "_fini", "_edata", "_end", "__bss_start"};
  has_entry = false;
  std::vector<std::string> extra;
  for (const auto& s : defined_dynamic_symbols(file)) {
    if (s.name == "th_plugin_entry" && s.type == 'T') has_entry = true;
    else if (!kLinkerDefined.count(s.name)) extra.push_back(std::string(1, s.type) + " " + s.name);
  }
  return extra;
}

void expect_only_the_entry(const fs::path& file) {
  SCOPED_TRACE(file.string());
  bool has_entry = false;
  const auto extra = extra_exports(file, has_entry);
  EXPECT_TRUE(has_entry) << file << " does not export th_plugin_entry as a global function (T)";
  std::string listing;
  for (const auto& e : extra) listing += "\n  " + e;
  EXPECT_TRUE(extra.empty()) << file.filename().string() << " exports " << extra.size()
                             << " symbol(s) besides th_plugin_entry:" << listing;
}

TEST(Exports, EveryRealPluginExportsOnlyTheEntry) {
  std::set<std::string> seen;
  for (const auto& e : fs::directory_iterator(TH_PLUGIN_DIR))
    if (e.path().extension() == ".so") {
      seen.insert(e.path().filename().string());
      expect_only_the_entry(e.path());
    }
  for (const char* name : {"libth_replay.so", "libth_ema_crossover.so", "libth_max_position.so",
                           "libth_max_daily_loss.so", "libth_log_notifier.so"})
    EXPECT_TRUE(seen.count(name)) << name << " is missing from " << TH_PLUGIN_DIR;
}

TEST(Exports, CFixtureExportsOnlyTheEntry) { expect_only_the_entry(TH_ABI_FIXTURE_C_BUY_ONCE); }

TEST(Exports, CppFixtureExportsOnlyTheEntry) { expect_only_the_entry(TH_ABI_FIXTURE_CPP_CONTAINMENT); }

// Built outside tradehost_add_plugin (against the frozen 1.0 header only), with the same options.
TEST(Exports, FrozenV1_0FixtureExportsOnlyTheEntry) { expect_only_the_entry(TH_ABI_FIXTURE_V1_0_PLUGIN); }

// The check itself can see a second export: the misnamed-entry fixture exports one symbol, and
// it is not th_plugin_entry.
TEST(Exports, CheckSeesOtherExports) {
  bool has_entry = true;
  const auto extra = extra_exports(TH_ABI_FIXTURE_NO_ENTRY, has_entry);
  EXPECT_FALSE(has_entry);
  ASSERT_EQ(extra.size(), 1u);
  EXPECT_EQ(extra[0], "T tradehost_plugin_entry");
}

}  // namespace
