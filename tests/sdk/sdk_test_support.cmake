# Helpers of the SDK tests, which run in CMake script mode (cmake -P) and drive real commands:
# cmake, the compilers, pkg-config, nm, sqlite3 and the tradehost executable. Every failure is a
# FATAL_ERROR that names what was expected and shows the command's output, so
# `ctest --output-on-failure` says why.
#
# Variables the scripts receive with -D (tests/sdk/CMakeLists.txt passes them): TH_SOURCE_DIR,
# TH_BINARY_DIR, TH_PLUGIN_DIR, TH_TRADEHOST, TH_GENERATOR, TH_MAKE_PROGRAM, TH_C_COMPILER,
# TH_CXX_COMPILER, TH_NM, TH_SQLITE3, TH_PKG_CONFIG, TH_PYTHON, TH_SDK_PREFIX, TH_SDK_VERSION,
# TH_WORK (this test's scratch folder).
cmake_minimum_required(VERSION 3.25)

function(th_fail)
  string(JOIN "" text ${ARGN})
  message(FATAL_ERROR "FAILED: ${text}")
endfunction()

# th_require(VAR...): every variable must be set and non-empty.
function(th_require)
  foreach(var ${ARGN})
    if("${${var}}" STREQUAL "")
      th_fail("${var} is not set; run this script through ctest (tests/sdk/CMakeLists.txt)")
    endif()
  endforeach()
endfunction()

# th_run(COMMAND cmd args... [ENV NAME=VALUE...] [WORKING_DIRECTORY dir] [OUTPUT var] [ERROR var]
#        [EXPECT_FAIL])
# Runs a command with $TRADEHOST_PLUGIN_PATH unset (a developer's own setting must not change
# what the host loads) and fails the test unless it exits 0 (with EXPECT_FAIL: unless it exits
# non-zero). OUTPUT receives stdout, ERROR stderr.
function(th_run)
  cmake_parse_arguments(PARSE_ARGV 0 arg "EXPECT_FAIL" "OUTPUT;ERROR;WORKING_DIRECTORY" "COMMAND;ENV")
  if(NOT arg_WORKING_DIRECTORY)
    set(arg_WORKING_DIRECTORY "${TH_WORK}")
  endif()
  execute_process(
    COMMAND ${CMAKE_COMMAND} -E env --unset=TRADEHOST_PLUGIN_PATH ${arg_ENV} ${arg_COMMAND}
    WORKING_DIRECTORY "${arg_WORKING_DIRECTORY}"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 900)
  string(JOIN " " shown ${arg_ENV} ${arg_COMMAND})
  if(arg_EXPECT_FAIL AND rc EQUAL 0)
    th_fail("expected a failure, but it succeeded: ${shown}\n--- stdout\n${out}\n--- stderr\n${err}")
  elseif(NOT arg_EXPECT_FAIL AND NOT rc EQUAL 0)
    th_fail("exit ${rc}: ${shown}\n--- stdout\n${out}\n--- stderr\n${err}")
  endif()
  message(STATUS "ok (exit ${rc}): ${shown}")
  if(arg_OUTPUT)
    set(${arg_OUTPUT} "${out}" PARENT_SCOPE)
  endif()
  if(arg_ERROR)
    set(${arg_ERROR} "${err}" PARENT_SCOPE)
  endif()
endfunction()

# th_fresh_dir(dir): an empty folder, whatever was there before.
function(th_fresh_dir dir)
  file(REMOVE_RECURSE "${dir}")
  file(MAKE_DIRECTORY "${dir}")
endfunction()

# th_build_against_sdk(SOURCE dir BINARY dir [ARGS cmake-args...])
# A fresh configure and build of an out-of-tree project whose only way to the SDK is
# CMAKE_PREFIX_PATH=${TH_SDK_PREFIX} (no package registries), with the compilers and generator
# of the tradehost build. Fails unless find_package(tradehost_sdk) found the package in that
# prefix.
function(th_build_against_sdk)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "SOURCE;BINARY" "ARGS")
  set(generator -G "${TH_GENERATOR}")
  if(TH_MAKE_PROGRAM)
    list(APPEND generator "-DCMAKE_MAKE_PROGRAM=${TH_MAKE_PROGRAM}")
  endif()
  file(REMOVE_RECURSE "${arg_BINARY}")
  th_run(ENV "CC=${TH_C_COMPILER}" "CXX=${TH_CXX_COMPILER}"
         COMMAND ${CMAKE_COMMAND} -S "${arg_SOURCE}" -B "${arg_BINARY}" ${generator} -DCMAKE_BUILD_TYPE=Release
                 "-DCMAKE_PREFIX_PATH=${TH_SDK_PREFIX}" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
                 -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF ${arg_ARGS})
  file(STRINGS "${arg_BINARY}/CMakeCache.txt" found REGEX "^tradehost_sdk_DIR:")
  if(NOT found STREQUAL "tradehost_sdk_DIR:PATH=${TH_SDK_PREFIX}/share/cmake/tradehost_sdk")
    th_fail("find_package(tradehost_sdk) must find the package installed in ${TH_SDK_PREFIX}; the cache says '${found}'")
  endif()
  th_run(COMMAND ${CMAKE_COMMAND} --build "${arg_BINARY}")
endfunction()

# th_expect_only_entry_exported(file): `nm -D --defined-only` lists th_plugin_entry as a global
# function and nothing else (CONVENTIONS.md rule 8; names the linker itself defines excepted).
function(th_expect_only_entry_exported file)
  if(NOT EXISTS "${file}")
    th_fail("${file} was not built")
  endif()
  th_run(COMMAND "${TH_NM}" -D --defined-only "${file}" OUTPUT listing)
  string(REPLACE "\n" ";" lines "${listing}")
  set(has_entry FALSE)
  set(extra "")
  foreach(line IN LISTS lines)
    if(line MATCHES "^[0-9a-fA-F]+ ([A-Za-z]) (.+)$")
      if(CMAKE_MATCH_2 STREQUAL "th_plugin_entry" AND CMAKE_MATCH_1 STREQUAL "T")
        set(has_entry TRUE)
      elseif(NOT CMAKE_MATCH_2 MATCHES "^(_init|_fini|_edata|_end|__bss_start)$")
        string(APPEND extra "\n  ${CMAKE_MATCH_1} ${CMAKE_MATCH_2}")
      endif()
    elseif(NOT line STREQUAL "")
      th_fail("unexpected nm line for ${file}: ${line}")
    endif()
  endforeach()
  if(NOT has_entry)
    th_fail("${file} does not export th_plugin_entry as a global function:\n${listing}")
  endif()
  if(extra)
    th_fail("${file} exports symbols besides th_plugin_entry:${extra}")
  endif()
endfunction()

# th_json_get(out json key...): string(JSON GET) that fails the test, naming the path, when the
# member is missing.
function(th_json_get out json)
  string(JSON value ERROR_VARIABLE err GET "${json}" ${ARGN})
  if(err)
    string(JOIN "." path ${ARGN})
    th_fail("JSON has no ${path}: ${err}\n${json}")
  endif()
  set(${out} "${value}" PARENT_SCOPE)
endfunction()

# th_expect_component(dir type kind): the host loads every library in `dir` without a problem,
# and one of them registers component `type` of `kind` (connector, strategy, risk, notifier),
# built against the ABI of the installed SDK.
function(th_expect_component dir type kind)
  th_run(COMMAND "${TH_TRADEHOST}" plugins --json --path "${dir}" OUTPUT json)
  th_json_get(problems "${json}" problems)
  string(JSON n_problems LENGTH "${problems}")
  if(NOT n_problems EQUAL 0)
    th_fail("the host refused a library in ${dir}: ${problems}")
  endif()
  th_json_get(components "${json}" components)
  string(JSON n LENGTH "${components}")
  set(found FALSE)
  if(n GREATER 0)
    math(EXPR last "${n} - 1")
    foreach(i RANGE ${last})
      th_json_get(t "${components}" ${i} type)
      if(t STREQUAL type)
        set(found TRUE)
        th_json_get(k "${components}" ${i} kind)
        th_json_get(abi "${components}" ${i} abi)
        th_json_get(file "${components}" ${i} file)
        if(NOT k STREQUAL kind)
          th_fail("component ${type} is a ${k}, expected a ${kind}")
        endif()
        if(NOT abi STREQUAL TH_SDK_VERSION)
          th_fail("component ${type} reports ABI ${abi}; the installed SDK is ${TH_SDK_VERSION}")
        endif()
        cmake_path(IS_PREFIX dir "${file}" NORMALIZE inside)
        if(NOT inside)
          th_fail("component ${type} came from ${file}, not from ${dir}")
        endif()
      endif()
    endforeach()
  endif()
  if(NOT found)
    th_fail("no component '${type}' among the ${n} the host loaded from ${dir}:\n${json}")
  endif()
endfunction()

# th_sqlite(out db sql): the query's result rows, one per line, '|' between columns.
function(th_sqlite out db sql)
  th_run(COMMAND "${TH_SQLITE3}" -batch -noheader "${db}" "${sql}" OUTPUT rows)
  string(STRIP "${rows}" rows)
  set(${out} "${rows}" PARENT_SCOPE)
endfunction()

# th_fixed(out text scale): exact decimal text ("16716.5", "-0.25") as an integer at 10^-scale,
# for exact comparisons with math(EXPR). Fails on a digit below 10^-scale that is not zero.
function(th_fixed out text scale)
  if(NOT text MATCHES "^(-?)([0-9]+)(\\.([0-9]*))?$")
    th_fail("'${text}' is not a decimal number")
  endif()
  set(sign "${CMAKE_MATCH_1}")
  set(int "${CMAKE_MATCH_2}")
  set(frac "${CMAKE_MATCH_4}")
  string(LENGTH "${frac}" len)
  while(len GREATER scale)
    if(NOT frac MATCHES "0$")
      th_fail("'${text}' has non-zero digits below 10^-${scale}")
    endif()
    string(REGEX REPLACE "0$" "" frac "${frac}")
    math(EXPR len "${len} - 1")
  endwhile()
  while(len LESS scale)
    string(APPEND frac "0")
    math(EXPR len "${len} + 1")
  endwhile()
  string(REGEX REPLACE "^0+([0-9])" "\\1" digits "${int}${frac}")
  set(${out} "${sign}${digits}" PARENT_SCOPE)
endfunction()
