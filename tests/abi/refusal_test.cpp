// Test 4: PluginRegistry::load_file refuses a library that breaks the ABI contract, with ONE line
// that names the file and says what is wrong and what to do, and keeps nothing of it.
#include "engine/engine.hpp"
#include "loader/plugin_registry.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace {

namespace fs = std::filesystem;
using tradehost::loader::PluginRegistry;

std::string abs_path(const char* file) { return fs::absolute(file).string(); }

/// Loads `file` into a fresh registry, expects a refusal that is one line starting with the
/// file's path, and that nothing was kept; returns the line.
std::string refusal(const char* file, const std::string& type_name) {
  PluginRegistry reg(tradehost::engine::host_api());
  const std::string msg = reg.load_file(file);
  EXPECT_FALSE(msg.empty()) << file << " was accepted";
  EXPECT_EQ(msg.find('\n'), std::string::npos) << "not one line: " << msg;
  EXPECT_EQ(msg.rfind(abs_path(file) + ": ", 0), 0u) << "does not start with the file: " << msg;
  EXPECT_TRUE(reg.plugins().empty()) << "a refused library was kept";
  EXPECT_EQ(reg.find(type_name), nullptr) << "a refused library's component was kept";
  return msg;
}

#define EXPECT_HAS(msg, text) EXPECT_NE((msg).find(text), std::string::npos) << "missing \"" << (text) << "\" in: " << (msg)

TEST(Refusal, AbiMajor2) {
  const std::string m = refusal(TH_ABI_FIXTURE_ABI_MAJOR_2, "fx_abi_major_2");
  EXPECT_HAS(m, "plugin ABI 2.0");
  EXPECT_HAS(m, "host's ABI 1.4");
  EXPECT_HAS(m, "major versions differ");
  EXPECT_HAS(m, "rebuild the plugin against the tradehost 1.x SDK");
}

// The fixture declares the host's minor + 1 (1.5 against this 1.4 host). The line says what the
// plugin needs, what the host has, and both ways out.
TEST(Refusal, AbiMinorNewerThanHost) {
  const std::string m = refusal(TH_ABI_FIXTURE_ABI_MINOR_NEXT, "fx_abi_minor_next");
  EXPECT_HAS(m, "plugin needs ABI 1.5");
  EXPECT_HAS(m, "this host provides ABI 1.4");
  EXPECT_HAS(m, "upgrade tradehost to a version with ABI 1.5 or later");
  EXPECT_HAS(m, "or rebuild the plugin against the tradehost 1.4 SDK");
}

TEST(Refusal, NoEntryPoint) {
  const std::string m = refusal(TH_ABI_FIXTURE_NO_ENTRY, "fx_no_entry");
  EXPECT_HAS(m, "not a tradehost plugin");
  EXPECT_HAS(m, "does not export 'th_plugin_entry'");
  EXPECT_HAS(m, "TH_DECLARE_PLUGIN");
}

TEST(Refusal, StrategyWithoutOnEvent) {
  const std::string m = refusal(TH_ABI_FIXTURE_NO_ON_EVENT, "fx_no_on_event");
  EXPECT_HAS(m, "component 'fx_no_on_event'");
  EXPECT_HAS(m, "(strategy) lacks on_event");
}

TEST(Refusal, OpsStructTooSmallForRequiredCallback) {
  const std::string m = refusal(TH_ABI_FIXTURE_OPS_TOO_SMALL, "fx_ops_too_small");
  EXPECT_HAS(m, "component 'fx_ops_too_small'");
  EXPECT_HAS(m, "strategy ops too small");
}

TEST(Refusal, ComponentStructTooSmall) {
  const std::string m = refusal(TH_ABI_FIXTURE_COMPONENT_TOO_SMALL, "fx_component_too_small");
  // offsetof(th_component, ops) = 104 (abi_layout_pins.h): stops short of the required ops.
  EXPECT_HAS(m, "struct_size 104 is too small for ABI 1.0");
}

TEST(Refusal, EntryReturnsAnError) {
  const std::string m = refusal(TH_ABI_FIXTURE_ENTRY_FAILS, "fx_entry_fails");
  EXPECT_HAS(m, "entry point refused to load");
  EXPECT_HAS(m, "status 3");  // TH_ERR_UNSUPPORTED
}

TEST(Refusal, DuplicateTypeFromTwoLibraries) {
  PluginRegistry reg(tradehost::engine::host_api());
  ASSERT_EQ(reg.load_file(TH_ABI_FIXTURE_DUPLICATE_A), "");
  const std::string m = reg.load_file(TH_ABI_FIXTURE_DUPLICATE_B);
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  EXPECT_EQ(m.rfind(abs_path(TH_ABI_FIXTURE_DUPLICATE_B) + ": ", 0), 0u) << m;
  EXPECT_HAS(m, "component type 'fx_duplicate' is already registered by " + abs_path(TH_ABI_FIXTURE_DUPLICATE_A));
  EXPECT_HAS(m, "remove one of the two libraries");
  // The first registration stands; the second library is not kept.
  ASSERT_EQ(reg.plugins().size(), 1u);
  const auto* c = reg.find("fx_duplicate");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->plugin->file.string(), abs_path(TH_ABI_FIXTURE_DUPLICATE_A));
}

// BUG PROBE. The registry promises "a component type name may be registered only once across all
// plugins" (plugin_registry.hpp; plugin.h: type_name "unique across all loaded plugins"), but
// load_file only compares a library's types with those of libraries loaded BEFORE it: a library
// that registers the same type twice is accepted, and by_type_ silently keeps the last one.
TEST(Refusal, SameTypeTwiceInOneLibrary) {
  const std::string m = refusal(TH_ABI_FIXTURE_SAME_TYPE_TWICE, "fx_same_type_twice");
  EXPECT_HAS(m, "fx_same_type_twice");
}

// BUG PROBE. A C++ plugin built with TH_DECLARE_PLUGIN against a future 2.0 SDK: the macro
// returns TH_ERR_UNSUPPORTED on the major mismatch BEFORE writing info->abi_version, so the host
// never learns the plugin's ABI and prints "plugin entry point refused to load (status 3)"
// instead of the ABI-mismatch line telling the user to rebuild against the 1.x SDK. (plugin.h:
// abi_version is "out: the plugin's"; Vulkan's negotiation writes the version before refusing.)
TEST(Refusal, FutureMajorBuiltWithTheCppGlueIsReportedAsAbiMismatch) {
  const std::string m = refusal(TH_ABI_FIXTURE_FUTURE_MAJOR_GLUE, "abi_future_major");
  EXPECT_HAS(m, "plugin ABI 2.0");
  EXPECT_HAS(m, "rebuild the plugin against the tradehost 1.x SDK");
}

// A directory with good and bad libraries: every bad one is reported on its own line starting
// with its path, and the good ones are loaded anyway.
TEST(Refusal, LoadDirectoriesReportsEachBadLibraryAndKeepsTheGoodOnes) {
  PluginRegistry reg(tradehost::engine::host_api());
  const auto problems = reg.load_directories({fs::path(TH_ABI_FIXTURE_C_BUY_ONCE).parent_path().string()});
  for (const char* bad : {TH_ABI_FIXTURE_ABI_MAJOR_2, TH_ABI_FIXTURE_ABI_MINOR_NEXT, TH_ABI_FIXTURE_NO_ENTRY,
                          TH_ABI_FIXTURE_NO_ON_EVENT, TH_ABI_FIXTURE_OPS_TOO_SMALL, TH_ABI_FIXTURE_COMPONENT_TOO_SMALL,
                          TH_ABI_FIXTURE_ENTRY_FAILS, TH_ABI_FIXTURE_FUTURE_MAJOR_GLUE}) {
    int lines = 0;
    for (const auto& p : problems) lines += p.rfind(abs_path(bad) + ": ", 0) == 0;
    EXPECT_EQ(lines, 1) << bad;
  }
  for (const char* type : {"c_buy_once", "fx_old_strategy", "abi_throw_on_bar", "fx_duplicate"})
    EXPECT_NE(reg.find(type), nullptr) << type;
}

}  // namespace
