# tests/security/state.cmake - the state directory of the local sandbox
# (docs/security.md, "State directory"): where it may be, and that wsp
# trusts nothing a forged file in it says. Through the real CLI, as the
# invoking user (root in CI) and as uid 65534 through run-unprivileged.sh;
# uses the workspace helpers of isolation.cmake (included before).
#
#   config  state_dir inside or around the working directory or a
#           read_write_paths entry is refused, symlinks and ".." included
#   procs   forged process entries: no foreign group signalled, no link
#           followed, no file of another type or user used
#
# test_state_parsers runs the readers of those files on made-up input, once
# (tests/fuzz/fuzz_proclog.c runs them on arbitrary bytes).
foreach(area config procs)
  set(exe test_security_state_${area})
  add_executable(${exe} test_state_${area}.c)
  target_link_libraries(${exe} PRIVATE wsp_security_isolation
    PkgConfig::CUNIT)
  add_test(NAME security_state_${area} COMMAND ${exe})
  wsp_unprivileged_test(security_state_${area}_unprivileged
    "$<TARGET_FILE:${exe}>")
  set_tests_properties(security_state_${area}
    security_state_${area}_unprivileged PROPERTIES TIMEOUT 180
    SKIP_RETURN_CODE 77)
endforeach()

# The forging side writes the files as the monitor does: its header, and
# the small facts (boot id, start times) of proc_sys.c.
target_sources(test_security_state_procs PRIVATE
  "${PROJECT_SOURCE_DIR}/plugins/sandbox-local/proc_sys.c")
target_include_directories(test_security_state_procs PRIVATE
  "${PROJECT_SOURCE_DIR}/plugins/sandbox-local"
  "${PROJECT_SOURCE_DIR}/plugins/shared/proclog")

set(WSP_STATE_READERS proc_spec.c proc_sys.c)
list(TRANSFORM WSP_STATE_READERS PREPEND
  "${PROJECT_SOURCE_DIR}/plugins/sandbox-local/")
add_executable(test_security_state_parsers test_state_parsers.c
  ${WSP_STATE_READERS}
  "${PROJECT_SOURCE_DIR}/plugins/shared/proclog/proc_log.c")
target_include_directories(test_security_state_parsers PRIVATE
  "${PROJECT_SOURCE_DIR}/plugins/sandbox-local"
  "${PROJECT_SOURCE_DIR}/plugins/shared/proclog")
target_link_libraries(test_security_state_parsers PRIVATE PkgConfig::CUNIT)
add_test(NAME security_state_parsers COMMAND test_security_state_parsers)
