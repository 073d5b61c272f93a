# CPACK_PROJECT_CONFIG_FILE (cmake/WspPackagingRpm.cmake): cpack reads it once
# per generator, for what differs between them.
#
# RPM: CPack strips the ELF files as it installs them. rpmbuild's own
# brp-strip only removes debug sections (strip -g) and there is no
# -debuginfo package; the DEB generator strips into -dbgsym packages itself
# and must get the files with their debug information.
if(CPACK_GENERATOR STREQUAL "RPM")
  set(CPACK_STRIP_FILES ON)
endif()
