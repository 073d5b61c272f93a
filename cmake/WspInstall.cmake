# Install rules for the SDK: headers, the provider version script, the two
# pkg-config files, the CMake package and the provider template. libwsp,
# the CLI and the providers install themselves (core/, cli/, plugins/).
#
# Install components (one Debian package each, see WspPackaging.cmake):
#   libwsp2                      libwsp.so.2*
#   wsp                          the CLI
#   libwsp-dev                   everything a developer builds against
#   wsp-plugin-<kind>-<name>     one provider (set by wsp_add_plugin)
include(CMakePackageConfigHelpers)

# The plugin ABI version, read from the header that defines it.
file(STRINGS "${CMAKE_CURRENT_SOURCE_DIR}/sdk/include/wsp/plugin.h" _wsp_abi
  REGEX "^#define WSP_PLUGIN_ABI_(MAJOR|MINOR) [0-9]+")
string(REGEX REPLACE ".*ABI_MAJOR ([0-9]+).*" "\\1" WSP_PLUGIN_ABI_MAJOR "${_wsp_abi}")
string(REGEX REPLACE ".*ABI_MINOR ([0-9]+).*" "\\1" WSP_PLUGIN_ABI_MINOR "${_wsp_abi}")
if(NOT WSP_PLUGIN_ABI_MAJOR MATCHES "^[0-9]+$" OR NOT WSP_PLUGIN_ABI_MINOR MATCHES "^[0-9]+$")
  message(FATAL_ERROR "cannot read WSP_PLUGIN_ABI_MAJOR/MINOR from sdk/include/wsp/plugin.h")
endif()

set(WSP_CMAKE_INSTALL_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/wsp")
set(WSP_PKGCONFIG_INSTALL_DIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig")

install(DIRECTORY sdk/include/wsp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  COMPONENT libwsp-dev)
install(FILES sdk/plugin.map DESTINATION ${WSP_INSTALL_DATADIR}
  COMPONENT libwsp-dev)
# The template a third party copies to start a provider.
install(DIRECTORY sdk/template/ DESTINATION ${WSP_INSTALL_DATADIR}/template
  COMPONENT libwsp-dev)

# CMake package: wspConfig.cmake computes every path from its own location,
# so an installed tree can be moved (or installed with --prefix).
install(EXPORT wspTargets NAMESPACE wsp:: DESTINATION ${WSP_CMAKE_INSTALL_DIR}
  FILE wspTargets.cmake COMPONENT libwsp-dev)
configure_package_config_file(cmake/wspConfig.cmake.in
  "${CMAKE_CURRENT_BINARY_DIR}/cmake/wspConfig.cmake"
  INSTALL_DESTINATION ${WSP_CMAKE_INSTALL_DIR}
  PATH_VARS WSP_INSTALL_DATADIR WSP_PLUGIN_INSTALL_DIR)
# The library version is 0.x while the ABI is 1; the package version is
# the release (find_package(wsp 0.1)), compatible within its major.
write_basic_package_version_file(
  "${CMAKE_CURRENT_BINARY_DIR}/cmake/wspConfigVersion.cmake"
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/cmake/wspConfig.cmake"
  "${CMAKE_CURRENT_BINARY_DIR}/cmake/wspConfigVersion.cmake"
  cmake/WspPlugin.cmake
  # What wsp_plugin_package() runs at cpack time, as our packaging does.
  cmake/WspPackageDocs.cmake cmake/WspDebRepack.cmake
  DESTINATION ${WSP_CMAKE_INSTALL_DIR} COMPONENT libwsp-dev)

# pkg-config files are written at install time, so the prefix in them is
# the one installed to (cmake --install --prefix, or /usr under cpack), and
# their paths stay plain (no ${pcfiledir} arithmetic). Each install
# generates them in its own directory: ctest runs installs side by side.
foreach(_wsp_dir LIBDIR INCLUDEDIR DATADIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${_wsp_dir}}")
    set(_wsp_pc_${_wsp_dir} "${CMAKE_INSTALL_${_wsp_dir}}")
  else()
    set(_wsp_pc_${_wsp_dir} "\${prefix}/${CMAKE_INSTALL_${_wsp_dir}}")
  endif()
endforeach()
if(IS_ABSOLUTE "${WSP_PKGCONFIG_INSTALL_DIR}")
  set(_wsp_pc_dest "${WSP_PKGCONFIG_INSTALL_DIR}")
else()
  set(_wsp_pc_dest "\${CMAKE_INSTALL_PREFIX}/${WSP_PKGCONFIG_INSTALL_DIR}")
endif()
install(CODE "
  set(WSP_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  set(WSP_PC_LIBDIR [[${_wsp_pc_LIBDIR}]])
  set(WSP_PC_INCLUDEDIR [[${_wsp_pc_INCLUDEDIR}]])
  set(WSP_PC_DATADIR [[${_wsp_pc_DATADIR}]])
  set(PROJECT_VERSION ${PROJECT_VERSION})
  set(WSP_PLUGIN_ABI_MAJOR ${WSP_PLUGIN_ABI_MAJOR})
  set(WSP_PLUGIN_ABI_MINOR ${WSP_PLUGIN_ABI_MINOR})
  string(MD5 _wsp_pc_tag \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}\")
  set(_wsp_pc_tmp \"${CMAKE_CURRENT_BINARY_DIR}/pkgconfig/\${_wsp_pc_tag}\")
  foreach(pc wsp wsp-plugin wsp-fakehost)
    configure_file(\"${CMAKE_CURRENT_SOURCE_DIR}/sdk/\${pc}.pc.in\"
      \"\${_wsp_pc_tmp}/\${pc}.pc\" @ONLY)
  endforeach()
  file(INSTALL DESTINATION \"${_wsp_pc_dest}\" TYPE FILE
    FILES \"\${_wsp_pc_tmp}/wsp.pc\" \"\${_wsp_pc_tmp}/wsp-plugin.pc\"
      \"\${_wsp_pc_tmp}/wsp-fakehost.pc\")
" COMPONENT libwsp-dev)
