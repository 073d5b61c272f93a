# CPack post-build script (CPACK_POST_BUILD_SCRIPTS, cmake/WspPackaging.cmake):
# mends what CPack 3.25's DEB generator writes and no variable turns off,
# by unpacking each package with dpkg-deb -R and building it again.
#
# -dbgsym .ddebs: CPack lists their files in DEBIAN/md5sums by the absolute
#   path of its staging directory, and gives them no documentation. They get
#   md5sums of their own files and /usr/share/doc/<pkg>-dbgsym as a link to
#   /usr/share/doc/<pkg> (as debhelper makes them; each depends on <pkg>
#   of the same version, which ships the copyright).
# ldconfig: CPack adds postinst and postrm scripts that run ldconfig to a
#   package with a library in /usr/lib/<triplet>. A package that ships an
#   ldconfig trigger (libwsp2's DEBIAN/triggers) has them removed: the
#   trigger runs ldconfig once for the whole dpkg run.
if(NOT CPACK_GENERATOR STREQUAL "DEB")
  return()
endif()

function(wsp_run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${ARGN}: ${rc} ${err}")
  endif()
endfunction()

foreach(pkgfile IN LISTS CPACK_PACKAGE_FILES)
  if(NOT pkgfile MATCHES "\\.d?deb$")
    continue()
  endif()
  set(tree "${pkgfile}.tree")
  file(REMOVE_RECURSE "${tree}")
  wsp_run(dpkg-deb -R "${pkgfile}" "${tree}")
  execute_process(COMMAND dpkg-deb -f "${pkgfile}" Package
    OUTPUT_VARIABLE pkg OUTPUT_STRIP_TRAILING_WHITESPACE)
  set(changed FALSE)

  if(pkgfile MATCHES "\\.ddeb$" AND pkg MATCHES "^(.*)-dbgsym$")
    file(MAKE_DIRECTORY "${tree}/usr/share/doc")
    file(CREATE_LINK "${CMAKE_MATCH_1}" "${tree}/usr/share/doc/${pkg}" SYMBOLIC)
    file(GLOB_RECURSE files LIST_DIRECTORIES false RELATIVE "${tree}" "${tree}/usr/*")
    list(SORT files)
    set(sums "")
    foreach(f IN LISTS files)
      if(f MATCHES "\\.debug$")
        # Debug files are data, not programs (0644, as dh_strip makes them).
        file(CHMOD "${tree}/${f}" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
      endif()
      if(NOT IS_SYMLINK "${tree}/${f}")
        file(MD5 "${tree}/${f}" md5)
        string(APPEND sums "${md5}  ${f}\n")
      endif()
    endforeach()
    file(WRITE "${tree}/DEBIAN/md5sums" "${sums}")
    set(changed TRUE)
  endif()

  if(EXISTS "${tree}/DEBIAN/triggers")
    file(STRINGS "${tree}/DEBIAN/triggers" trig REGEX "ldconfig")
    foreach(script postinst postrm)
      if(trig AND EXISTS "${tree}/DEBIAN/${script}")
        file(STRINGS "${tree}/DEBIAN/${script}" lines REGEX "[^ \t]")
        # What CPack writes: #!/bin/sh, set -e, if [ "$1" = configure|remove ];
        # then ldconfig; fi. Anything more is kept, with the script.
        list(FILTER lines EXCLUDE REGEX
          "^(#!/bin/sh|set -e|if \\[ \"\\$1\" = \"(configure|remove)\" \\]; then|\tldconfig|fi)$")
        if(NOT lines)
          file(REMOVE "${tree}/DEBIAN/${script}")
          set(changed TRUE)
        endif()
      endif()
    endforeach()
  endif()

  if(changed)
    wsp_run(dpkg-deb --root-owner-group -Zxz -b "${tree}" "${pkgfile}")
  endif()
  file(REMOVE_RECURSE "${tree}")
endforeach()
