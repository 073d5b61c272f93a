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
#
# wsp_plugin_package(<kind> <name> ...) packages a third party's provider
# as the wsp tree packages its own (see the function below).
include_guard(GLOBAL)

if(NOT DEFINED WSP_PLUGIN_MAP OR NOT DEFINED WSP_PLUGIN_INSTALL_DIR)
  message(FATAL_ERROR "WspPlugin.cmake: set WSP_PLUGIN_MAP and WSP_PLUGIN_INSTALL_DIR first (use find_package(wsp))")
endif()
set_property(GLOBAL PROPERTY WSP_PLUGIN_MAP "${WSP_PLUGIN_MAP}")
set_property(GLOBAL PROPERTY WSP_PLUGIN_INSTALL_DIR "${WSP_PLUGIN_INSTALL_DIR}")
set_property(GLOBAL PROPERTY WSP_BUILD_PLUGIN_DIR "${WSP_BUILD_PLUGIN_DIR}")
# WspPackageDocs.cmake and WspDebRepack.cmake lie beside this file, in the
# source tree and in the installed CMake package alike.
set_property(GLOBAL PROPERTY WSP_CMAKE_DIR "${CMAKE_CURRENT_LIST_DIR}")

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

# wsp_plugin_package(<kind> <name> COPYRIGHT <file> CHANGELOG <file>
#                    [LINTIAN_OVERRIDES <file>] [RELEASE <n>])
#
# Sets the CPack variables that make `cpack -G DEB` (and `-G RPM`) package
# the provider wsp_add_plugin(<kind> <name>) built as the wsp tree packages
# its own (cmake/WspPackaging.cmake): one package, wsp-plugin-<kind>-<name>,
# version <project version>-<RELEASE> (RELEASE defaults to 1), under /usr,
# holding the provider in WSP_PLUGIN_INSTALL_DIR and depending on what
# wsp_plugin_package_depends() gives and on the libraries it links
# (dpkg-shlibdeps; rpmbuild's generator). The Debian package gets, as ours:
#
#   COPYRIGHT          /usr/share/doc/<package>/copyright: a DEP-5 file
#                      (the RPM's %license too)
#   CHANGELOG          /usr/share/doc/<package>/changelog.Debian.gz: a
#                      template configure_file() fills in (@ONLY) with
#                      @WSP_PACKAGE@ (the package name), @WSP_DEB_VERSION@,
#                      @WSP_MAINTAINER@ (CPACK_PACKAGE_CONTACT) and
#                      @WSP_CHANGELOG_DATE@ (now, or SOURCE_DATE_EPOCH's)
#   LINTIAN_OVERRIDES  /usr/share/lintian/overrides/<package>, if given
#                      (each override should say why it applies)
#
# and its ELF file stripped into <package>-dbgsym (a .ddeb): build with
# debug information (RelWithDebInfo, Debug). Call it after setting
# CPACK_PACKAGE_CONTACT, CPACK_PACKAGE_DESCRIPTION_SUMMARY and
# CPACK_PACKAGE_DESCRIPTION and before include(CPack); set anything else
# (CPACK_RPM_PACKAGE_LICENSE, ...) as usual.
function(wsp_plugin_package kind name)
  cmake_parse_arguments(ARG "" "COPYRIGHT;CHANGELOG;LINTIAN_OVERRIDES;RELEASE" "" ${ARGN})
  if(NOT ARG_COPYRIGHT OR NOT ARG_CHANGELOG)
    message(FATAL_ERROR "wsp_plugin_package: COPYRIGHT and CHANGELOG are required")
  endif()
  if(NOT CPACK_PACKAGE_CONTACT)
    message(FATAL_ERROR "wsp_plugin_package: set CPACK_PACKAGE_CONTACT first (the maintainer)")
  endif()
  if(NOT DEFINED ARG_RELEASE)
    set(ARG_RELEASE 1)
  endif()
  foreach(f COPYRIGHT CHANGELOG LINTIAN_OVERRIDES)
    if(ARG_${f})
      get_filename_component(ARG_${f} "${ARG_${f}}" ABSOLUTE)
      if(NOT EXISTS "${ARG_${f}}")
        message(FATAL_ERROR "wsp_plugin_package: ${f} ${ARG_${f}} does not exist")
      endif()
    endif()
  endforeach()
  get_property(cmake_dir GLOBAL PROPERTY WSP_CMAKE_DIR)
  get_property(dest GLOBAL PROPERTY WSP_PLUGIN_INSTALL_DIR)
  set(pkg "wsp-plugin-${kind}-${name}")
  wsp_plugin_package_depends(deb_depends rpm_requires)

  # The changelog, as packaging/debian/changelog.in is for ours.
  set(WSP_PACKAGE "${pkg}")
  set(WSP_DEB_VERSION "${PROJECT_VERSION}-${ARG_RELEASE}")
  set(WSP_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
  string(TIMESTAMP WSP_CHANGELOG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
  set(changelog "${CMAKE_CURRENT_BINARY_DIR}/deb/changelog.Debian")
  configure_file("${ARG_CHANGELOG}" "${changelog}" @ONLY)

  # One package holding the one component. The plugin directory is an
  # absolute path: stage it under DESTDIR, the package under /usr.
  set(CPACK_PACKAGE_NAME "${pkg}" PARENT_SCOPE)
  set(CPACK_COMPONENTS_ALL "${pkg}" PARENT_SCOPE)
  set(CPACK_SET_DESTDIR ON PARENT_SCOPE)
  set(CPACK_INSTALL_PREFIX "/usr" PARENT_SCOPE)
  set(CPACK_PACKAGING_INSTALL_PREFIX "/usr" PARENT_SCOPE)
  set(CPACK_DEBIAN_PACKAGE_NAME "${pkg}" PARENT_SCOPE)
  set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT PARENT_SCOPE)
  set(CPACK_DEBIAN_PACKAGE_RELEASE "${ARG_RELEASE}" PARENT_SCOPE)
  set(CPACK_DEBIAN_PACKAGE_SOURCE "${pkg}" PARENT_SCOPE)
  set(CPACK_DEBIAN_PACKAGE_SECTION "libs" PARENT_SCOPE)
  set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional" PARENT_SCOPE)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "${deb_depends}" PARENT_SCOPE)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON PARENT_SCOPE)
  set(CPACK_DEBIAN_DEBUGINFO_PACKAGE ON PARENT_SCOPE)
  set(CPACK_RPM_PACKAGE_NAME "${pkg}" PARENT_SCOPE)
  set(CPACK_RPM_FILE_NAME RPM-DEFAULT PARENT_SCOPE)
  set(CPACK_RPM_PACKAGE_RELEASE "${ARG_RELEASE}" PARENT_SCOPE)
  set(CPACK_RPM_PACKAGE_REQUIRES "${rpm_requires}" PARENT_SCOPE)
  # The copyright as the licence file; the provider named as a plain
  # file, since CPack's RPM generator makes every file installed to an
  # absolute destination (the plugin directory) %config otherwise. (Every
  # entry needs a directive: %attr(-,root,root) keeps the file's mode.)
  set(CPACK_RPM_USER_FILELIST "%license /usr/share/licenses/${pkg}/copyright"
    "%attr(-,root,root) ${dest}/wsp-${kind}-${name}.so" PARENT_SCOPE)
  # What cmake/WspPackageDocs.cmake adds at cpack time, and
  # cmake/WspDebRepack.cmake mends after.
  set(CPACK_PRE_BUILD_SCRIPTS "${cmake_dir}/WspPackageDocs.cmake" PARENT_SCOPE)
  set(CPACK_POST_BUILD_SCRIPTS "${cmake_dir}/WspDebRepack.cmake" PARENT_SCOPE)
  set(CPACK_WSP_COPYRIGHT "${ARG_COPYRIGHT}" PARENT_SCOPE)
  set(CPACK_WSP_CHANGELOG "${changelog}" PARENT_SCOPE)
  set(CPACK_WSP_LINTIAN_OVERRIDES "${ARG_LINTIAN_OVERRIDES}" PARENT_SCOPE)
  # Directories the system owns stay out of the RPM: the library directory
  # above the plugin directory, and the licence directory.
  get_filename_component(libdir "${dest}/../.." ABSOLUTE)
  set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION "${libdir}" "/usr/share/licenses"
    PARENT_SCOPE)
endfunction()
