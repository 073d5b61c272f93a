# Debian packages through CPack (`cpack -G DEB` in the build directory),
# one per install component:
#
#   libwsp2                    the core library; Provides: wsp-plugin-abi-<N>
#   wsp                        the CLI
#   libwsp-dev                 headers, libwsp.so, .pc files, CMake package,
#                              plugin.map, the provider template
#   wsp-plugin-<kind>-<name>   one provider each;
#                              Depends: wsp-plugin-abi-<N>, libwsp2 (>= V)
#
# The virtual wsp-plugin-abi-<N> follows Debian's X.org drivers: the core
# provides the ABI it loads, every provider depends on it, so a core with a
# new ABI major makes apt refuse (or remove) a stale provider before any
# dlopen happens. Providers also name libwsp2 (>= this release), the first
# core with the ABI minor they were built with. Every package gets its
# shared-library dependencies from dpkg-shlibdeps: exactly what it links.
#
# Included last from the top-level CMakeLists.txt, after every provider has
# registered its component through wsp_add_plugin().
#
# The packages install under CMAKE_INSTALL_PREFIX, the prefix the core was
# compiled for (it looks for providers in ${libdir}/wsp/plugins): configure
# with -DCMAKE_INSTALL_PREFIX=/usr to build packages for a distribution.

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "wsp")
set(CPACK_PACKAGE_VENDOR "wsp project")
set(CPACK_PACKAGE_CONTACT "wsp maintainers <maintainers@wsp.example.org>")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_PACKAGE_DIRECTORY "${CMAKE_BINARY_DIR}/packages")
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# libwsp.so.2 is not installed on the build host: let dpkg-shlibdeps find it
# in the build tree (the dependency on libwsp2 is declared below).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS "${CMAKE_BINARY_DIR}/core")
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)

set(_wsp_abi_pkg "wsp-plugin-abi-${WSP_PLUGIN_ABI_MAJOR}")
set(_wsp_core_dep "libwsp2 (>= ${PROJECT_VERSION})")

# libwsp2
set(CPACK_COMPONENT_LIBWSP2_DESCRIPTION
  "wsp core library\n libwsp loads wsp providers (files and sandboxes for AI agents)\n from ${CMAKE_INSTALL_FULL_LIBDIR}/wsp/plugins and validates their configuration.")
set(CPACK_DEBIAN_LIBWSP2_PACKAGE_NAME "libwsp2")
set(CPACK_DEBIAN_LIBWSP2_PACKAGE_SECTION "libs")
set(CPACK_DEBIAN_LIBWSP2_PACKAGE_PROVIDES "${_wsp_abi_pkg}")
# libwsp loads libcurl.so.4 on its first HTTP call (core/curl_lazy.c), so
# dpkg-shlibdeps cannot see it: say it (its other libraries it does see).
set(CPACK_DEBIAN_LIBWSP2_PACKAGE_DEPENDS "libcurl4 (>= 7.74)")
# What dh_makeshlibs would add: a shlibs file, so packages built against
# libwsp2 get "Depends: libwsp2 (>= V)" from dpkg-shlibdeps, and the
# ldconfig trigger, so the new SONAME link is found at once. (CPack's own
# GENERATE_SHLIBS is global and would complain about every provider, which
# has no SONAME by design.)
file(WRITE "${CMAKE_BINARY_DIR}/deb/libwsp2/shlibs"
  "libwsp 2 libwsp2 (>= ${PROJECT_VERSION})\n")
file(WRITE "${CMAKE_BINARY_DIR}/deb/libwsp2/triggers"
  "activate-noawait ldconfig\n")
set(CPACK_DEBIAN_LIBWSP2_PACKAGE_CONTROL_EXTRA
  "${CMAKE_BINARY_DIR}/deb/libwsp2/shlibs;${CMAKE_BINARY_DIR}/deb/libwsp2/triggers")
set(CPACK_DEBIAN_LIBWSP2_PACKAGE_CONTROL_STRICT_PERMISSION ON)

# wsp (the CLI)
set(CPACK_COMPONENT_WSP_DESCRIPTION
  "wsp command line\n Runs commands in a configured sandbox and works with the files of a\n wsp workspace.")
set(CPACK_COMPONENT_WSP_DEPENDS libwsp2)
set(CPACK_DEBIAN_WSP_PACKAGE_NAME "wsp")
set(CPACK_DEBIAN_WSP_PACKAGE_SECTION "utils")

# libwsp-dev
set(CPACK_COMPONENT_LIBWSP-DEV_DESCRIPTION
  "wsp SDK: headers, pkg-config files and CMake package\n For programs that embed libwsp and for third-party providers\n (wsp_add_plugin, wsp-plugin.pc, the provider template).")
set(CPACK_COMPONENT_LIBWSP-DEV_DEPENDS libwsp2)
set(CPACK_DEBIAN_LIBWSP-DEV_PACKAGE_NAME "libwsp-dev")
set(CPACK_DEBIAN_LIBWSP-DEV_PACKAGE_SECTION "libdevel")

# One package per provider.
get_property(_wsp_plugin_components GLOBAL PROPERTY WSP_PLUGIN_COMPONENTS)
foreach(comp IN LISTS _wsp_plugin_components)
  string(TOUPPER "${comp}" COMP)
  string(REGEX REPLACE "^wsp-plugin-([a-z]+)-(.*)$" "\\1 provider '\\2'" _what "${comp}")
  set(CPACK_COMPONENT_${COMP}_DESCRIPTION
    "wsp ${_what}\n A provider for wsp, loaded at run time by libwsp.")
  set(CPACK_DEBIAN_${COMP}_PACKAGE_NAME "${comp}")
  set(CPACK_DEBIAN_${COMP}_PACKAGE_SECTION "libs")
  set(CPACK_DEBIAN_${COMP}_PACKAGE_DEPENDS "${_wsp_abi_pkg}, ${_wsp_core_dep}")
endforeach()

set(CPACK_COMPONENTS_ALL libwsp2 wsp libwsp-dev ${_wsp_plugin_components})

# Anything installed outside these components would silently miss every
# package: refuse it here rather than ship an incomplete set.
get_cmake_property(_wsp_all_components COMPONENTS)
foreach(comp IN LISTS _wsp_all_components)
  if(NOT comp IN_LIST CPACK_COMPONENTS_ALL)
    message(WARNING "install component '${comp}' is in no Debian package; "
      "give its install() rule a COMPONENT (see cmake/WspPackaging.cmake)")
  endif()
endforeach()

include(CPack)
