# tests/security/core.cmake - the core's promises about untrusted input,
# secrets and plugins (docs/security.md, "Inputs, secrets and plugins"),
# checked through the real CLI (and the tool layer and MCP where they
# apply) against the plugins of the build tree, as the invoking user (root
# in CI) and as uid 65534 through run-unprivileged.sh.
#
#   secrets  a secret fed to other options is masked in config show,
#            errors and logs
#   loader   a plugin another user could replace is refused (StrictModes)
#   inputs   NUL in JSON strings, terminal escapes, regex limits, links out
#            of the workspace, moves across mounts (CLI and MCP)

foreach(area secrets loader inputs)
  set(exe test_security_core_${area})
  add_executable(${exe} test_core_${area}.c)
  target_link_libraries(${exe} PRIVATE wsp_core_testutil)
  target_include_directories(${exe} PRIVATE
    "${PROJECT_SOURCE_DIR}/tests/core")
  target_compile_definitions(${exe} PRIVATE WSP_CLI="$<TARGET_FILE:wsp_cli>"
    WSP_BUILD_PLUGINS="${WSP_BUILD_PLUGIN_DIR}")
  add_dependencies(${exe} wsp_cli wsp-sandbox-local wsp-fs-s3 wsp-fs-local)
  add_test(NAME security_core_${area} COMMAND ${exe})
  # The same promises for a plain caller (for the loader, a directory and
  # a file of another user left by run-unprivileged.sh).
  wsp_unprivileged_test(security_core_${area}_unprivileged
    "$<TARGET_FILE:${exe}>")
  set_tests_properties(security_core_${area}
    security_core_${area}_unprivileged PROPERTIES TIMEOUT 120
    SKIP_RETURN_CODE 77)
endforeach()
