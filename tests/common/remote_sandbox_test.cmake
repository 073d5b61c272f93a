# wsp_remote_sandbox_test(VENDOR NAME TIMEOUT SOURCES...): the CUnit
# executable test_sandbox_VENDOR_NAME of a remote sandbox provider
# (plugins/sandbox-VENDOR: its modules, wsp_sandbox_VENDOR_core, and its
# plugin.c linked in) on the SDK's fake host, run as the ctest
# sandbox_VENDOR_NAME against the project's fake of the service in
# tests/VENDOR (WSP_TEST_<VENDOR>_DIR). The Blaxel, Daytona and E2B suites
# and their shared mount tests (remote_mount_tests.cmake) are all built
# so; a suite adds what only it needs after the call.
function(wsp_remote_sandbox_test vendor name timeout)
  string(TOUPPER "${vendor}" up)
  set(exe test_sandbox_${vendor}_${name})
  add_executable(${exe} ${ARGN}
    ${PROJECT_SOURCE_DIR}/plugins/sandbox-${vendor}/plugin.c)
  target_link_libraries(${exe} PRIVATE wsp_sandbox_${vendor}_core
    wsp::fakehost PkgConfig::CUNIT PkgConfig::CJSON Threads::Threads)
  target_compile_definitions(${exe} PRIVATE WSP_TEST_NODE="${WSP_NODE}"
    WSP_TEST_${up}_DIR="${PROJECT_SOURCE_DIR}/tests/${vendor}")
  # the fake forks commands with the tests' spawner (else it builds one
  # with cc at every start)
  add_dependencies(${exe} wsp-fake-spawner)
  add_test(NAME sandbox_${vendor}_${name} COMMAND ${exe})
  # requests to 127.0.0.1 must not go through a proxy the CI host may set
  set_tests_properties(sandbox_${vendor}_${name} PROPERTIES
    TIMEOUT ${timeout} ENVIRONMENT "${WSP_TEST_FAKE_ENV}")
endfunction()
