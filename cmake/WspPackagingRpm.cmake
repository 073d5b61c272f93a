# RPMs from the same components as the Debian packages (included by
# cmake/WspPackaging.cmake after it has set the Debian variables, which
# this file translates): the same package names, versions and relations.
#
# Requires on the system libraries come from rpmbuild's own dependency
# generator (libc.so.6()(64bit), ...); what it cannot see is declared as for
# Debian: providers require wsp-plugin-abi-<N> (provided by libwsp2) and
# libwsp2 >= this release. RPM names packages by distribution, so the
# Debian names of the runtime helpers (bubblewrap, ca-certificates, s3fs)
# are weak dependencies (Suggests) only: nothing fails when a distribution
# calls them otherwise. rpmbuild strips the ELF files itself (brp-strip).
set(CPACK_RPM_COMPONENT_INSTALL ON)
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_RELEASE 1)
# Until the owners choose a licence (packaging/debian/copyright).
set(CPACK_RPM_PACKAGE_LICENSE "LicenseRef-wsp-unlicensed")
set(CPACK_RPM_PACKAGE_GROUP "System Environment/Libraries")
set(CPACK_RPM_WSP_PACKAGE_GROUP "Applications/System")
set(CPACK_RPM_LIBWSP-DEV_PACKAGE_GROUP "Development/Libraries")
set(CPACK_RPM_PACKAGE_VENDOR "${CPACK_PACKAGE_VENDOR}")
# RPM calls the SDK <project>-devel (rpmlint knows a development package
# by -devel, and wants a library's major in a lib* name).
set(CPACK_RPM_LIBWSP-DEV_PACKAGE_NAME "wsp-devel")
# Packager: from the macro, as rpmbuild fills it. Static archives keep
# their debug information (there is no -debuginfo package to take it); the
# other ELF files CPack strips (CPACK_PROJECT_CONFIG_FILE below): rpmbuild's
# brp-strip only removes their debug sections and keeps the symbol table.
set(CPACK_RPM_SPEC_MORE_DEFINE
  "%define packager ${CPACK_PACKAGE_CONTACT}\n%define __brp_strip_static_archive /bin/true")
# CPack strips the ELF files for RPMs only (the Debian generator strips
# them itself, into the -dbgsym packages).
set(CPACK_PROJECT_CONFIG_FILE "${CMAKE_CURRENT_LIST_DIR}/WspPackagingGen.cmake")
# Directories every system owns (filesystem package) stay out of ours.
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
  "/usr/${CMAKE_INSTALL_LIBDIR}" "/usr/${CMAKE_INSTALL_LIBDIR}/pkgconfig"
  "/usr/${CMAKE_INSTALL_LIBDIR}/cmake" "/usr/share/man" "/usr/share/man/man1"
  "/usr/share/man/man5" "/usr/share/licenses" "/usr/share/bash-completion"
  "/usr/share/bash-completion/completions" "/usr/share/zsh"
  "/usr/share/zsh/vendor-completions" "/usr/share/fish"
  "/usr/share/fish/vendor_completions.d" "/usr/include")

foreach(comp libwsp2 wsp libwsp-dev ${_wsp_plugin_components})
  string(TOUPPER "${comp}" COMP)
  if(NOT CPACK_RPM_${COMP}_PACKAGE_NAME)
    set(CPACK_RPM_${COMP}_PACKAGE_NAME "${comp}")
  endif()
  # The copyright as the package's licence file (%license).
  set(CPACK_RPM_${COMP}_USER_FILELIST
    "%license /usr/share/licenses/${CPACK_RPM_${COMP}_PACKAGE_NAME}/copyright")
  # Summary: the Debian synopsis, capitalised as RPM has it (but the
  # project's name, wsp, is lower case). Description: the rest.
  # (string(FIND), not REGEX REPLACE "^...": CMake applies ^ again after
  # each match.)
  set(_desc "${CPACK_COMPONENT_${COMP}_DESCRIPTION}")
  string(FIND "${_desc}" "\n" _nl)
  string(SUBSTRING "${_desc}" 0 ${_nl} _summary)
  math(EXPR _nl "${_nl} + 1")
  string(SUBSTRING "${_desc}" ${_nl} -1 _body)
  if(NOT _summary MATCHES "^wsp ")
    string(SUBSTRING "${_summary}" 0 1 _first)
    string(SUBSTRING "${_summary}" 1 -1 _tail)
    string(TOUPPER "${_first}" _first)
    set(_summary "${_first}${_tail}")
  endif()
  set(CPACK_RPM_${COMP}_PACKAGE_SUMMARY "${_summary}")
  string(STRIP "${_body}" _body)
  set(CPACK_RPM_${COMP}_PACKAGE_DESCRIPTION "${_body}")
  set(_weak ${CPACK_DEBIAN_${COMP}_PACKAGE_RECOMMENDS} ${CPACK_DEBIAN_${COMP}_PACKAGE_SUGGESTS})
  if(_weak)
    list(JOIN _weak ", " _weak)
    set(CPACK_RPM_${COMP}_PACKAGE_SUGGESTS "${_weak}")
  endif()
  # What dpkg-shlibdeps cannot see, as for the Debian package.
  string(REPLACE "(" "" _req "${CPACK_DEBIAN_${COMP}_PACKAGE_DEPENDS}")
  string(REPLACE ")" "" _req "${_req}")
  if(_req)
    set(CPACK_RPM_${COMP}_PACKAGE_REQUIRES "${_req}")
  endif()
  if(CPACK_DEBIAN_${COMP}_PACKAGE_PROVIDES)
    set(CPACK_RPM_${COMP}_PACKAGE_PROVIDES "${CPACK_DEBIAN_${COMP}_PACKAGE_PROVIDES}")
  endif()
endforeach()
# libcurl's and SQLite's RPM names are not Debian's: require the libraries
# themselves, as rpmbuild names them (libwsp loads them at run time,
# core/host/curl_lazy.c, core/search_libs.c).
if(CMAKE_SIZEOF_VOID_P EQUAL 8)
  set(CPACK_RPM_LIBWSP2_PACKAGE_REQUIRES
    "libcurl.so.4()(64bit), libsqlite3.so.0()(64bit)")
else()
  set(CPACK_RPM_LIBWSP2_PACKAGE_REQUIRES "libcurl.so.4, libsqlite3.so.0")
endif()
# The CLI and the SDK need the core: rpmbuild's generator sees libwsp.so.2
# in the CLI, but name the package and release for both, as Debian does.
set(CPACK_RPM_WSP_PACKAGE_REQUIRES "libwsp2 = ${PROJECT_VERSION}")
set(CPACK_RPM_LIBWSP-DEV_PACKAGE_REQUIRES "libwsp2 = ${PROJECT_VERSION}")
