# tools/new-plugin KIND, out of tree, end to end against the INSTALLED SDK
# (ctest: sdk_new_plugin_<kind>):
#   1. generate a `gen_<kind>` skeleton into a scratch folder; the generator refuses to write
#      over it, a malformed NAME and a NAME the repository already uses;
#   2. configure and build the project with only CMAKE_PREFIX_PATH=<prefix> (and the system's
#      GoogleTest), then run its generated unit test through its own ctest;
#   3. the library exports th_plugin_entry alone, `tradehost plugins --json` lists the component
#      with its kind, and the sample config passes `tradehost check` and runs a backtest on the
#      bundled data, with what the skeleton does as generated visible in the results.
include(${CMAKE_CURRENT_LIST_DIR}/sdk_test_support.cmake)
th_require(KIND TH_SOURCE_DIR TH_PLUGIN_DIR TH_TRADEHOST TH_GENERATOR TH_C_COMPILER TH_CXX_COMPILER TH_NM TH_SQLITE3
           TH_PYTHON TH_SDK_PREFIX TH_SDK_VERSION TH_WORK)

set(name gen_${KIND})
set(project "${TH_WORK}/${name}")
set(generator "${TH_PYTHON}" "${TH_SOURCE_DIR}/tools/new-plugin")
th_fresh_dir("${TH_WORK}")

th_run(COMMAND ${generator} ${KIND} ${name} --out-of-tree "${project}" --host-plugins "${TH_PLUGIN_DIR}")
file(GLOB_RECURSE written RELATIVE "${project}" "${project}/*")
list(SORT written)
set(expected ".gitignore" CMakeLists.txt README.md ${name}.cpp ${name}.toml test/${name}_test.cpp test/fake_host.hpp)
list(SORT expected)
if(NOT written STREQUAL expected)
  th_fail("new-plugin wrote\n  ${written}\nexpected\n  ${expected}")
endif()
th_run(EXPECT_FAIL COMMAND ${generator} ${KIND} ${name} --out-of-tree "${project}" ERROR said)
if(NOT said MATCHES "not an empty folder")
  th_fail("a second run into the same folder should be refused as such: ${said}")
endif()
th_run(EXPECT_FAIL COMMAND ${generator} ${KIND} Bad-Name --out-of-tree "${TH_WORK}/bad" ERROR said)
th_run(EXPECT_FAIL COMMAND ${generator} ${KIND} replay --out-of-tree "${TH_WORK}/taken" ERROR said_taken)
if(NOT said MATCHES "must match" OR NOT said_taken MATCHES "already" OR EXISTS "${TH_WORK}/bad"
   OR EXISTS "${TH_WORK}/taken")
  th_fail("bad or taken names should be refused before anything is written:\n${said}\n${said_taken}")
endif()

th_build_against_sdk(SOURCE "${project}" BINARY "${project}/build" ARGS "-DCMAKE_CXX_FLAGS=-Werror")
cmake_path(GET CMAKE_COMMAND PARENT_PATH cmake_bin)  # the ctest that comes with this cmake
th_run(COMMAND "${cmake_bin}/ctest" --test-dir "${project}/build" --output-on-failure OUTPUT said)
if(NOT said MATCHES "100% tests passed, 0 tests failed out of ([0-9]+)" OR CMAKE_MATCH_1 LESS 2)
  th_fail("the generated unit test should run at least 2 tests and pass:\n${said}")
endif()
th_expect_only_entry_exported("${project}/build/libth_${name}.so")
th_expect_component("${project}/build" ${name} ${KIND})

# The sample config, as generated: ["build", <host plugins>] and the bundled data file.
set(config "${project}/${name}.toml")
th_run(COMMAND "${TH_TRADEHOST}" check "${config}")
th_run(COMMAND "${TH_TRADEHOST}" backtest "${config}" ERROR log)
file(READ "${project}/out/report.json" report)
th_json_get(bars "${report}" bars)
th_json_get(trades "${report}" trades)
set(db "${project}/out/state.sqlite")
if(KIND STREQUAL "strategy")
  # Holds on every bar of the data.
  th_sqlite(orders "${db}" "SELECT count(*) FROM orders")
  if(NOT bars EQUAL 10999 OR NOT orders EQUAL 0)
    th_fail("the strategy skeleton should see all 10999 bars and hold: ${bars} bars, ${orders} orders")
  endif()
elseif(KIND STREQUAL "connector")
  # Defines BTC/USDT and has no data yet: the run ends at once.
  if(NOT bars EQUAL 0)
    th_fail("the connector skeleton has no data, yet the run saw ${bars} bars")
  endif()
elseif(KIND STREQUAL "risk")
  # ema_crossover buys 95% of 10000 USDT, above 0.5 BTC at January 2023 prices: refused by the
  # rule, with its reason; smaller entries pass and trade.
  th_sqlite(refused "${db}" "SELECT count(*) FROM rejections WHERE reason LIKE '%exceeds max_order_qty 0.5%'")
  if(NOT refused GREATER 0 OR NOT trades GREATER 0)
    th_fail("the rule should refuse some entries above 0.5 BTC and pass others: ${refused} refused, ${trades} trades")
  endif()
elseif(KIND STREQUAL "notifier")
  # One log line per fill, plus the summary.
  th_sqlite(fills "${db}" "SELECT count(*) FROM fills")
  string(REGEX MATCHALL "gen_notifier \\[fill\\] (buy|sell) [0-9.]+ BTC/USDT" lines "${log}")
  list(LENGTH lines n_lines)
  if(NOT n_lines EQUAL fills OR fills EQUAL 0 OR NOT log MATCHES "gen_notifier \\[summary\\] run ")
    th_fail("expected one log line per fill (${fills}) and a summary; found ${n_lines} fill lines in:\n${log}")
  endif()
else()
  th_fail("unknown KIND '${KIND}'")
endif()
message(STATUS "new-plugin ${KIND}: generated, built, tested, loaded and run")
