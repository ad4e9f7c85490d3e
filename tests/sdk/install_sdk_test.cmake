# `cmake --install <build> --component sdk --prefix <prefix>` alone (ctest: sdk_install, the
# fixture every other SDK test needs). Checks that the component installs exactly the SDK:
# headers, the CMake package and the pkg-config file, nothing of the host; that the headers need
# nothing outside the prefix but the C and C++ standard libraries; and that the package's version
# is the ABI version with same-major compatibility.
include(${CMAKE_CURRENT_LIST_DIR}/sdk_test_support.cmake)
th_require(TH_BINARY_DIR TH_SOURCE_DIR TH_SDK_PREFIX TH_SDK_VERSION TH_GENERATOR TH_WORK)

file(REMOVE_RECURSE "${TH_SDK_PREFIX}")
th_fresh_dir("${TH_WORK}")
th_run(COMMAND ${CMAKE_COMMAND} --install "${TH_BINARY_DIR}" --component sdk --prefix "${TH_SDK_PREFIX}")

# Exactly these files: every header of sdk/include/tradehost, and the package.
file(GLOB headers RELATIVE "${TH_SOURCE_DIR}/sdk/include" "${TH_SOURCE_DIR}/sdk/include/tradehost/*.h"
     "${TH_SOURCE_DIR}/sdk/include/tradehost/*.hpp")
set(expected ${headers})
list(TRANSFORM expected PREPEND "include/")
foreach(f tradehost_sdkConfig.cmake tradehost_sdkConfigVersion.cmake tradehost_sdkTargets.cmake
          TradehostPlugin.cmake tradehost_plugin.map)
  list(APPEND expected "share/cmake/tradehost_sdk/${f}")
endforeach()
list(APPEND expected share/pkgconfig/tradehost_sdk.pc)
file(GLOB_RECURSE installed RELATIVE "${TH_SDK_PREFIX}" "${TH_SDK_PREFIX}/*")
list(SORT expected)
list(SORT installed)
if(NOT installed STREQUAL expected)
  th_fail("the sdk component installed\n  ${installed}\nexpected\n  ${expected}")
endif()
if(NOT "include/tradehost/plugin.h" IN_LIST installed OR NOT "include/tradehost/plugin.hpp" IN_LIST installed)
  th_fail("plugin.h and plugin.hpp must be installed")
endif()

# The headers include only each other and the standard library (no Boost, no host headers).
foreach(h IN LISTS headers)
  file(STRINGS "${TH_SDK_PREFIX}/include/${h}" includes REGEX "^[ \t]*#[ \t]*include")
  foreach(line IN LISTS includes)
    if(line MATCHES "<tradehost/([a-z_]+\\.h(pp)?)>")
      if(NOT "tradehost/${CMAKE_MATCH_1}" IN_LIST headers)
        th_fail("${h} includes ${CMAKE_MATCH_1}, which the SDK does not install")
      endif()
    elseif(NOT line MATCHES "#[ \t]*include <[a-z_]+(\\.h)?>")
      th_fail("${h} includes something outside the SDK and the standard library: ${line}")
    endif()
  endforeach()
endforeach()

# find_package(tradehost_sdk <version>): the ABI version, same major accepted, another refused.
set(probe "${TH_WORK}/probe")
file(WRITE "${probe}/CMakeLists.txt" [=[
cmake_minimum_required(VERSION 3.20)
project(probe LANGUAGES NONE)
find_package(tradehost_sdk ${WANT} REQUIRED)
if(NOT TARGET tradehost::sdk OR NOT COMMAND tradehost_add_plugin)
  message(FATAL_ERROR "the package defines no tradehost::sdk target or no tradehost_add_plugin()")
endif()
get_target_property(inc tradehost::sdk INTERFACE_INCLUDE_DIRECTORIES)
message(STATUS "probe: version=${tradehost_sdk_VERSION} abi=${tradehost_sdk_ABI_MAJOR}.${tradehost_sdk_ABI_MINOR} include=${inc}")
]=])
string(REGEX MATCH "^[0-9]+" major "${TH_SDK_VERSION}")
math(EXPR next_major "${major} + 1")
foreach(want "${TH_SDK_VERSION}" "${major}" "${next_major}")
  set(expect_fail "")
  if(want STREQUAL next_major)
    set(expect_fail EXPECT_FAIL)
  endif()
  file(REMOVE_RECURSE "${probe}/build")
  th_run(${expect_fail} COMMAND ${CMAKE_COMMAND} -S "${probe}" -B "${probe}/build" -G "${TH_GENERATOR}" "-DWANT=${want}"
         "-DCMAKE_PREFIX_PATH=${TH_SDK_PREFIX}" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
         -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF OUTPUT said)
  if(NOT expect_fail)
    file(REAL_PATH "${TH_SDK_PREFIX}/include" include)
    if(NOT said MATCHES "probe: version=${TH_SDK_VERSION} abi=${TH_SDK_VERSION} include=([^\n]+)")
      th_fail("find_package(tradehost_sdk ${want}) reported:\n${said}")
    endif()
    file(REAL_PATH "${CMAKE_MATCH_1}" got_include)
    if(NOT got_include STREQUAL include)
      th_fail("tradehost::sdk's include directory is ${got_include}, not ${include}")
    endif()
  endif()
endforeach()
message(STATUS "SDK ${TH_SDK_VERSION} installed in ${TH_SDK_PREFIX}")
