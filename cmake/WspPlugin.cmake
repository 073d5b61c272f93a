# wsp_add_plugin(<kind> <name> SOURCES ... [LIBRARIES ...])
#
# Builds wsp-<kind>-<name>.so as a MODULE that exports only its entry
# symbol (hidden visibility + the plugin version script), links no libwsp
# (-z defs proves it uses only the host table), and installs it into the
# plugin directory as the install component wsp-plugin-<kind>-<name> (one
# Debian package per provider).
#
# The same file serves the wsp source tree and third parties: the source
# tree sets WSP_PLUGIN_MAP (sdk/plugin.map), WSP_PLUGIN_INSTALL_DIR
# (relative to its prefix) and WSP_BUILD_PLUGIN_DIR before including it;
# the installed wspConfig.cmake sets WSP_PLUGIN_MAP to the installed map and
# WSP_PLUGIN_INSTALL_DIR to the plugin directory of that installation. The
# values are captured when this file is included, so the function works
# from any directory of the project that calls find_package(wsp).
#
# wsp_plugin_package_depends(<deb-var> [<rpm-var>]) gives what a provider's
# package depends on besides the libraries it links, for the wsp tree's
# packages and a third party's alike (sdk/template/CMakeLists.txt).
include_guard(GLOBAL)

if(NOT DEFINED WSP_PLUGIN_MAP OR NOT DEFINED WSP_PLUGIN_INSTALL_DIR)
  message(FATAL_ERROR "WspPlugin.cmake: set WSP_PLUGIN_MAP and WSP_PLUGIN_INSTALL_DIR first (use find_package(wsp))")
endif()
set_property(GLOBAL PROPERTY WSP_PLUGIN_MAP "${WSP_PLUGIN_MAP}")
set_property(GLOBAL PROPERTY WSP_PLUGIN_INSTALL_DIR "${WSP_PLUGIN_INSTALL_DIR}")
set_property(GLOBAL PROPERTY WSP_BUILD_PLUGIN_DIR "${WSP_BUILD_PLUGIN_DIR}")

function(wsp_add_plugin kind name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT kind MATCHES "^(fs|sandbox)$")
    message(FATAL_ERROR "wsp_add_plugin: kind must be fs or sandbox, not '${kind}'")
  endif()
  # Also a Debian package name component: no upper case, no underscore.
  if(NOT name MATCHES "^[a-z][a-z0-9-]*$")
    message(FATAL_ERROR "wsp_add_plugin: name '${name}' must be lower-case letters, digits and '-'")
  endif()
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "wsp_add_plugin: ${kind} '${name}' has no SOURCES")
  endif()
  get_property(map GLOBAL PROPERTY WSP_PLUGIN_MAP)
  get_property(dest GLOBAL PROPERTY WSP_PLUGIN_INSTALL_DIR)
  get_property(build_dir GLOBAL PROPERTY WSP_BUILD_PLUGIN_DIR)

  set(tgt "wsp-${kind}-${name}")
  add_library(${tgt} MODULE ${ARG_SOURCES})
  target_link_libraries(${tgt} PRIVATE wsp::plugin-sdk ${ARG_LIBRARIES})
  set_target_properties(${tgt} PROPERTIES
    PREFIX "" SUFFIX ".so" OUTPUT_NAME "${tgt}"
    C_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON
    LINK_DEPENDS "${map}")
  if(build_dir)
    set_target_properties(${tgt} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${build_dir}")
  endif()
  target_link_options(${tgt} PRIVATE "LINKER:--version-script=${map}")
  # -z defs proves a provider uses nothing but the host table; the wsp
  # tree's sanitizer builds resolve their runtime from the executable, so
  # skip it there (WSP_SANITIZE is never set for a third party).
  if(NOT WSP_SANITIZE)
    target_link_options(${tgt} PRIVATE "LINKER:-z,defs")
  endif()
  install(TARGETS ${tgt} LIBRARY DESTINATION "${dest}"
    COMPONENT "wsp-plugin-${kind}-${name}")
  # Packaging (cmake/WspPackaging.cmake) makes one package per provider.
  set_property(GLOBAL APPEND PROPERTY WSP_PLUGIN_COMPONENTS "wsp-plugin-${kind}-${name}")
  set_property(GLOBAL APPEND PROPERTY WSP_PLUGIN_TARGETS "${tgt}")
endfunction()

# wsp_plugin_package_depends(<deb-var> [<rpm-var>]): a provider package's
# relations to the core, as a Debian Depends value
# ("wsp-plugin-abi-<N>, libwsp2 (>= <release>)") and an RPM Requires one.
#
# The core package (libwsp2) provides the virtual wsp-plugin-abi-<N> of the
# plugin ABI major it loads, and every provider depends on it: a core of
# another major leaves a provider's dependency unmet, so the package
# manager refuses the provider (or the core's upgrade) before any dlopen
# has to. The version is the wsp release of this SDK, whose core has the
# plugin ABI minor the provider is built against (an earlier core with that
# minor would do too: the floor errs on the safe side, as dpkg-shlibdeps's
# does). Reads WSP_PLUGIN_ABI_MAJOR and WSP_RELEASE, which the wsp tree and
# the installed wspConfig.cmake set. docs/sdk.md, "Why a virtual ABI
# package", says why the core provides and the provider depends.
function(wsp_plugin_package_depends deb_var)
  if(NOT WSP_PLUGIN_ABI_MAJOR MATCHES "^[0-9]+$" OR NOT WSP_RELEASE)
    message(FATAL_ERROR "wsp_plugin_package_depends: WSP_PLUGIN_ABI_MAJOR or WSP_RELEASE unset (use find_package(wsp))")
  endif()
  set(abi "wsp-plugin-abi-${WSP_PLUGIN_ABI_MAJOR}")
  set(${deb_var} "${abi}, libwsp2 (>= ${WSP_RELEASE})" PARENT_SCOPE)
  if(ARGC GREATER 1)
    set(${ARGV1} "${abi}, libwsp2 >= ${WSP_RELEASE}" PARENT_SCOPE)
  endif()
endfunction()
