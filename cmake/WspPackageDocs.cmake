# CPack pre-build script (CPACK_PRE_BUILD_SCRIPTS, cmake/WspPackaging.cmake):
# runs inside cpack after the components are staged, once per generator,
# and adds what a distribution package carries beside the installed files
# but `cmake --install` must not write:
#
#   DEB  /usr/share/doc/<package>/copyright            DEP-5
#        /usr/share/doc/<package>/changelog.Debian.gz  gzip -9n
#        /usr/share/lintian/overrides/<package>        each with its reason
#   RPM  /usr/share/licenses/<package>/copyright       (%license)
#
# Component packages (the wsp tree's): each component is one package named
# as the component (WspPackaging.cmake keeps the two equal), staged in
# ${CPACK_TEMPORARY_DIRECTORY}/<component>. One package (a third party's
# provider, wsp_plugin_package() in WspPlugin.cmake): staged in
# ${CPACK_TEMPORARY_DIRECTORY} itself, named CPACK_<GEN>_PACKAGE_NAME.
# The lintian overrides are optional (CPACK_WSP_LINTIAN_OVERRIDES unset:
# none). file(COPY), not file(INSTALL): cpack's DESTDIR is still set here.
if(NOT CPACK_GENERATOR MATCHES "^(DEB|RPM)$")
  return()
endif()

# (CPACK_DEB_COMPONENT_INSTALL, but CPACK_DEBIAN_PACKAGE_NAME.)
set(_wsp_gen "${CPACK_GENERATOR}")
if(_wsp_gen STREQUAL "DEB")
  set(_wsp_gen "DEBIAN")
endif()
if(CPACK_${CPACK_GENERATOR}_COMPONENT_INSTALL)
  file(GLOB _wsp_stages LIST_DIRECTORIES true "${CPACK_TEMPORARY_DIRECTORY}/*")
else()
  set(_wsp_stages "${CPACK_TEMPORARY_DIRECTORY}")
  if(NOT CPACK_${_wsp_gen}_PACKAGE_NAME)
    message(FATAL_ERROR "WspPackageDocs.cmake: set CPACK_${_wsp_gen}_PACKAGE_NAME")
  endif()
endif()
foreach(stage IN LISTS _wsp_stages)
  if(NOT IS_DIRECTORY "${stage}")
    continue()
  endif()
  if(CPACK_${CPACK_GENERATOR}_COMPONENT_INSTALL)
    get_filename_component(pkg "${stage}" NAME)
  else()
    set(pkg "${CPACK_${_wsp_gen}_PACKAGE_NAME}")
  endif()
  set(usr "${stage}${CPACK_PACKAGING_INSTALL_PREFIX}")
  if(CPACK_GENERATOR STREQUAL "RPM")
    # Named as the RPM is (libwsp-dev is libwsp-devel there).
    string(TOUPPER "${pkg}" PKG)
    if(CPACK_RPM_${PKG}_PACKAGE_NAME)
      set(pkg "${CPACK_RPM_${PKG}_PACKAGE_NAME}")
    endif()
    file(COPY "${CPACK_WSP_COPYRIGHT}" DESTINATION "${usr}/share/licenses/${pkg}"
      FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
    continue()
  endif()
  set(doc "${usr}/share/doc/${pkg}")
  file(COPY "${CPACK_WSP_COPYRIGHT}" DESTINATION "${doc}"
    FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  # -n: no name or time stamp in the gzip header, so the file (and the
  # package) is the same from one build to the next.
  execute_process(COMMAND gzip -9n -c "${CPACK_WSP_CHANGELOG}"
    OUTPUT_FILE "${doc}/changelog.Debian.gz" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gzip of ${CPACK_WSP_CHANGELOG} failed: ${rc}")
  endif()
  file(CHMOD "${doc}/changelog.Debian.gz"
    PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  if(NOT CPACK_WSP_LINTIAN_OVERRIDES)
    continue()
  endif()
  # One file for every package (its overrides apply to all of them).
  file(MAKE_DIRECTORY "${usr}/share/lintian/overrides")
  configure_file("${CPACK_WSP_LINTIAN_OVERRIDES}" "${usr}/share/lintian/overrides/${pkg}"
    COPYONLY)
  file(CHMOD "${usr}/share/lintian/overrides/${pkg}"
    PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
endforeach()
