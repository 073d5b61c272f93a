# Debian packages and RPMs through CPack (`cpack -G DEB`, `cpack -G RPM`
# in the build directory), one per install component:
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
# The packages install under /usr whatever CMAKE_INSTALL_PREFIX is: the
# installed core finds its providers beside itself (core/loader/loader.c) and the
# programs find libwsp through $ORIGIN run paths, so the build's own prefix
# is never compiled into what the packages run.
#
# Debian packages also get (cmake/WspPackageDocs.cmake, at cpack time) the
# DEP-5 copyright (packaging/debian/copyright), changelog.Debian.gz and their
# lintian overrides (packaging/debian/lintian-overrides, each with its
# reason); their ELF files are stripped into <package>-dbgsym .ddebs, which
# cmake/WspDebRepack.cmake mends after CPack has written them. A third
# party's provider package gets the same through wsp_plugin_package()
# (cmake/WspPlugin.cmake; libwsp-dev installs both scripts beside it).

# RPMs only where rpmbuild is (Debian: the rpm package).
find_program(WSP_RPMBUILD rpmbuild)
set(CPACK_GENERATOR "DEB")
if(WSP_RPMBUILD)
  list(APPEND CPACK_GENERATOR "RPM")
endif()
set(CPACK_PACKAGE_NAME "wsp")
set(CPACK_PACKAGE_VENDOR "wsp project")
set(CPACK_PACKAGE_CONTACT "wsp maintainers <maintainers@wsp.example.org>")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
# Each package's description starts with its own synopsis (its other lines
# without a leading space: CPack adds one). CPack puts the
# project's summary before every component's description unless it is
# CPack's placeholder (CPackDeb.cmake), which is no package's synopsis.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CMAKE_PROJECT_NAME} built using CMake")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
foreach(_wsp_dir LIBDIR BINDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${_wsp_dir}}")
    message(WARNING "CMAKE_INSTALL_${_wsp_dir} is absolute (${CMAKE_INSTALL_${_wsp_dir}}): "
      "the packages may install outside /usr")
  endif()
endforeach()
set(CPACK_PACKAGE_DIRECTORY "${CMAKE_BINARY_DIR}/packages")
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# Version <release>-1: a Debian revision, since these packages are not the
# upstream tree itself (so the changelog is changelog.Debian.gz).
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SOURCE "wsp")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# Stripped ELF files; their debug information in <package>-dbgsym.
set(CPACK_DEBIAN_DEBUGINFO_PACKAGE ON)
# What cmake/WspPackageDocs.cmake adds to each package at cpack time.
set(CPACK_PRE_BUILD_SCRIPTS "${CMAKE_CURRENT_LIST_DIR}/WspPackageDocs.cmake")
set(CPACK_POST_BUILD_SCRIPTS "${CMAKE_CURRENT_LIST_DIR}/WspDebRepack.cmake")
set(CPACK_WSP_COPYRIGHT "${PROJECT_SOURCE_DIR}/packaging/debian/copyright")
set(CPACK_WSP_LINTIAN_OVERRIDES "${PROJECT_SOURCE_DIR}/packaging/debian/lintian-overrides")
set(CPACK_WSP_CHANGELOG "${CMAKE_BINARY_DIR}/deb/changelog.Debian")
set(WSP_DEB_VERSION "${PROJECT_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE}")
set(WSP_MAINTAINER "wsp maintainers <maintainers@wsp.example.org>")
# The time of the build, or SOURCE_DATE_EPOCH's for a reproducible one.
string(TIMESTAMP WSP_CHANGELOG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
configure_file("${PROJECT_SOURCE_DIR}/packaging/debian/changelog.in"
  "${CPACK_WSP_CHANGELOG}" @ONLY)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# libwsp.so.2 is not installed on the build host: let dpkg-shlibdeps find it
# in the build tree (the dependency on libwsp2 is declared below).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS "${CMAKE_BINARY_DIR}/core")
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)

set(_wsp_abi_pkg "wsp-plugin-abi-${WSP_PLUGIN_ABI_MAJOR}")
# The relations every provider package has, ours and third parties'
# (cmake/WspPlugin.cmake).
set(WSP_RELEASE "${PROJECT_VERSION}")
wsp_plugin_package_depends(_wsp_plugin_depends)

# libwsp2
set(CPACK_COMPONENT_LIBWSP2_DESCRIPTION
  "wsp core library\nlibwsp loads wsp providers (files and sandboxes for AI agents)\nfrom /usr/${CMAKE_INSTALL_LIBDIR}/wsp/plugins and validates their\nconfiguration.")
set(CPACK_DEBIAN_LIBWSP2_PACKAGE_NAME "libwsp2")
set(CPACK_DEBIAN_LIBWSP2_PACKAGE_SECTION "libs")
set(CPACK_DEBIAN_LIBWSP2_PACKAGE_PROVIDES "${_wsp_abi_pkg}")
# libwsp loads libcurl.so.4 on its first HTTP call (core/host/curl_lazy.c) and
# libsqlite3.so.0 on search's first use (core/search_libs.c; 3.20 has every
# call it makes), so dpkg-shlibdeps cannot see them: say them (its other
# libraries it does see; libm is libc6's).
set(CPACK_DEBIAN_LIBWSP2_PACKAGE_DEPENDS
  "libcurl4 (>= 7.74), libsqlite3-0 (>= 3.20.0)")
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
  "command line for the workspaces and sandboxes of AI agents\nRuns commands in a configured sandbox and works with the files of a\nwsp workspace.")
set(CPACK_COMPONENT_WSP_DEPENDS libwsp2)
set(CPACK_DEBIAN_WSP_PACKAGE_NAME "wsp")
set(CPACK_DEBIAN_WSP_PACKAGE_SECTION "utils")

# libwsp-dev
set(CPACK_COMPONENT_LIBWSP-DEV_DESCRIPTION
  "wsp SDK: headers, pkg-config files and CMake package\nFor programs that embed libwsp and for third-party providers\n(wsp_add_plugin, wsp-plugin.pc, the provider template).")
set(CPACK_COMPONENT_LIBWSP-DEV_DEPENDS libwsp2)
set(CPACK_DEBIAN_LIBWSP-DEV_PACKAGE_NAME "libwsp-dev")
set(CPACK_DEBIAN_LIBWSP-DEV_PACKAGE_SECTION "libdevel")

# What providers use at run time besides the libraries they link (those
# come from dpkg-shlibdeps). Recommends: the provider's default path
# uses it; Suggests: one option does.
#   sandbox-local  isolation: auto (the default) runs commands under
#                  bubblewrap when it is installed, with none when not;
#                  an S3 workspace's mount runs s3fs and fusermount3
#   remote ones    HTTPS through libcurl, which needs the CA certificates
set(_wsp_recommends_wsp-plugin-sandbox-local "bubblewrap")
set(_wsp_suggests_wsp-plugin-sandbox-local "s3fs, fuse3")
foreach(comp wsp-plugin-fs-s3 wsp-plugin-fs-gcs wsp-plugin-sandbox-e2b
             wsp-plugin-sandbox-daytona wsp-plugin-sandbox-blaxel)
  set(_wsp_recommends_${comp} "ca-certificates")
endforeach()

# One package per provider.
get_property(_wsp_plugin_components GLOBAL PROPERTY WSP_PLUGIN_COMPONENTS)
foreach(comp IN LISTS _wsp_plugin_components)
  string(TOUPPER "${comp}" COMP)
  string(REGEX REPLACE "^wsp-plugin-([a-z]+)-(.*)$" "\\1 provider '\\2'" _what "${comp}")
  set(CPACK_COMPONENT_${COMP}_DESCRIPTION
    "wsp ${_what}\nA provider for wsp, loaded at run time by libwsp.")
  set(CPACK_DEBIAN_${COMP}_PACKAGE_NAME "${comp}")
  set(CPACK_DEBIAN_${COMP}_PACKAGE_SECTION "libs")
  set(CPACK_DEBIAN_${COMP}_PACKAGE_DEPENDS "${_wsp_plugin_depends}")
  if(DEFINED _wsp_recommends_${comp})
    set(CPACK_DEBIAN_${COMP}_PACKAGE_RECOMMENDS "${_wsp_recommends_${comp}}")
  endif()
  if(DEFINED _wsp_suggests_${comp})
    set(CPACK_DEBIAN_${COMP}_PACKAGE_SUGGESTS "${_wsp_suggests_${comp}}")
  endif()
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

include("${CMAKE_CURRENT_LIST_DIR}/WspPackagingRpm.cmake")
include(CPack)
