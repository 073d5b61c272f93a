# tests/security/contain.cmake - containment and MCP input through every
# entry point (docs/security.md, "Tests"), against the real CLI and the
# plugins of the build tree, as the invoking user (root in CI) and as uid
# 65534 through run-unprivileged.sh.
#
#   contain    every escape (.., absolute host paths, links out, a NUL,
#              over PATH_MAX...) through `wsp fs`, `wsp tool` and
#              `wsp mcp`: refused or not found, nothing outside touched
#   mcp_input  malformed JSON-RPC never crashes `wsp mcp` or makes it
#              write invalid JSON, and it keeps answering
add_library(wsp_security_mcp_client STATIC mcp_client.c)
target_link_libraries(wsp_security_mcp_client PUBLIC PkgConfig::CJSON)
target_compile_definitions(wsp_security_mcp_client PRIVATE
  WSP_CLI="$<TARGET_FILE:wsp_cli>")

foreach(area contain mcp_input)
  set(exe test_security_${area})
  add_executable(${exe} test_${area}.c)
  target_link_libraries(${exe} PRIVATE wsp_security_mcp_client
    wsp_core_testutil)
  target_include_directories(${exe} PRIVATE
    "${PROJECT_SOURCE_DIR}/tests/core")
  target_compile_definitions(${exe} PRIVATE WSP_CLI="$<TARGET_FILE:wsp_cli>")
  add_dependencies(${exe} wsp_cli wsp-fs-local)
  add_test(NAME security_${area} COMMAND ${exe})
  wsp_unprivileged_test(security_${area}_unprivileged "$<TARGET_FILE:${exe}>")
  # Hundreds of CLI runs: 15 s alone, about 65 s under ASan, and past
  # 300 s under ASan on 2 cores busy with other builds (seen twice).
  set_tests_properties(security_${area} security_${area}_unprivileged
    PROPERTIES TIMEOUT 900 SKIP_RETURN_CODE 77)
endforeach()
