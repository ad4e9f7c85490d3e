# tradehost_add_plugin(): how a tradehost plugin is built. One definition, used by the in-tree
# build (sdk/CMakeLists.txt includes it) and by the installed package (tradehost_sdkConfig.cmake
# includes the installed copy), so a plugin built out of tree gets exactly the flags of a bundled
# one. Needs the target tradehost::sdk to exist (both includers define it first).
include_guard(GLOBAL)

# tradehost_add_plugin(NAME SOURCE...)
#
# Builds NAME as a MODULE library libth_NAME.so that the host can load:
#  * -fvisibility=hidden and a linker version script (tradehost_plugin.map, next to this file)
#    that exports exactly th_plugin_entry: libstdc++ gives namespace std default visibility, so
#    -fvisibility=hidden alone leaks template instantiations that could bind across plugins;
#  * -Wl,--no-undefined, so a missing symbol fails the link instead of the host's dlopen;
#  * -Wl,--exclude-libs,ALL, so static libraries linked into the plugin stay hidden too;
#  * -fno-gnu-unique (GNU C++): a GNU-unique symbol makes dlclose a no-op, which would keep an old
#    build of the plugin in memory across a hot reload;
#  * C++17 at least when the project enables C++ (tradehost/plugin.hpp needs it).
# The library lands in ${TRADEHOST_PLUGIN_DIR} when that variable is set (the in-tree build sets
# it to build/plugins), else in the usual CMake output directory (the current binary dir unless
# CMAKE_LIBRARY_OUTPUT_DIRECTORY says otherwise). Point the host at that folder with
# [plugins] paths in the bot's TOML, `tradehost plugins --path DIR` or $TRADEHOST_PLUGIN_PATH.
function(tradehost_add_plugin name)
  if(NOT ARGN)
    message(FATAL_ERROR "tradehost_add_plugin(${name}): give at least one source file")
  endif()
  if(NOT TARGET tradehost::sdk)
    message(FATAL_ERROR "tradehost_add_plugin(${name}): tradehost::sdk is not defined; call find_package(tradehost_sdk) first")
  endif()
  set(version_script "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/tradehost_plugin.map")
  add_library(${name} MODULE ${ARGN})
  target_link_libraries(${name} PRIVATE tradehost::sdk)
  set_target_properties(${name} PROPERTIES
    PREFIX "lib"
    OUTPUT_NAME "th_${name}"
    POSITION_INDEPENDENT_CODE ON
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LINK_DEPENDS "${version_script}")
  if(DEFINED TRADEHOST_PLUGIN_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${TRADEHOST_PLUGIN_DIR}")
  endif()
  target_link_options(${name} PRIVATE -Wl,--no-undefined -Wl,--exclude-libs,ALL
    "-Wl,--version-script=${version_script}")
  if(CMAKE_CXX_COMPILER_LOADED)
    target_compile_features(${name} PRIVATE cxx_std_17)
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      target_compile_options(${name} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-fno-gnu-unique>)
    endif()
  endif()
endfunction()
